#pragma once
// Swarm state: which peers are in which torrent's swarm, as the tracker knows it.
//
// Time is passed in (seconds on any monotonic scale) rather than read from a
// clock, so expiry is tested without waiting. Each swarm keeps its peers in a
// vector with an index by peer key: an announce is O(1), and a reply walks the
// vector from a random start with a random stride, O(reply size) however large
// the swarm and without allocating.
//
// A peer is known by its peer id *and* the address its announces come from (the
// connection's, never the `ip=` parameter). Replies with compact=0 show every
// peer's id, so an id alone proves nothing: an announce that reuses a known id
// from another address is a separate peer, and can neither move nor stop
// (`event=stopped`) the first one. A peer whose address really changed is seen
// twice until its old entry times out; a client never connects to itself, so
// the stale twin costs one failed connection at most. Peers behind one NAT
// share an address and so still trust each other with their ids.

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <unordered_map>
#include <vector>

#include "murder/tracker/announce.hpp"
#include "murder/core/locations.hpp"

namespace murder::tracker {

// An IP address as a peer entry stores it: IPv4 in the first 4 bytes, and an
// IPv4-mapped IPv6 address stored as the IPv4 address it maps.
struct stored_address {
  std::array<unsigned char, 16> bytes{};
  bool is_v6 = false;

  static stored_address from(const boost::asio::ip::address& a);
  boost::asio::ip::address ip() const;
  friend bool operator==(const stored_address& a, const stored_address& b) {
    return a.is_v6 == b.is_v6 && a.bytes == b.bytes;
  }
};

// Who a peer is (see above): its id and the address it announces from.
struct peer_key {
  peer_id id;
  stored_address source;
  friend bool operator==(const peer_key& a, const peer_key& b) { return a.id == b.id && a.source == b.source; }
};

struct peer_key_hash {
  size_t operator()(const peer_key& key) const noexcept;
};

inline constexpr std::uint64_t unknown_left = UINT64_MAX;

struct peer_entry {
  peer_key key;
  stored_address address;  // where other peers are told to connect (`ip=`, else the source)
  bool is_seed = false;
  location_id location = no_location;  // of `address` (locations.hpp)
  std::uint16_t port = 0;
  std::int64_t last_seen = 0;
  // When `left` last went down (or the peer was first seen): a leecher whose
  // progress is older than a few announce intervals is stalled.
  std::int64_t progressed_at = 0;
  // As the peer last reported them (`left` is unknown_left for a peer read
  // from the state file until it announces).
  std::uint64_t left = 0;
  std::uint64_t uploaded = 0;
  std::uint64_t downloaded = 0;
};

// Where each peer of a swarm is in the swarm's vector, by peer key: open
// addressing with linear probing over 32-bit positions, at most half full.
// The keys themselves live only in the vector, so a peer costs 8-16 bytes here
// instead of an unordered_map node and bucket (~70 bytes): the tracker holds a
// million peers in its memory bound.
class peer_index {
 public:
  static constexpr std::uint32_t none = UINT32_MAX;
  std::uint32_t find(const peer_key& key, const std::vector<peer_entry>& peers) const;
  // Indexes peers[position], which must not be indexed yet.
  void insert(std::uint32_t position, const std::vector<peer_entry>& peers);
  // Forgets peers[position] (still in the vector).
  void erase(std::uint32_t position, const std::vector<peer_entry>& peers);
  // peers[from] is about to move to `to`.
  void move(std::uint32_t from, std::uint32_t to, const std::vector<peer_entry>& peers);

 private:
  size_t slot_of(std::uint32_t position, const std::vector<peer_entry>& peers) const;
  void place(std::uint32_t position, const std::vector<peer_entry>& peers);

  std::vector<std::uint32_t> slots_;  // position + 1; 0 is empty
  size_t used_ = 0;
};

// What a swarm's peers have reported, added up since the tracker started.
struct swarm_totals {
  std::uint64_t uploaded = 0;    // each peer's growth in `uploaded`
  std::uint64_t downloaded = 0;  // each peer's growth in `downloaded`
};

class swarm {
 public:
  // Adds or refreshes a peer; returns true if it was new. Keeps the peer's
  // `progressed_at` unless its `left` went down, and adds its growth in
  // uploaded/downloaded to the totals.
  bool upsert(const peer_entry& peer);
  void remove(const peer_key& key);
  // Drops peers last seen before `cutoff`; returns how many went.
  size_t expire(std::int64_t cutoff);
  // Up to `count` peers other than `self`, in a random order. A seed
  // asking is only given leechers: seeds have nothing to offer each other.
  // With `only`, only peers in that location: the walk then skips the
  // others, so a small location in a large swarm costs up to the swarm's
  // size (fleets with locations are thousands of hosts, not millions).
  std::vector<reply_peer> pick(size_t count, const peer_key& self, bool for_seed, std::mt19937_64& rng,
                               std::optional<location_id> only = std::nullopt) const;
  // Whether `key` (already upserted) is one of the `per_location` gateways of
  // its location (the peers that trade with other locations), appointing it
  // when its location has fewer. The first to announce from a location is
  // appointed; a gateway that leaves is replaced by the next peer of its
  // location to announce; one that was a seed when appointed (the seeder), or
  // a downloading one whose progress is older than `stalled_before`, by the
  // next downloader of its location to announce.
  bool is_gateway(const peer_key& key, location_id location, size_t per_location, std::int64_t stalled_before);
  // The gateways of every location but `location`, as reply peers (seeds left
  // out when `for_seed`).
  std::vector<reply_peer> remote_gateways(location_id location, bool for_seed) const;
  const peer_entry* find(const peer_key& key) const;

