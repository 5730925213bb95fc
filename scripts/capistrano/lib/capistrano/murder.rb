# murder for Capistrano 3 (the capistrano-murder gem): the `murder:` tasks of
# the original gem, running the murder programs (the C++ re-creation) on your
# hosts through Capistrano's own roles and SSH. In a Capfile:
#
#   require "capistrano/murder"
#
# and, to make `cap STAGE deploy` move the release through murder instead of a
# per-host checkout (the old `deploy_via :murder`), in place of the git plugin:
#
#   install_plugin Capistrano::Murder::SCM
#
# Requiring this file defines the murder: tasks only; the deploy hooks come
# with install_plugin.
#
# Roles: `tracker`, `seeder`, `peer`. Unset, `peer` is every release server
# with a role besides `tracker` and `seeder`, and `tracker` and `seeder` are
# the first peer, as in the original. More than one `tracker` host: the first
# is the torrent's tracker, the others are backups. `set :allowed_networks,
# %w[10.0.0.0/8]` lets only those networks announce or trade data; ENV
# `stall_timeout` (or `set :stall_timeout`) bounds a stalled peer.

require "capistrano/scm/plugin"
require_relative "murder/settings"
require_relative "murder/roles"
require_relative "murder/remote"
require_relative "murder/events"
require_relative "murder/local_files"
require_relative "murder/scm"

namespace :load do
  task :defaults do
    # In the application's shared directory, as in the original; a lambda, so
    # deploy_to is read when a task runs, after the stage has set it.
    set_if_empty :remote_murder_path, -> { shared_path.join("murder").to_s }
    set_if_empty :default_temp_path, "/tmp"
    set_if_empty :default_tag, ""
    set_if_empty :default_seeder_files_path, ""
    set_if_empty :default_destination_path, ""
    set_if_empty :tracker_port, 8998
    set_if_empty :allowed_networks, []
    set_if_empty :stall_timeout, ""
    set_if_empty :max_upload_rate, 0     # kB/s for the seeder and every peer; 0: no cap
    set_if_empty :max_download_rate, 0
    # Location name => CIDR or list of CIDRs, for murder_tracker --location: peers
    # get peers mostly from their own location. Empty: none.
    set_if_empty :murder_locations, {}
    # A directory on each host for murder_client --metrics-file (murder_ROLE_TAG.prom,
    # for node-exporter's textfile collector); "": none.
    set_if_empty :murder_metrics_dir, ""
    # The murder-bundle.tar.gz that murder's scripts/build makes; only
    # murder:distribute_files needs it.
    set_if_empty :murder_bundle, ""
  end
end

load File.expand_path("tasks/murder.rake", __dir__)
