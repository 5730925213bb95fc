# The murder: tasks (SPEC section 3), as in the original gem, over SSHKit.
require "fileutils"

murder = Capistrano::Murder

namespace :murder do
  desc "Install the murder bundle (programs and libraries) in remote_murder_path on every murder host"
  task :distribute_files do
    bundle = fetch(:murder_bundle).to_s
    if bundle.empty?
      murder.stop_run "No murder bundle: set :murder_bundle to the murder-bundle.tar.gz that murder's scripts/build makes"
    end
    murder.stop_run "No murder bundle at #{bundle} (build murder, or set :murder_bundle)" unless File.file?(bundle)
    hosts = (murder.peers + murder.trackers + [murder.seeder]).uniq
    on hosts do
      dir = murder.murder_path
      execute murder.check_murder_path_command
      murder.upload_file(self, bundle, "#{dir}/.bundle.tgz")
      execute "cd #{murder.command(dir)} && rm -rf .bundle-new && mkdir .bundle-new && tar --no-same-owner -xzf .bundle.tgz -C .bundle-new " \
              "&& rm -rf bin lib && mv .bundle-new/bin .bundle-new/lib . && rmdir .bundle-new && rm -f .bundle.tgz " \
              "&& bin/murder_client --version"
    end
  end

  desc "Start the tracker daemon (a no-op when it runs)"
  task :start_tracker do
    on murder.trackers do
      words = [murder.program("murder_tracker"), "--daemon", "--pidfile", murder.pidfile("tracker"),
               "--port", fetch(:tracker_port), "--allowed_dir", "#{murder.murder_path}/torrents",
               "--dfile", "#{murder.murder_path}/run/tracker.state", "--logfile", murder.logfile("tracker")]
      # Loopback too: the seeder beside the tracker may reach it over loopback
      # (its host name resolving to 127.0.1.1) and announces its outward address.
      words += ["--allowed_cidrs", "#{murder.allowed_networks},127.0.0.0/8"] if murder.allowed_networks
      execute murder.start_unless_running("tracker", murder.command(words))
    end
  end

  desc "Stop the tracker daemon"
  task :stop_tracker do
    on(murder.trackers) { execute murder.stop("tracker") }
  end

  desc "Pack files_path on the seeder into TEMP/TAG.tgz, make its .torrent, fetch it, hand it to the tracker"
  task :create_torrent do
    tag = murder.require_tag
    files = murder.files_path
    on murder.seeder do
      execute murder.command("mkdir", "-p", murder.temp_path)
      # murder_make_torrent writes the payload (the packed tree, or with
      # path_is_file a copy of the file) to a private temporary file and renames
      # it into place: nothing planted in TEMP is written through.
      execute murder.command(murder.program("murder_make_torrent"), files, murder.tracker_words, murder.torrent(tag),
                             murder.flag?("path_is_file") ? "--copy-to" : "--archive", murder.payload(tag))
    end
    if murder.flag?("do_not_download_torrent")
      torrent_bytes = nil
      on(murder.seeder) { torrent_bytes = download!(murder.torrent(tag)) }
    else
      invoke "murder:download_torrent"
      torrent_bytes = murder.read_local_torrent(tag)
    end
    murder.register_with_trackers(tag, torrent_bytes)
  end

  desc "Fetch TEMP/TAG.tgz.torrent from the seeder to this machine"
  task :download_torrent do
    tag = murder.require_tag
    FileUtils.mkdir_p(murder.temp_path)
    # Not download! to TEMP/TAG.tgz.torrent itself: scp would write through a
    # symlink or into a file planted there (TEMP is /tmp by default).
    murder.write_local_file(murder.torrent(tag)) do |file|
      on(murder.seeder) { download! murder.torrent(tag), file }
    end
  end

  desc "Seed TAG from the seeder until stop_seeding (returns once the tracker has answered)"
  task :start_seeding do
    tag = murder.require_tag
    on murder.seeder do |host|
      start = murder.command(murder.program("murder_client"), "seed", murder.torrent(tag), murder.payload(tag),
                             host.hostname, "--daemon", "--pidfile", murder.pidfile("seed-#{tag}"),
                             "--logfile", murder.logfile("seed-#{tag}"), murder.peer_filter_words)
      execute murder.start_unless_running("seed-#{tag}", start)
    end
  end

  desc "Stop seeding TAG"
  task :stop_seeding do
    tag = murder.require_tag
    on(murder.seeder) { execute murder.stop("seed-#{tag}") }
  end

  desc "Stop every murder seeder"
  task :stop_all_seeding do
    on(murder.seeder) { execute murder.stop_all(:seed) }
  end

  desc "Download TAG on every peer and extract it into destination_path/TAG/ (atomically)"
  task :peer do
    tag = murder.require_tag
    destination = murder.destination_path
    stall_words = murder.stall_timeout_words
    torrent_bytes = murder.read_local_torrent(tag)
    path_is_file = murder.flag?("path_is_file")
    replace = murder.flag?("unsafe_please_delete")
    target = murder.peer_target(tag, destination)

    # As the original did, every peer's target is checked before any download
    # starts. murder_client would refuse it too, but only once it has the
    # payload, with its own words. unsafe_please_delete makes it replace the
    # target instead; a copied file (path_is_file) replaces what is there.
    unless path_is_file || replace
      occupied = []
      found = Mutex.new  # the hosts' blocks run in threads of their own
      on murder.peers do |host|
        found.synchronize { occupied << host.hostname } unless test(murder.destination_free_command(target))
      end
      unless occupied.empty?
        murder.stop_run((occupied.sort.map { |host| murder.not_empty_message(target, host) } +
                         ["(unsafe_please_delete=1 replaces what is there)"]).join("\n"))
      end
    end

    on murder.peers do |host|
      execute murder.command("mkdir", "-p", murder.temp_path, "#{murder.murder_path}/run", "#{murder.murder_path}/log")
      # A StringIO of its own per host: the hosts' uploads run in parallel.
      murder.upload_file(self, StringIO.new(torrent_bytes), murder.torrent(tag))
      words = [murder.program("murder_client"), "peer", murder.torrent(tag), murder.payload(tag), host.hostname,
               path_is_file ? "--copy-to" : "--extract", target,
               "--pidfile", murder.pidfile("peer-#{tag}"), "--logfile", murder.logfile("peer-#{tag}")]
      words << "--replace" if replace
      words += murder.peer_filter_words + stall_words
      execute murder.command(words)
    end
  end

  desc "Stop the background seeding of finished peers for TAG"
  task :stop_peering do
    tag = murder.require_tag
    on(murder.peers) { execute murder.stop("peer-#{tag}") }
  end

  desc "Stop every murder peer process"
  task :stop_all_peering do
    on(murder.peers) { execute murder.stop_all(:peer) }
  end

  desc "Remove TEMP/TAG.tgz and its .torrent from peers and seeder"
  task :clean_temp_files do
    tag = murder.require_tag
    on((murder.peers + [murder.seeder]).uniq) do
      execute murder.command("rm", "-f", "--", murder.payload(tag), murder.torrent(tag))
    end
  end
end
