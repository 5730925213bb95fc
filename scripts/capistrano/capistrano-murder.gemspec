# The capistrano-murder gem: murder's Capistrano 3 plugin. Build it from a
# murder checkout (the version is murder's own, from the top CMakeLists.txt):
#
#   gem build -C scripts/capistrano capistrano-murder.gemspec -o capistrano-murder.gem

cmake_lists = File.expand_path("../../CMakeLists.txt", __dir__)
murder_version = File.read(cmake_lists)[/^project\(murder VERSION ([0-9]+\.[0-9]+\.[0-9]+)/, 1] or
  raise "no 'project(murder VERSION x.y.z' line in #{cmake_lists}: build the gem from a murder checkout"

Gem::Specification.new do |spec|
  spec.name = "capistrano-murder"
  spec.version = murder_version
  spec.summary = "Capistrano 3 tasks for murder: deploy to many servers at once over BitTorrent"
  spec.description = "The murder: tasks of Twitter's murder gem for Capistrano 3, running the C++ murder " \
                     "programs, and Capistrano::Murder::SCM, which makes `cap deploy` send the release " \
                     "through a BitTorrent swarm."
  spec.authors = ["murder contributors"]
  spec.license = "Apache-2.0"
  spec.required_ruby_version = ">= 3.0"
  spec.files = Dir.glob("lib/**/*.{rb,rake}", base: __dir__).sort
  spec.require_paths = ["lib"]
  spec.add_runtime_dependency "capistrano", "~> 3.0"
end
