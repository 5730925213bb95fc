#include "murder/tracker/swarm.hpp"

#include <algorithm>
#include <numeric>

namespace murder::tracker {

namespace ip = boost::asio::ip;

ip::address peer_entry::ip() const {
  if (!is_v6) return ip::address_v4({address[0], address[1], address[2], address[3]});
  return ip::address_v6(address);
}

void peer_entry::set_ip(const ip::address& raw) {
  ip::address a = raw;
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = ip::make_address_v4(ip::v4_mapped, a.to_v6());
  address.fill(0);
  is_v6 = a.is_v6();
  if (is_v6) {
    address = a.to_v6().to_bytes();
  } else {
    auto b = a.to_v4().to_bytes();
    std::copy(b.begin(), b.end(), address.begin());
  }
}

bool swarm::upsert(const peer_entry& peer) {
  auto [it, inserted] = index_.try_emplace(peer.id, static_cast<std::uint32_t>(peers_.size()));
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
  index_.erase(peers_[i].id);
  if (i + 1 != peers_.size()) {
    peers_[i] = peers_.back();
    index_[peers_[i].id] = static_cast<std::uint32_t>(i);
  }
  peers_.pop_back();
}

void swarm::remove(const peer_id& id) {
  auto it = index_.find(id);
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

std::vector<reply_peer> swarm::pick(size_t count, const peer_id& self, bool for_seed, std::mt19937_64& rng) const {
  // Self is skipped by position: one lookup instead of an id comparison per candidate.
  auto self_at = index_.find(self);
  const size_t self_index = self_at == index_.end() ? peers_.size() : self_at->second;
  auto wanted = [&](size_t i) { return i != self_index && !(for_seed && peers_[i].is_seed); };
  auto to_reply = [](const peer_entry& p) { return reply_peer{p.id, p.ip(), p.port}; };
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

announce_reply swarm_registry::announce(const announce_request& request, const ip::address& source, std::int64_t now) {
  announce_reply reply;
  reply.interval = limits_.interval;
  if (request.event == announce_event::stopped) {
    auto it = swarms_.find(request.hash);
    if (it != swarms_.end()) {
      it->second.remove(request.id);
      reply.complete = it->second.seeds();
      reply.incomplete = it->second.leechers();
      reply.downloaded = it->second.completed();
      if (it->second.size() == 0 && it->second.completed() == 0) swarms_.erase(it);
    }
    return reply;
  }
  swarm& s = swarms_[request.hash];
  peer_entry peer;
  peer.id = request.id;
  peer.set_ip(source);
  peer.port = request.port;
  peer.is_seed = request.left == 0;
  peer.last_seen = now;
  s.upsert(peer);
  if (request.event == announce_event::completed) s.add_completed();
  size_t want = std::min(static_cast<size_t>(request.numwant), limits_.max_reply_peers);
  reply.peers = s.pick(want, request.id, peer.is_seed, rng_);
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
    removed += it->second.expire(cutoff);
    // A swarm with no peers but completed downloads is kept for scrape counts.
    if (it->second.size() == 0 && it->second.completed() == 0) it = swarms_.erase(it);
    else ++it;
  }
  return removed;
}

size_t swarm_registry::peer_count() const {
  size_t n = 0;
  for (const auto& [h, s] : swarms_) n += s.size();
  return n;
}

}  // namespace murder::tracker
