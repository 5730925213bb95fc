# Every release server is a peer; the first is tracker and seeder unless you say
# otherwise with `role :tracker, ...` / `role :seeder, ...` / `role :peer, ...`.
server "web1.example.com", roles: %w[app web]
server "web2.example.com", roles: %w[app web]
server "web3.example.com", roles: %w[app]
# A host that only runs the tracker gets no release; no_release keeps
# Capistrano's own release steps off it too:
# server "tracker.example.com", roles: %w[tracker], no_release: true

set :ssh_options, user: "deploy", verify_host_key: :always
