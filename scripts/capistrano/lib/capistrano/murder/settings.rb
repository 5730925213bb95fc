# What a run of the murder: tasks works on: the tag, the paths, the options,
# read from the original's environment variables (`tag=Deploy1 cap ...`) with
# the `default_*` settings behind them. Messages marked "the original's words"
# are the Capistrano 2 gem's, word for word (typos too): people grep for them.

module Capistrano
  module Murder
    extend Capistrano::DSL  # fetch, set, roles, release_roles, on
    module_function

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

    # The transfer's tag, checked by murderctl's five rules (validate_tag); the
    # first two with the original's words. The tag names files (TEMP/TAG.tgz,
    # run/seed-TAG.pid) and, for a peer, the directory destination_path/TAG that
    # --replace may empty: '..' there is destination_path's parent. Anything
    # else, '*' and other shell characters included, is a usable name and
    # reaches the hosts quoted.
    #
    # As the original's require_tag did, sets :tag and :filename (the payload
    # on the hosts, TEMP/TAG.tgz; its torrent is "#{filename}.torrent") for the
    # hooks that run after the task.
    def require_tag
      value = env_or_default("tag", :default_tag)
      stop_run "You must specify a 'tag' parameter to identify the transfer" if value.empty?  # the original's words
      stop_run "Tag cannot contain a / character" if value.include?("/")                     # the original's words
      stop_run "Tag cannot contain a NUL byte" if value.include?("\0")
      stop_run "Tag cannot be '#{value}': it is not a usable name" if [".", ".."].include?(value)
      stop_run "Tag cannot be longer than 200 bytes (it has #{value.bytesize})" if value.bytesize > 200
      set :tag, value
      set :filename, payload(value)
      value
    end

    def files_path
      value = env_or_default("files_path", :default_seeder_files_path)
      if value.empty?
        # the original's words
        stop_run "You must specify a 'files_path' parameter with the directory on the seeder which " \
                 "contains the files to distribute"
      end
      value
    end

    def destination_path
      value = env_or_default("destination_path", :default_destination_path)
      if value.empty?
        # the original's words, "diectory" included
        stop_run "You must specify a 'destination_path' parameter with the directory in which to place " \
                 "transferred (and extract) files. Note that inside this directory, a new directory named by " \
                 "the tag will be created. It is inside of this second diectory that the files which the " \
                 "torrent was created from will be placed. To not create this second directory, pass in " \
                 "parameter 'no_tag_directory=1'"
      end
      value
    end

    def temp_path = env_or_default("temp_path", :default_temp_path)

    # How the release travels (`set :murder_transfer_mode`, ENV transfer_mode):
    # "tree" (the default) sends its files, so a host holding an earlier
    # release fetches only what changed; "tgz" sends one tarball, as the
    # original did. A single file (path_is_file) always goes as it is.
    def transfer_mode
      mode = env_or_default("transfer_mode", :murder_transfer_mode)
      mode = "tree" if mode.empty?
      stop_run "unknown transfer mode '#{mode}' (use tree or tgz)" unless %w[tree tgz].include?(mode)
      mode
    end

    def tree? = transfer_mode == "tree" && !flag?("path_is_file")
    def tree_words = tree? ? ["--tree"] : []

    # The earlier release a tree peer reuses: ENV base_tag (destination_path/TAG),
    # else `set :murder_base, DIR` (cap deploy sets it to current_path), else
    # murder_client's own choice among the destination's directories.
    def base_words
      return [] unless tree?
      base_tag = ENV["base_tag"].to_s
      return ["--base-tag", base_tag] unless base_tag.empty?
      base = fetch(:murder_base, "").to_s
      base.empty? ? [] : ["--base", base]
    end

    def payload(the_tag) = "#{temp_path}/#{the_tag}#{tree? ? '.tree' : '.tgz'}"
    def torrent(the_tag) = "#{payload(the_tag)}.torrent"

    # Through fetch every time: the default is a lambda over shared_path.
    def murder_path = fetch(:remote_murder_path).to_s
    def program(name) = "#{murder_path}/bin/#{name}"

    # `set :allowed_networks, [...]` as one comma-separated option value, or nil.
    def allowed_networks
      networks = Array(fetch(:allowed_networks, [])).map(&:to_s)
      networks.empty? ? nil : networks.join(",")
    end

    # `set :murder_metrics_dir, DIR`: murder_client keeps the run's figures in
    # DIR/murder_ROLE_TAG.prom (ROLE seed or peer), one file per role and tag,
    # for node-exporter's textfile collector. Unset or empty: no file.
    def metrics_words(role, the_tag)
      dir = fetch(:murder_metrics_dir, "").to_s
      dir.empty? ? [] : ["--metrics-file", "#{dir}/murder_#{role}_#{the_tag}.prom"]
    end

    # The --allow-peers words for murder_client (none when every address may
    # trade), and the rate caps (`set :max_upload_rate`, `:max_download_rate`,
    # kB/s; 0 or unset: none).
    def peer_filter_words
      words = allowed_networks ? ["--allow-peers", allowed_networks] : []
      %i[max_upload_rate max_download_rate].each do |cap|
        kbps = fetch(cap, 0).to_i
        words += ["--#{cap}", kbps.to_s] if kbps.positive?
      end
      words
    end

    # `set :murder_locations, { "dc1" => ["198.18.1.0/24"], "dc2" => "198.18.2.0/24" }`:
    # murder_tracker's --location NAME=CIDR,CIDR words, one pair per location
    # (none unset). Checked here, before any host is touched, by the tracker's
    # rules for names; murder_tracker checks the ranges themselves.
    def location_words
      locations = fetch(:murder_locations, nil) || {}
      stop_run "murder_locations must be a Hash of location name => CIDR or list of CIDRs, not " \
               "#{locations.class}" unless locations.is_a?(Hash)
      seen = []
      locations.flat_map do |key, value|
        name = key.to_s
        stop_run "murder_locations: location name '#{name}' must be letters, digits, '-', '_' or '.', " \
                 "and not 'elsewhere'" unless name.match?(/\A[A-Za-z0-9._-]+\z/) && name != "elsewhere"
        stop_run "murder_locations: location #{name} is given twice" if seen.include?(name)
        seen << name
        ranges = Array(value).map { |range| range.to_s.strip }.reject(&:empty?)
        stop_run "murder_locations: location #{name} has no address range" if ranges.empty?
        ["--location", "#{name}=#{ranges.join(',')}"]
      end
    end

    def stall_timeout_words
      value = env_or_default("stall_timeout", :stall_timeout)
      return [] if value.empty?
      stop_run "stall_timeout must be a number of seconds from 1 to 86400, not '#{value}'" unless
        value.match?(/\A[0-9]+\z/) && value.to_i.between?(1, 86_400)
      ["--stall-timeout", value]
    end
  end
end
