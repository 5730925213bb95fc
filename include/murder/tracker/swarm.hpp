#pragma once
// Swarm state: which peers are in which torrent's swarm, as the tracker knows it.
//
// Time is passed in (seconds on any monotonic scale) rather than read from a
// clock, so expiry is tested without waiting. Each swarm keeps its peers in a
// vector with an index by peer id: an announce is O(1), and a reply walks the
// vector from a random start with a random stride, O(reply size) however large
// the swarm and without allocating.

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <random>
#include <unordered_map>
#include <vector>

#include "murder/tracker/announce.hpp"

namespace murder::tracker {

struct peer_entry {
  peer_id id;
  std::array<unsigned char, 16> address{};  // IPv4 in the first 4 bytes
  bool is_v6 = false;
  bool is_seed = false;
  std::uint16_t port = 0;
  std::int64_t last_seen = 0;

  boost::asio::ip::address ip() const;
  void set_ip(const boost::asio::ip::address& a);
};

class swarm {
 public:
  // Adds or refreshes a peer; returns true if it was new.
  bool upsert(const peer_entry& peer);
  void remove(const peer_id& id);
  // Drops peers last seen before `cutoff`; returns how many went.
  size_t expire(std::int64_t cutoff);
  // Up to `count` peers other than `self`, in a random order. A seed
  // asking is only given leechers: seeds have nothing to offer each other.
  std::vector<reply_peer> pick(size_t count, const peer_id& self, bool for_seed, std::mt19937_64& rng) const;

  int seeds() const { return seeds_; }
  int leechers() const { return static_cast<int>(peers_.size()) - seeds_; }
  int completed() const { return completed_; }
  void add_completed(int n = 1) { completed_ += n; }
  size_t size() const { return peers_.size(); }
  const std::vector<peer_entry>& peers() const { return peers_; }

 private:
  void erase_at(size_t index);

  std::vector<peer_entry> peers_;
  std::unordered_map<peer_id, std::uint32_t, id20_hash> index_;
  int seeds_ = 0;
  int completed_ = 0;
};

struct registry_limits {
  int interval = 15;              // seconds between announces we ask for
  size_t max_reply_peers = 500;   // --response_size
  std::int64_t peer_timeout = 120;  // a peer silent this long is dropped
};

// All swarms of the tracker.
class swarm_registry {
 public:
  explicit swarm_registry(registry_limits limits, std::uint64_t seed = std::random_device{}())
      : limits_(limits), rng_(seed) {}

  // Records the announce from `source` (the peer's address: the request's `ip=`
  // if the caller accepted it, else the connection's) and builds the reply.
  announce_reply announce(const announce_request& request, const boost::asio::ip::address& source, std::int64_t now);

  // Scrape entries for `hashes` (all swarms when empty), sorted by info-hash.
  std::vector<scrape_entry> scrape(const std::vector<info_hash>& hashes) const;

  size_t expire(std::int64_t now);

  const std::unordered_map<info_hash, swarm, id20_hash>& swarms() const { return swarms_; }
  swarm& swarm_for(const info_hash& h) { return swarms_[h]; }
  size_t peer_count() const;
  const registry_limits& limits() const { return limits_; }

 private:
  registry_limits limits_;
  std::unordered_map<info_hash, swarm, id20_hash> swarms_;
  std::mt19937_64 rng_;
};

}  // namespace murder::tracker
