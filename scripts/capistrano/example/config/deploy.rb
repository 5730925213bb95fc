set :application, "app"
set :deploy_to, "/srv/www/app"

# What to deploy: a directory on this machine.
set :murder_source, "build/release"
# Where murder lives on the hosts; the default is deploy_to's shared/murder.
# set :remote_murder_path, "/opt/murder"
set :tracker_port, 8998
# What murder:distribute_files installs there (murder's scripts/build makes it).
set :murder_bundle, "/path/to/murder/build/murder-bundle.tar.gz"

# Defaults for the murder: tasks when used on their own (ENV tag=..., etc. win).
set :default_destination_path, "/srv/data"
