# `cap STAGE deploy` through murder: the release leaves this machine once, for
# the seeder, and reaches every other server through the swarm, as the old
# `deploy_via :murder` strategy did. Install it in place of the git plugin:
#
#   require "capistrano/murder"
#   install_plugin Capistrano::Murder::SCM
#
#   set :murder_source, "build/release"   # the local directory to deploy (default ".")
#
# Capistrano's usual steps (linked files, symlink, cleanup) go on as before.

module Capistrano
  module Murder
    class SCM < ::Capistrano::SCM::Plugin
      def set_defaults
        set_if_empty :murder_source, "."
      end

      def define_tasks
        eval_rakefile File.expand_path("../tasks/murder_deploy.rake", __dir__)
      end

      def register_hooks
        before "deploy:check", "murder:check"
        after "deploy:new_release_path", "murder:create_release"
        before "deploy:set_current_revision", "murder:set_current_revision"
      end
    end
  end
end
