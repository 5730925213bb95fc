#include "murder/tracker/swarm.hpp"

#include <algorithm>
#include <cstring>
#include <numeric>

namespace murder::tracker {

namespace ip = boost::asio::ip;

stored_address stored_address::from(const ip::address& raw) {
  ip::address a = raw;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  stored_address out;
  out.is_v6 = a.is_v6();
  if (out.is_v6) {
    out.bytes = a.to_v6().to_bytes();
  } else {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), out.bytes.begin());
  }
  return out;
}

ip::address stored_address::ip() const {
  if (!is_v6) return ip::address_v4({bytes[0], bytes[1], bytes[2], bytes[3]});
  return ip::address_v6(bytes);
}

size_t peer_key_hash::operator()(const peer_key& key) const noexcept {
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, key.source.bytes.data(), 8);
  std::memcpy(&b, key.source.bytes.data() + 8, 8);
  std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (key.source.is_v6 ? 1u : 0u)) * 0xBF58476D1CE4E5B9ull;
  return id20_hash{}(key.id) ^ static_cast<size_t>(h ^ (h >> 29));
}

bool swarm::upsert(const peer_entry& peer) {
  auto [it, inserted] = index_.try_emplace(peer.key, static_cast<std::uint32_t>(peers_.size()));
  if (inserted) {
    peers_.push_back(peer);
    seeds_ += peer.is_seed ? 1 : 0;
    return true;
  }
  peer_entry& existing = peers_[it->second];
  seeds_ += (peer.is_seed ? 1 : 0) - (existing.is_seed ? 1 : 0);
  existing = peer;
  return false;
}

void swarm::erase_at(size_t i) {
  seeds_ -= peers_[i].is_seed ? 1 : 0;
  index_.erase(peers_[i].key);
  if (i + 1 != peers_.size()) {
    peers_[i] = peers_.back();
    index_[peers_[i].key] = static_cast<std::uint32_t>(i);
  }
  peers_.pop_back();
}

void swarm::remove(const peer_key& key) {
  auto it = index_.find(key);
  if (it != index_.end()) erase_at(it->second);
}

size_t swarm::expire(std::int64_t cutoff) {
  size_t removed = 0;
  for (size_t i = peers_.size(); i-- > 0;) {
    if (peers_[i].last_seen < cutoff) {
      erase_at(i);
      ++removed;
    }
  }
  return removed;
}

std::vector<reply_peer> swarm::pick(size_t count, const peer_key& self, bool for_seed, std::mt19937_64& rng) const {
  // Self is skipped by position: one lookup instead of a key comparison per candidate.
  auto self_at = index_.find(self);
  const size_t self_index = self_at == index_.end() ? peers_.size() : self_at->second;
  auto wanted = [&](size_t i) { return i != self_index && !(for_seed && peers_[i].is_seed); };
  auto to_reply = [](const peer_entry& p) { return reply_peer{p.key.id, p.address.ip(), p.port}; };
  std::vector<reply_peer> out;
  size_t candidates = for_seed ? static_cast<size_t>(leechers()) : peers_.size();
  if (count == 0 || candidates == 0) return out;
  // Walk the peers from a random start with a random stride coprime to their
  // number: that visits each position once, in an order that differs for every
  // reply, with no allocation beyond the reply. Rejections (self, or seeds for
  // a seed) are skipped.
  out.reserve(std::min(count, candidates));
  const size_t n = peers_.size();
  std::uniform_int_distribution<size_t> pick_index(0, n - 1);
  size_t at = pick_index(rng);
  size_t stride = 1;
  for (int tries = 0; n > 2 && tries < 16; ++tries) {
    size_t s = 1 + pick_index(rng) % (n - 1);
    if (std::gcd(s, n) == 1) {
      stride = s;
      break;
    }
  }
  for (size_t visited = 0; visited < n && out.size() < count; ++visited, at = (at + stride) % n) {
    if (wanted(at)) out.push_back(to_reply(peers_[at]));
  }
  return out;
}

std::optional<announce_reply> swarm_registry::announce(const announce_request& request, const ip::address& remote,
                                                      std::int64_t now) {
  announce_reply reply;
  reply.interval = limits_.interval;
  const peer_key key{request.id, stored_address::from(remote)};
  auto it = swarms_.find(request.hash);
  if (request.event == announce_event::stopped) {
    if (it != swarms_.end()) {
      it->second.remove(key);
      it->second.touch(now);
      reply.complete = it->second.seeds();
      reply.incomplete = it->second.leechers();
      reply.downloaded = it->second.completed();
      if (it->second.size() == 0 && it->second.completed() == 0) swarms_.erase(it);
    }
    return reply;
  }
  if (it == swarms_.end()) {
    if (swarms_.size() >= limits_.max_swarms) return std::nullopt;
    it = swarms_.try_emplace(request.hash).first;
  }
  swarm& s = it->second;
  peer_entry peer;
  peer.key = key;
  peer.address = request.ip ? stored_address::from(*request.ip) : key.source;
  peer.port = request.port;
  peer.is_seed = request.left == 0;
  peer.last_seen = now;
  s.upsert(peer);
  s.touch(now);
  if (request.event == announce_event::completed) s.add_completed();
  size_t want = std::min(static_cast<size_t>(request.numwant), limits_.max_reply_peers);
  reply.peers = s.pick(want, key, peer.is_seed, rng_);
  reply.complete = s.seeds();
  reply.incomplete = s.leechers();
  reply.downloaded = s.completed();
  return reply;
}

std::vector<scrape_entry> swarm_registry::scrape(const std::vector<info_hash>& hashes) const {
  std::vector<scrape_entry> out;
  auto add = [&](const info_hash& h, const swarm& s) {
    out.push_back({h, s.seeds(), s.completed(), s.leechers()});
  };
  if (hashes.empty()) {
    for (const auto& [h, s] : swarms_) add(h, s);
  } else {
    for (const auto& h : hashes) {
      auto it = swarms_.find(h);
      if (it != swarms_.end()) add(h, it->second);
      else out.push_back({h, 0, 0, 0});
    }
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.hash < b.hash; });
  out.erase(std::unique(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.hash == b.hash; }), out.end());
  return out;
}

size_t swarm_registry::expire(std::int64_t now) {
  size_t removed = 0;
  std::int64_t cutoff = now - limits_.peer_timeout;
  for (auto it = swarms_.begin(); it != swarms_.end();) {
    swarm& s = it->second;
    removed += s.expire(cutoff);
    // A peerless swarm's completed count stays for scrape a while, not forever:
    // made-up info-hashes announced once with event=completed would pile up.
    bool spent = s.size() == 0 && (s.completed() == 0 || s.last_active() < cutoff);
    if (spent) it = swarms_.erase(it);
    else ++it;
  }
  return removed;
}

bool swarm_registry::restore(const info_hash& h, swarm s) {
  auto it = swarms_.find(h);
  if (it != swarms_.end()) {
    it->second = std::move(s);
    return true;
  }
  if (swarms_.size() >= limits_.max_swarms) return false;
  swarms_.emplace(h, std::move(s));
  return true;
}

size_t swarm_registry::drop_swarms_unless(const std::function<bool(const info_hash&)>& keep) {
  size_t dropped = 0;
  for (auto it = swarms_.begin(); it != swarms_.end();) {
    if (keep(it->first)) {
      ++it;
    } else {
      it = swarms_.erase(it);
      ++dropped;
    }
  }
  return dropped;
}

size_t swarm_registry::peer_count() const {
  size_t n = 0;
  for (const auto& [h, s] : swarms_) n += s.size();
  return n;
}

}  // namespace murder::tracker
