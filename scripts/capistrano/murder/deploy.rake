# The tasks behind Capistrano::Murder::SCM.
require "tmpdir"

namespace :murder do
  task :check do
    source = fetch(:murder_source)
    M.stop_run "murder_source #{source} is not a directory" unless File.directory?(source)
  end

  desc "Send the release to the seeder once, then to every release server through the swarm"
  task :create_release do
    # The murder: tasks read tag and destination_path from the environment, as
    # the original's did; with the release's name as tag and releases/ as the
    # destination, peers extract straight into release_path.
    tag = File.basename(release_path.to_s)
    ENV["tag"] = tag
    ENV["destination_path"] = releases_path.to_s
    ENV.delete("no_tag_directory")
    ENV.delete("path_is_file")
    Dir.mktmpdir("murder-release") do |dir|
      archive = File.join(dir, "#{tag}.tgz")
      packed = system("tar", "-czf", archive, "--exclude=.git*", "-C", fetch(:murder_source), ".")
      M.stop_run "cannot pack #{fetch(:murder_source)} into #{archive}" unless packed
      on M.seeder do
        execute M.command("mkdir", "-p", M.temp_path)
        M.upload_file(self, archive, M.payload(tag))
        execute M.command(M.program("murder_make_torrent"), M.payload(tag), M.tracker_words, M.torrent(tag))
      end
    end
    invoke "murder:download_torrent"
    M.register_with_trackers(tag, M.read_local_torrent(tag))
    begin
      %w[start_tracker start_seeding peer].each { |task| invoke "murder:#{task}" }
    ensure
      # Whatever happened, nothing of murder's is left running.
      %w[stop_peering stop_seeding stop_tracker clean_temp_files].each do |task|
        begin
          invoke "murder:#{task}"
        rescue StandardError => e
          warn "murder:#{task} failed: #{e.message}"
        end
      end
    end
  end

  task :set_current_revision do
    set :current_revision, File.basename(release_path.to_s)
  end
end
