# murder for Capistrano 3: the `murder:` tasks of the original gem, running the
# murder programs (the C++ re-creation) on your hosts through Capistrano's own
# roles and SSH. In a Capfile:
#
#   require_relative "path/to/murder/scripts/capistrano/murder"
#
# and, to make `cap STAGE deploy` move the release through murder instead of a
# per-host checkout (the old `deploy_via :murder`), instead of the git plugin:
#
#   install_plugin Capistrano::Murder::SCM
#
# Roles: `tracker`, `seeder`, `peer`. Unset, `peer` is every release server and
# `tracker` and `seeder` are the first peer, as in the original. More than one
# `tracker` host: the first is the torrent's tracker, the others are backups.
# `set :allowed_networks, %w[10.0.0.0/8]` lets only those networks announce or
# trade data; ENV `stall_timeout` (or `set :stall_timeout`) bounds a stalled peer.

require "shellwords"
require "stringio"
require "tempfile"
require "capistrano/scm/plugin"

module Capistrano
  module Murder
    extend Capistrano::DSL  # fetch, roles, release_roles
    module_function

    # Everything that reaches a remote shell goes through here: each word is
    # escaped, so no value (tag, path, host name) can run a command.
    def command(*words)
      words.flatten.map { |word| Shellwords.escape(word.to_s) }.join(" ")
    end

    # The original's environment variables, with the `default_*` settings behind them.
    def env_or_default(name, default_key)
      value = ENV[name]
      value = fetch(default_key, "").to_s if value.nil? || value.empty?
      value
    end

    def flag?(name)
      value = ENV[name]
      !value.nil? && !value.empty? && value != "0"
    end

    def stop_run(message)
      warn message
      exit 1
    end

    # murderctl's five rules (validate_tag), with the original's messages for the
    # first two. The tag names files (TEMP/TAG.tgz, run/seed-TAG.pid) and, for a
    # peer, the directory destination_path/TAG that --replace may empty: '..'
    # there is destination_path's parent. Anything else, '*' and other shell
    # characters included, is a usable name and reaches the hosts quoted.
    def tag
      value = env_or_default("tag", :default_tag)
      stop_run "You must specify a 'tag' parameter to identify the transfer" if value.empty?
      stop_run "Tag cannot contain a / character" if value.include?("/")
      stop_run "Tag cannot contain a NUL byte" if value.include?("\0")
      stop_run "Tag cannot be '#{value}': it is not a usable name" if [".", ".."].include?(value)
      stop_run "Tag cannot be longer than 200 bytes (it has #{value.bytesize})" if value.bytesize > 200
      value
    end

    def files_path
      value = env_or_default("files_path", :default_seeder_files_path)
      if value.empty?
        stop_run "You must specify a 'files_path' parameter with the directory on the seeder which " \
                 "contains the files to distribute"
      end
      value
    end

    def destination_path
      value = env_or_default("destination_path", :default_destination_path)
      if value.empty?
        stop_run "You must specify a 'destination_path' parameter with the directory in which to place " \
                 "transferred (and extract) files. Note that inside this directory, a new directory named by " \
                 "the tag will be created. To not create this second directory, pass in parameter " \
                 "'no_tag_directory=1'"
      end
      value
    end

    def temp_path
      env_or_default("temp_path", :default_temp_path)
    end

    def payload(the_tag) = "#{temp_path}/#{the_tag}.tgz"
    def torrent(the_tag) = "#{payload(the_tag)}.torrent"
    def murder_path = fetch(:remote_murder_path)
    def program(name) = "#{murder_path}/bin/#{name}"
    def pidfile(name) = "#{murder_path}/run/#{name}.pid"
    def logfile(name) = "#{murder_path}/log/#{name}.log"

    # Roles, with the original's defaults.
    def peers
      explicit = roles(:peer)
      explicit.empty? ? release_roles(:all) : explicit
    end

    def trackers
      explicit = roles(:tracker)
      explicit.empty? ? [peers.first] : explicit
    end

    def seeder = roles(:seeder).first || peers.first
    def tracker_address(host) = "#{host.hostname}:#{fetch(:tracker_port)}"

    # murder_make_torrent's tracker words: the first tracker, then each backup.
    def tracker_words
      first, *backups = trackers
      [tracker_address(first)] + backups.flat_map { |host| ["--tracker", tracker_address(host)] }
    end

    # `set :allowed_networks, [...]` as one comma-separated option value, or nil.
    def allowed_networks
      networks = Array(fetch(:allowed_networks, [])).map(&:to_s)
      networks.empty? ? nil : networks.join(",")
    end

    # The --allow-peers words for murder_client (none when every address may trade).
    def peer_filter_words = allowed_networks ? ["--allow-peers", allowed_networks] : []

    def stall_timeout_words
      value = env_or_default("stall_timeout", :stall_timeout)
      return [] if value.empty?
      stop_run "stall_timeout must be a number of seconds from 1 to 86400, not '#{value}'" unless
        value.match?(/\A[0-9]+\z/) && value.to_i.between?(1, 86_400)
      ["--stall-timeout", value]
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

    # Writes `path` on this machine (mode 0644) through a file of its own beside
    # it: Tempfile.create makes it with O_CREAT|O_EXCL, so it is new and ours,
    # never a file or symlink planted in TEMP (a shared /tmp); the rename then
    # replaces whatever is at `path` instead of writing through it. Yields the
    # open file.
    def write_local_file(path)
      file = Tempfile.create([".#{File.basename(path)}.", ""], File.dirname(path))
      renamed = false
      begin
        file.binmode
        yield file
        file.chmod(0o644)
        file.close
        File.rename(file.path, path)
        renamed = true
      ensure
        file.close unless file.closed?
        begin
          File.unlink(file.path) unless renamed
        rescue Errno::ENOENT
          nil
        end
      end
    end

    # The torrent download_torrent left at TEMP/TAG.tgz.torrent. TEMP may be a
    # shared /tmp: a symlink, or a file another user made there (before
    # create_torrent ran, or instead of it), or one others may write, is refused
    # rather than sent to the hosts, whose peers would fetch and install what it
    # describes: murderctl's rules (read_private_file).
    def read_local_torrent(the_tag)
      path = torrent(the_tag)
      # NONBLOCK: a FIFO planted there must not hang the open.
      File.open(path, File::RDONLY | File::NOFOLLOW | File::NONBLOCK) do |file|
        stat = file.stat
        stop_run "refusing to use #{path}: it is not a regular file" unless stat.file?
        stop_run "refusing to use #{path}: it belongs to uid #{stat.uid}, not to this user" unless stat.uid == Process.euid
        stop_run "refusing to use #{path}: others may write it (mode #{format('%04o', stat.mode & 0o7777)})" if
          stat.mode.anybits?(0o022)
        file.binmode
        file.read
      end
    rescue Errno::ENOENT
      stop_run "No torrent for tag '#{the_tag}' at #{path}: run murder:create_torrent first"
    rescue Errno::ELOOP
      stop_run "refusing to use #{path}: it is a symbolic link"
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

namespace :load do
  task :defaults do
    set :remote_murder_path, "/opt/murder"
    set :default_temp_path, "/tmp"
    set :default_tag, ""
    set :default_seeder_files_path, ""
    set :default_destination_path, ""
    set :tracker_port, 8998
    set :allowed_networks, []
    set :stall_timeout, ""
    set :murder_bundle, File.expand_path("../../build/murder-bundle.tar.gz", __dir__)
  end
end

load File.expand_path("murder/murder.rake", __dir__)
require_relative "murder/scm"
