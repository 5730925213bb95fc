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

    def tag
      value = env_or_default("tag", :default_tag)
      stop_run "You must specify a 'tag' parameter to identify the transfer" if value.empty?
      stop_run "Tag cannot contain a / character" if value.include?("/")
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
        upload! StringIO.new(torrent_bytes), "#{Murder.murder_path}/torrents/#{tag}.torrent"
      end
    end

    # Starts `start` (a command) unless the pidfile names a running murder process.
    def start_unless_running(name, start)
      "#{command('mkdir', '-p', "#{murder_path}/run", "#{murder_path}/log", "#{murder_path}/torrents")} && " \
        "if #{command(program('murder_client'), 'status', pidfile(name))} >/dev/null 2>&1; " \
        "then echo already running; else #{start}; fi"
    end

    def stop(name_or_glob)
      # A glob is ours and constant; only the directory is quoted.
      if name_or_glob.include?("*")
        "#{command(program('murder_client'), 'stop')} #{Shellwords.escape("#{murder_path}/run")}/#{name_or_glob}.pid"
      else
        command(program("murder_client"), "stop", pidfile(name_or_glob))
      end
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
