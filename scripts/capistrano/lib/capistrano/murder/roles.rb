# The murder roles and the original's defaults for them. Capistrano's roles()
# lists every server of a role whatever HOSTS/ROLES say (only `on` filters),
# so "no server has the peer role" is what an empty roles(:peer) means.

module Capistrano
  module Murder
    module_function

    # The roles that make a server a murder host but, alone, not a peer.
    MURDER_ROLES = %i[peer tracker seeder].freeze

    # The `peer` role, or else, as in the original, every release server (no
    # `no_release: true`) that has a role of its own besides these: a server
    # that only runs the tracker or the seeder downloads nothing.
    def peers
      explicit = roles(:peer)
      return explicit unless explicit.empty?
      release_roles(:all).reject { |server| (server.roles.to_a - MURDER_ROLES).empty? }
    end

    def first_peer
      peers.first ||
        stop_run("No murder peers: give servers a role besides tracker and seeder (e.g. app), or the peer role")
    end

    def trackers
      explicit = roles(:tracker)
      explicit.empty? ? [first_peer] : explicit
    end

    def seeder = roles(:seeder).first || first_peer

    # Release servers that are no peer: `cap deploy` would run Capistrano's
    # release steps there, but no release would reach them through the swarm.
    def release_servers_outside_swarm = release_roles(:all) - peers

    def tracker_address(host) = "#{host.hostname}:#{fetch(:tracker_port)}"

    # murder_make_torrent's tracker words: the first tracker, then each backup.
    def tracker_words
      first, *backups = trackers
      [tracker_address(first)] + backups.flat_map { |host| ["--tracker", tracker_address(host)] }
    end
  end
end
