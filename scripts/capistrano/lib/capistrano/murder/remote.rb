# Everything the tasks send to a host: the command lines (each value quoted)
# and the files (uploaded under a name of their own, then renamed into place).

require "shellwords"
require "stringio"

module Capistrano
  module Murder
    module_function

    # Everything that reaches a remote shell goes through here: each word is
    # escaped, so no value (tag, path, host name) can run a command.
    def command(*words)
      words.flatten.map { |word| Shellwords.escape(word.to_s) }.join(" ")
    end

    # Makes remote_murder_path, then fails with the original's words when it
    # holds 1000 files or more: distribute_files replaces what is there, and a
    # directory this full is more likely a mistake than an old murder install.
    def check_murder_path_command
      dir = command(murder_path)
      "mkdir -p #{dir} && n=$(find #{dir} -xdev 2>/dev/null | head -n 1001 | wc -l) && " \
        "if [ \"$n\" -gt 1000 ]; then echo #{command(too_full_message(murder_path))} >&2; exit 2; fi"
    end

    # A command that succeeds when murder_client may extract into `target`:
    # nothing is there, or an empty directory (or a link to one; find -H
    # follows `target` itself). find prints `target` when anything else is.
    # Success means free so that --dry-run, where every test succeeds, goes on.
    def destination_free_command(target)
      # "./" keeps a relative name from being read as an option or expression.
      path = target.start_with?("/") ? target : "./#{target}"
      "! #{command('find', '-H', path, '-maxdepth', '0', '!', '(', '-type', 'd', '-empty', ')')} 2>/dev/null | grep -q ."
    end

    # Each tracker serves only the torrents in its allowed dir.
    def register_with_trackers(tag, torrent_bytes)
      on trackers do
        execute Murder.command("mkdir", "-p", "#{Murder.murder_path}/torrents")
        # A StringIO of its own per host: the hosts' uploads run in parallel.
        Murder.upload_file(self, StringIO.new(torrent_bytes), "#{Murder.murder_path}/torrents/#{tag}.torrent")
      end
    end

    # Puts `source` (a local path or an IO) at `remote` on the host of `backend`
    # (the SSHKit backend of an `on` block), mode 0644. scp writes into whatever
    # is at the name it is given: it follows a symlink planted there, and writes
    # into a planted file keeping its owner and mode. So the bytes go to a file
    # mktemp makes beside `remote` (new, ours, 0600; in a sticky directory like
    # /tmp nobody else can replace it), and `mv -T` renames that over `remote`,
    # replacing a symlink or file there rather than writing through it (and
    # failing on a directory rather than moving into it).
    def upload_file(backend, source, remote)
      prefix = "#{File.dirname(remote)}/.#{File.basename(remote)}."
      temp = backend.capture(command("mktemp", "--", "#{prefix}XXXXXX"))
      # Whatever else the login shell printed is not a name to write to.
      raise "mktemp printed #{temp.inspect}, not a name beginning with #{prefix}" unless
        temp.start_with?(prefix) && !temp.include?("\n")
      begin
        backend.upload!(source, temp)
        # scp keeps an existing file's mode: the 0600 of mktemp.
        backend.execute("#{command('chmod', '0644', '--', temp)} && #{command('mv', '-f', '-T', '--', temp, remote)}")
      rescue StandardError => e
        begin
          backend.execute(command("rm", "-f", "--", temp), raise_on_non_zero_exit: false)
        rescue StandardError
          nil # the upload's error is the one to report
        end
        raise e
      end
    end

    # Starts `start` (a command) unless the pidfile names a running murder process.
    def start_unless_running(name, start)
      "#{command('mkdir', '-p', "#{murder_path}/run", "#{murder_path}/log", "#{murder_path}/torrents")} && " \
        "if #{command(program('murder_client'), 'status', pidfile(name))} >/dev/null 2>&1; " \
        "then echo already running; else #{start}; fi"
    end

    # Stops the process of run/NAME.pid. The whole path is quoted: NAME holds the
    # tag, and a '*' in it is a character of the name, never a glob.
    def stop(name)
      command(program("murder_client"), "stop", pidfile(name))
    end

    # The only globs that reach a remote shell, literals here: never built from
    # a tag or a setting.
    STOP_ALL_GLOBS = { seed: "seed-*.pid", peer: "peer-*.pid" }.freeze

    # Stops every seeder (:seed) or peer (:peer) of ours. Only the directory,
    # from settings, is quoted; the constant glob is left for the shell.
    def stop_all(kind)
      "#{command(program('murder_client'), 'stop')} #{command("#{murder_path}/run")}/#{STOP_ALL_GLOBS.fetch(kind)}"
    end
  end
end