  int seeds() const { return seeds_; }
  int leechers() const { return static_cast<int>(peers_.size()) - seeds_; }
  int completed() const { return completed_; }
  void add_completed(int n = 1) { completed_ += n; }
  size_t size() const { return peers_.size(); }
  const std::vector<peer_entry>& peers() const { return peers_; }
  // When anyone last announced to this swarm (or it was loaded from the state file).
  std::int64_t last_active() const { return last_active_; }
  void touch(std::int64_t now) { last_active_ = now; }
  const swarm_totals& totals() const { return totals_; }
  // Notes the totals at `now` (the tracker does every few seconds; a minute
  // of notes is kept).
  void note_totals(std::int64_t now);
  // Bytes a second the swarm downloaded (as its peers report) from the oldest
  // note of the last `window` seconds, or the newest older one, until `now`.
  double download_rate(std::int64_t now, std::int64_t window = 30) const;

 private:
  void erase_at(size_t index);

  std::vector<peer_entry> peers_;
  peer_index index_;
  int seeds_ = 0;
  int completed_ = 0;
  std::int64_t last_active_ = 0;
  swarm_totals totals_;
  struct totals_note {
    std::int64_t at = 0;
    std::uint64_t downloaded = 0;
  };
  std::vector<totals_note> notes_;  // oldest first, a minute at most
  struct gateway {
    peer_key key;
    bool was_seed = false;  // when appointed
  };
  std::vector<std::vector<gateway>> gateways_;  // by location
};

struct registry_limits {
  int interval = 15;              // seconds between announces we ask for
  size_t max_reply_peers = 500;   // --response_size
  std::int64_t peer_timeout = 120;  // a peer silent this long is dropped
  // --max_swarms: most swarms held at once. An open tracker (no allowed list or
  // directory) makes a swarm for any info-hash announced; this bounds memory and
  // the state file against announces of made-up hashes.
  size_t max_swarms = 10000;
  // Peers with a location (--location) are answered with peers of their own
  // location; this many per location (--location_gateways) also get the
  // gateways of the other locations, so that about one copy crosses to each.
  locations where;
  size_t gateways_per_location = 1;
};

// Seconds without progress after which a downloading peer counts as stalled:
// two announce intervals and a margin (the status page, gateways).
std::int64_t stall_seconds(const registry_limits& limits);

// All swarms of the tracker.
//
// A swarm whose peers have all gone keeps its completed count (for scrape) until
// `peer_timeout` after its last announce, then goes: a swarm of nothing but a
// count no longer lives forever. A new info-hash beyond `max_swarms` is refused
// (see announce) rather than evicting a live swarm; peerless swarms free their
// slots within one `peer_timeout`.
class swarm_registry {
 public:
  explicit swarm_registry(registry_limits limits, std::uint64_t seed = std::random_device{}())
      : limits_(limits), rng_(seed) {}

  // Records the announce of a peer connecting from `remote` and builds the reply.
  // The peer is keyed by (request.id, remote) and advertised at `request.ip` when
  // set (the caller vets it), else at `remote`. Returns nullopt, recording
  // nothing, when the announce would start a swarm beyond `max_swarms`.
  std::optional<announce_reply> announce(const announce_request& request, const boost::asio::ip::address& remote,
                                         std::int64_t now);

  // Scrape entries for `hashes` (all swarms when empty), sorted by info-hash.
  std::vector<scrape_entry> scrape(const std::vector<info_hash>& hashes) const;

  // Drops silent peers and swarms left with nothing to tell (see above);
  // returns the number of peers dropped.
  size_t expire(std::int64_t now);

  // Puts back a swarm read from the state file, replacing one of the same hash.
  // Returns false, changing nothing, when that would pass `max_swarms`.
  bool restore(const info_hash& h, swarm s);

  // Notes every swarm's totals (swarm::note_totals).
  void note_totals(std::int64_t now);

  // Drops every swarm for which `keep` is false; returns how many went.
  size_t drop_swarms_unless(const std::function<bool(const info_hash&)>& keep);

  const std::unordered_map<info_hash, swarm, id20_hash>& swarms() const { return swarms_; }
  // The swarm of `h`, made if absent whatever `max_swarms` says (for tests and tools).
  swarm& swarm_for(const info_hash& h) { return swarms_[h]; }
  size_t peer_count() const;
  const registry_limits& limits() const { return limits_; }

 private:
  registry_limits limits_;
  std::unordered_map<info_hash, swarm, id20_hash> swarms_;
  std::mt19937_64 rng_;
};

}  // namespace murder::tracker
