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

    # The programs lay out murder's files on the host themselves (pidfiles,
    # logs, the tracker's state and allowed dir under --home; TAG.tgz and its
    # torrent in --temp; the release in destination/TAG), check the tag, and
    # start a daemon only unless it runs (murder's core/deploy_layout.hpp):
    # the plugin and murderctl send the same words.

    def tracker_command
      words = [program("murder_tracker"), "--home", murder_path, "--port", fetch(:tracker_port), "--daemon",
               "--unless-running"]
      # Loopback too: the seeder beside the tracker may reach it over loopback
      # (its host name resolving to 127.0.1.1) and announces its outward address.
      words += ["--allowed_cidrs", "#{allowed_networks},127.0.0.0/8"] if allowed_networks
      words += location_words
      command(words)
    end

    def make_torrent_command(tag, files)
      command(program("murder_make_torrent"), files, tracker_words, "--tag", tag, "--temp", temp_path, tree_words)
    end

    # cap deploy in tree mode: the release goes to the seeder once, as a
    # tarball, into a private directory (mktemp -d), is unpacked there with
    # its modes and times, and murder_make_torrent --tree snapshots it as
    # TEMP/TAG.tree; the unpacked copy is removed whatever happens.
    def make_tree_torrent_from_archive(backend, archive, tag)
      prefix = "#{temp_path}/murder-release."
      dir = backend.capture(command("mktemp", "-d", "--", "#{prefix}XXXXXX"))
      raise "mktemp printed #{dir.inspect}, not a name beginning with #{prefix}" unless
        dir.start_with?(prefix) && !dir.include?("\n")
      begin
        backend.upload!(archive, "#{dir}/release.tgz")
        backend.execute(command("mkdir", "--", "#{dir}/tree") + " && " +
                        command("tar", "--no-same-owner", "-xzpf", "#{dir}/release.tgz", "-C", "#{dir}/tree"))
        puts "Creating torrent..."
        backend.execute(make_torrent_command(tag, "#{dir}/tree"))
      ensure
        backend.execute(command("rm", "-rf", "--", dir), raise_on_non_zero_exit: false)
      end
    end

    def seed_command(host, tag)
      command(program("murder_client"), "seed", host.hostname, "--home", murder_path, "--tag", tag, "--temp",
              temp_path, tree_words, tree? ? "--trust" : [], "--daemon", "--unless-running", metrics_words("seed", tag),
              peer_filter_words)
    end

    # murder_client peer for TAG on HOST, delivering into destination.
    def peer_words(host, tag, destination)
      words = [program("murder_client"), "peer", host.hostname, "--home", murder_path, "--tag", tag, "--temp", temp_path,
               "--destination", destination]
      if flag?("path_is_file")
        file_name = env_or_default("files_path", :default_seeder_files_path)
        words += ["--file-name", file_name.empty? ? tag : File.basename(file_name)]
      elsif flag?("no_tag_directory")
        words << "--no-tag-directory"
      end
      words << "--replace" if flag?("unsafe_please_delete")
      words + tree_words + base_words
    end

    # Stops murder's ROLE process of TAG (every one of the role without a tag);
    # murder_client finds the pidfiles, so a '*' in a tag is a character, never a glob.
    def stop_command(role, tag = nil)
      words = [program("murder_client"), "stop", "--json", "--home", murder_path, "--role", role]
      words += ["--tag", tag] if tag
      command(words)
    end

    # Stops ROLE (of TAG) on `hosts`, one line per host saying what it stopped
    # (from murder_client's stop events).
    def stop_on(hosts, role, tag = nil)
      stop = stop_command(role, tag)
      on(hosts) { |host| info "#{host}: #{Murder.stop_summary(capture(stop))}" }
    end

    # Unpacks the uploaded bundle beside the old install; its own murder_client
    # swaps bin/, libexec/ and lib/ in (run/, log/, torrents/ stay) and refuses, with the
    # original's words, a directory too full to be a murder install.
    def install_bundle_command
      "cd -- #{command(murder_path)} && rm -rf .bundle-new && mkdir .bundle-new && " \
        "tar --no-same-owner -xzf .bundle.tgz -C .bundle-new && .bundle-new/bin/murder_client install-bundle --home ."
    end
  end
end
