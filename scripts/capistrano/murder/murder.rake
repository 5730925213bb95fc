# The murder: tasks (SPEC section 3), as in the original gem, over SSHKit.
require "fileutils"

M = Capistrano::Murder

namespace :murder do
  desc "Install the murder bundle (programs and libraries) in remote_murder_path on every murder host"
  task :distribute_files do
    bundle = fetch(:murder_bundle)
    M.stop_run "No murder bundle at #{bundle} (build murder, or set :murder_bundle)" unless File.file?(bundle)
    hosts = (M.peers + M.trackers + [M.seeder]).uniq
    on hosts do
      dir = M.murder_path
      # A directory this full is more likely a mistake than an old murder install.
      execute "mkdir -p #{M.command(dir)} && n=$(find #{M.command(dir)} -xdev 2>/dev/null | head -n 1001 | wc -l) && " \
              "if [ \"$n\" -gt 1000 ]; then echo #{M.command("refusing to clear #{dir}: it holds 1000 files or more")} >&2; " \
              "exit 2; fi"
      M.upload_file(self, bundle, "#{dir}/.bundle.tgz")
      execute "cd #{M.command(dir)} && rm -rf .bundle-new && mkdir .bundle-new && tar --no-same-owner -xzf .bundle.tgz -C .bundle-new " \
              "&& rm -rf bin lib && mv .bundle-new/bin .bundle-new/lib . && rmdir .bundle-new && rm -f .bundle.tgz " \
              "&& bin/murder_client --version"
    end
  end

  desc "Start the tracker daemon (a no-op when it runs)"
  task :start_tracker do
    on M.trackers do
      words = [M.program("murder_tracker"), "--daemon", "--pidfile", M.pidfile("tracker"),
               "--port", fetch(:tracker_port), "--allowed_dir", "#{M.murder_path}/torrents",
               "--dfile", "#{M.murder_path}/run/tracker.state", "--logfile", M.logfile("tracker")]
      # Loopback too: the seeder beside the tracker may reach it over loopback
      # (its host name resolving to 127.0.1.1) and announces its outward address.
      words += ["--allowed_cidrs", "#{M.allowed_networks},127.0.0.0/8"] if M.allowed_networks
      start = M.command(words)
      execute M.start_unless_running("tracker", start)
    end
  end

  desc "Stop the tracker daemon"
  task :stop_tracker do
    on(M.trackers) { execute M.stop("tracker") }
  end

  desc "Pack files_path on the seeder into TEMP/TAG.tgz, make its .torrent, fetch it, hand it to the tracker"
  task :create_torrent do
    tag = M.tag
    files = M.files_path
    on M.seeder do
      execute M.command("mkdir", "-p", M.temp_path)
      # murder_make_torrent writes the payload (the packed tree, or with
      # path_is_file a copy of the file) to a private temporary file and renames
      # it into place: nothing planted in TEMP is written through.
      execute M.command(M.program("murder_make_torrent"), files, M.tracker_words, M.torrent(tag),
                        M.flag?("path_is_file") ? "--copy-to" : "--archive", M.payload(tag))
    end
    if M.flag?("do_not_download_torrent")
      torrent_bytes = nil
      on(M.seeder) { torrent_bytes = download!(M.torrent(tag)) }
    else
      invoke "murder:download_torrent"
      torrent_bytes = M.read_local_torrent(tag)
    end
    M.register_with_trackers(tag, torrent_bytes)
  end

  desc "Fetch TEMP/TAG.tgz.torrent from the seeder to this machine"
  task :download_torrent do
    tag = M.tag
    FileUtils.mkdir_p(M.temp_path)
    # Not download! to TEMP/TAG.tgz.torrent itself: scp would write through a
    # symlink or into a file planted there (TEMP is /tmp by default).
    M.write_local_file(M.torrent(tag)) do |file|
      on(M.seeder) { download! M.torrent(tag), file }
    end
  end

  desc "Seed TAG from the seeder until stop_seeding (returns once the tracker has answered)"
  task :start_seeding do
    tag = M.tag
    on M.seeder do |host|
      start = M.command(M.program("murder_client"), "seed", M.torrent(tag), M.payload(tag), host.hostname,
                        "--daemon", "--pidfile", M.pidfile("seed-#{tag}"), "--logfile", M.logfile("seed-#{tag}"),
                        M.peer_filter_words)
      execute M.start_unless_running("seed-#{tag}", start)
    end
  end

  desc "Stop seeding TAG"
  task :stop_seeding do
    tag = M.tag
    on(M.seeder) { execute M.stop("seed-#{tag}") }
  end

  desc "Stop every murder seeder"
  task :stop_all_seeding do
    on(M.seeder) { execute M.stop_all(:seed) }
  end

  desc "Download TAG on every peer and extract it into destination_path/TAG/ (atomically)"
  task :peer do
    tag = M.tag
    destination = M.destination_path
    stall_words = M.stall_timeout_words
    torrent_bytes = M.read_local_torrent(tag)
    path_is_file = M.flag?("path_is_file")
    file_name = M.env_or_default("files_path", :default_seeder_files_path)
    file_name = file_name.empty? ? tag : File.basename(file_name)
    target = if path_is_file
               "#{destination}/#{file_name}"
             elsif M.flag?("no_tag_directory")
               destination
             else
               "#{destination}/#{tag}"
             end
    on M.peers do |host|
      execute M.command("mkdir", "-p", M.temp_path, "#{M.murder_path}/run", "#{M.murder_path}/log")
      # A StringIO of its own per host: the hosts' uploads run in parallel.
      M.upload_file(self, StringIO.new(torrent_bytes), M.torrent(tag))
      words = [M.program("murder_client"), "peer", M.torrent(tag), M.payload(tag), host.hostname,
               path_is_file ? "--copy-to" : "--extract", target,
               "--pidfile", M.pidfile("peer-#{tag}"), "--logfile", M.logfile("peer-#{tag}")]
      words << "--replace" if M.flag?("unsafe_please_delete")
      words += M.peer_filter_words + stall_words
      execute M.command(words)
    end
  end

  desc "Stop the background seeding of finished peers for TAG"
  task :stop_peering do
    tag = M.tag
    on(M.peers) { execute M.stop("peer-#{tag}") }
  end

  desc "Stop every murder peer process"
  task :stop_all_peering do
    on(M.peers) { execute M.stop_all(:peer) }
  end

  desc "Remove TEMP/TAG.tgz and its .torrent from peers and seeder"
  task :clean_temp_files do
    tag = M.tag
    on((M.peers + [M.seeder]).uniq) { execute M.command("rm", "-f", "--", M.payload(tag), M.torrent(tag)) }
  end
end
