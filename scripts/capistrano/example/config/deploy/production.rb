# Every release server is a peer; the first is tracker and seeder unless you say
# otherwise with `role :tracker, ...` / `role :seeder, ...` / `role :peer, ...`.
server "web1.example.com", roles: %w[app web]
server "web2.example.com", roles: %w[app web]
server "web3.example.com", roles: %w[app]

set :ssh_options, user: "deploy", verify_host_key: :always
