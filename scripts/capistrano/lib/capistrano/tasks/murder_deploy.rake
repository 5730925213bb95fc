# The tasks behind Capistrano::Murder::SCM. The lines create_release prints are
# the old deploy_via :murder strategy's, word for word.
require "tmpdir"

murder = Capistrano::Murder

namespace :murder do
  task :check do
    source = fetch(:murder_source)
    murder.stop_run "murder_source #{source} is not a directory" unless File.directory?(source)
    murder.location_words  # a bad :murder_locations stops here, not after the upload to the seeder
    # Before any host is touched: Capistrano's later steps would fail there on
    # a release that never came.
    missed = murder.release_servers_outside_swarm
    unless missed.empty?
      murder.stop_run(missed.map do |server|
        "#{server.hostname} is a release server but not a murder peer, so no release would reach it: " \
          "give it `no_release: true` (a tracker or seeder only) or the peer role"
      end.join("\n"))
    end
  end

  desc "Send the release to the seeder once, then to every release server through the swarm"
  task :create_release do
    # The murder: tasks read tag and destination_path from the environment, as
    # the original's did; with the release's name as tag and releases/ as the
    # destination, peers extract straight into release_path.
    ENV["tag"] = File.basename(release_path.to_s)
    ENV["destination_path"] = releases_path.to_s
    ENV.delete("no_tag_directory")
    ENV.delete("path_is_file")
    tag = murder.require_tag
    # A tree deploy reuses the release `current` points to on each server.
    set :murder_base, current_path.to_s
    Dir.mktmpdir("murder-release") do |dir|
      archive = File.join(dir, "#{tag}.tgz")
      packed = system("tar", "-czf", archive, "--exclude=.git*", "-C", fetch(:murder_source), ".")
      murder.stop_run "cannot pack #{fetch(:murder_source)} into #{archive}" unless packed
      on murder.seeder do
        execute murder.command("mkdir", "-p", murder.temp_path)
        puts "Uploading release to seeder..."
        if murder.tree?
          murder.make_tree_torrent_from_archive(self, archive, tag)
        else
          murder.upload_file(self, archive, murder.payload(tag))
          puts "Creating torrent..."
          execute murder.command(murder.program("murder_make_torrent"), murder.payload(tag), murder.tracker_words,
                                 murder.torrent(tag))
        end
      end
    end
    invoke "murder:download_torrent"
    murder.register_with_trackers(tag, murder.read_local_torrent(tag))
    peered = false
    begin
      puts "Starting seeding..."
      invoke "murder:start_tracker"
      invoke "murder:start_seeding"
      puts "Peering..."
      invoke "murder:peer"
      peered = true
    ensure
      # Whatever happened, nothing of murder's is left running.
      puts "Done. Killing seeding and all peering..." if peered
      %w[stop_peering stop_seeding stop_tracker clean_temp_files].each do |task|
        puts "Cleaning temp files..." if peered && task == "clean_temp_files"
        begin
          invoke "murder:#{task}"
        rescue StandardError => e
          warn "murder:#{task} failed: #{e.message}"
        end
      end
    end
    puts "THANK YOU FOR USING MURDER, HAVE A NICE DAY"
  end

  task :set_current_revision do
    set :current_revision, File.basename(release_path.to_s)
  end
end
