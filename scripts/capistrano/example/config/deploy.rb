set :application, "app"
set :deploy_to, "/srv/www/app"

# What to deploy (a directory on this machine) and where murder lives on hosts.
set :murder_source, "build/release"
set :remote_murder_path, "/opt/murder"
set :tracker_port, 8998
# set :murder_bundle, "/path/to/murder/build/murder-bundle.tar.gz"  # for murder:distribute_files

# Defaults for the murder: tasks when used on their own (ENV tag=..., etc. win).
set :default_destination_path, "/srv/data"
