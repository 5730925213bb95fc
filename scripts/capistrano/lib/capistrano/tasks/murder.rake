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
    on hosts do |host|
      dir = murder.murder_path
      execute murder.command("mkdir", "-p", dir)
      murder.upload_file(self, bundle, "#{dir}/.bundle.tgz")
      info "#{host}: #{capture(murder.install_bundle_command)}"
    end
  end

  desc "Start the tracker daemon (a no-op when it runs)"
  task :start_tracker do
    # Made here, before any host is touched: it checks :murder_locations.
    tracker = murder.tracker_command
    on(murder.trackers) { execute tracker }
  end

  desc "Stop the tracker daemon"
  task :stop_tracker do
    murder.stop_on(murder.trackers, "tracker")
  end

  desc "Snapshot files_path on the seeder as TEMP/TAG.tree (tgz mode: pack TEMP/TAG.tgz), make its .torrent, fetch it, hand it to the tracker"
  task :create_torrent do
    tag = murder.require_tag
    files = murder.files_path
    on murder.seeder do
      # murder_make_torrent writes TEMP/TAG.tree (a private snapshot of the
      # files; tgz mode: TEMP/TAG.tgz, the packed tree, or a copy of a single
      # file) and its torrent, each to a private temporary place then renamed
      # into place: nothing planted in TEMP is written through.
      execute murder.make_torrent_command(tag, files)
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

  desc "Fetch TEMP/TAG.tree.torrent (tgz mode: TEMP/TAG.tgz.torrent) from the seeder to this machine"
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
    on(murder.seeder) { |host| execute murder.seed_command(host, tag) }
  end

  desc "Download TAG on every peer into destination_path/TAG/ (atomically), reusing an earlier release's unchanged files"
  task :peer do
    tag = murder.require_tag
    destination = murder.destination_path
    stall_words = murder.stall_timeout_words
    torrent_bytes = murder.read_local_torrent(tag)
    path_is_file = murder.flag?("path_is_file")
    replace = murder.flag?("unsafe_please_delete")

    # As the original did, every peer's destination is checked before any
    # download starts; murder_client says what is wrong, in the original's
    # words ("destination_path DIR on HOST is not empty").
    # unsafe_please_delete makes it replace the target instead; a copied file
    # (path_is_file) replaces what is there.
    unless path_is_file || replace
      refusals = []
      found = Mutex.new  # the hosts' blocks run in threads of their own
      on murder.peers do |host|
        check = murder.command(murder.peer_words(host, tag, destination) + ["--check-destination", "--json"])
        # The refusal is murder_client's "failed" event; its stderr line says the same.
        said = capture("#{check} 2>/dev/null || true")
        failed = murder.events(said).find { |event| event["event"] == "failed" }
        found.synchronize { refusals << failed["message"] } if failed
      end
      unless refusals.empty?
        murder.stop_run((refusals.sort + ["(unsafe_please_delete=1 replaces what is there)"]).join("\n"))
      end
    end

    on murder.peers do |host|
      execute murder.command("mkdir", "-p", murder.temp_path)
      # A StringIO of its own per host: the hosts' uploads run in parallel.
      murder.upload_file(self, StringIO.new(torrent_bytes), murder.torrent(tag))
      words = murder.peer_words(host, tag, destination) + ["--json"] + murder.metrics_words("peer", tag) +
              murder.peer_filter_words + stall_words
      info "#{host}: #{murder.done_summary(capture(murder.command(words)))}"
    end
  end

  # stop_seeding and stop_all_seeding on the seeder, stop_peering and
  # stop_all_peering on the peers.
  {
    seeding: ["seed", -> { murder.seeder }, "seeding TAG", "every murder seeder"],
    peering: ["peer", -> { murder.peers }, "the background seeding of finished peers for TAG", "every murder peer process"]
  }.each do |name, (role, hosts, one, all)|
    desc "Stop #{one}"
    task :"stop_#{name}" do
      murder.stop_on(hosts.call, role, murder.require_tag)
    end

    desc "Stop #{all}"
    task :"stop_all_#{name}" do
      murder.stop_on(hosts.call, role)
    end
  end

  desc "Remove TEMP/TAG.tree (or TAG.tgz) and its .torrent from peers and seeder"
  task :clean_temp_files do
    tag = murder.require_tag
    on((murder.peers + [murder.seeder]).uniq) do
      execute murder.command("rm", "-rf", "--", murder.payload(tag), murder.torrent(tag))
    end
  end
end
