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
  // Seeded per process: a client choosing peer ids cannot aim them all at
  // one probe run of a swarm's index.
  static const std::uint64_t seed = (std::uint64_t{std::random_device{}()} << 32) | std::random_device{}();
  std::uint64_t a = 0, b = 0;
  std::memcpy(&a, key.source.bytes.data(), 8);
  std::memcpy(&b, key.source.bytes.data() + 8, 8);
  std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (key.source.is_v6 ? 1u : 0u)) * 0xBF58476D1CE4E5B9ull;
  const std::uint64_t mixed = (id20_hash{}(key.id) ^ static_cast<size_t>(h ^ (h >> 29)) ^ seed) * 0x94D049BB133111EBull;
  return static_cast<size_t>(mixed ^ (mixed >> 31));
}

namespace {

size_t hash_of(const peer_key& key) {
  return peer_key_hash{}(key);
}

// Adds what a reported counter grew by, saturating: announces carry any
// 64-bit number a client likes.
void add_growth(std::uint64_t& total, std::uint64_t before, std::uint64_t now) {
  if (now <= before) return;
  const std::uint64_t growth = now - before;
  total = growth > UINT64_MAX - total ? UINT64_MAX : total + growth;
}

}  // namespace

std::uint32_t peer_index::find(const peer_key& key, const std::vector<peer_entry>& peers) const {
  if (slots_.empty()) return none;
  const size_t mask = slots_.size() - 1;
  for (size_t at = hash_of(key) & mask;; at = (at + 1) & mask) {
    if (slots_[at] == 0) return none;
    if (peers[slots_[at] - 1].key == key) return slots_[at] - 1;
  }
}

size_t peer_index::slot_of(std::uint32_t position, const std::vector<peer_entry>& peers) const {
  const size_t mask = slots_.size() - 1;
  size_t at = hash_of(peers[position].key) & mask;
  while (slots_[at] != position + 1) at = (at + 1) & mask;
  return at;
}

void peer_index::place(std::uint32_t position, const std::vector<peer_entry>& peers) {
  const size_t mask = slots_.size() - 1;
  size_t at = hash_of(peers[position].key) & mask;
  while (slots_[at] != 0) at = (at + 1) & mask;
  slots_[at] = position + 1;
}

void peer_index::insert(std::uint32_t position, const std::vector<peer_entry>& peers) {
  ++used_;
  if (used_ * 2 > slots_.size()) {
    // Grow and place every indexed peer again; positions below `position`
    // are the indexed ones (a new peer is always the vector's last).
    slots_.assign(std::max<size_t>(16, slots_.size() * 2), 0);
    for (std::uint32_t p = 0; p < position; ++p) place(p, peers);
  }
  place(position, peers);
}

void peer_index::erase(std::uint32_t position, const std::vector<peer_entry>& peers) {
  const size_t mask = slots_.size() - 1;
  size_t hole = slot_of(position, peers);
  slots_[hole] = 0;
  --used_;
  // Backward shift: pull later entries of the probe run into the hole when
  // their home slot does not lie cyclically in (hole, at].
  for (size_t at = (hole + 1) & mask; slots_[at] != 0; at = (at + 1) & mask) {
    const size_t home = hash_of(peers[slots_[at] - 1].key) & mask;
    const bool stays = hole < at ? (hole < home && home <= at) : (hole < home || home <= at);
    if (stays) continue;
    slots_[hole] = slots_[at];
    slots_[at] = 0;
    hole = at;
  }
}

void peer_index::move(std::uint32_t from, std::uint32_t to, const std::vector<peer_entry>& peers) {
  slots_[slot_of(from, peers)] = to + 1;
}

bool swarm::upsert(const peer_entry& peer) {
  const std::uint32_t at = index_.find(peer.key, peers_);
  if (at == peer_index::none) {
    peers_.push_back(peer);
    index_.insert(static_cast<std::uint32_t>(peers_.size() - 1), peers_);
    // Its first report is only where its growth is counted from: a peer
    // back after expiry, or read from the state file, is not counted twice.
    seeds_ += peer.is_seed ? 1 : 0;
    return true;
  }
  peer_entry& existing = peers_[at];
  seeds_ += (peer.is_seed ? 1 : 0) - (existing.is_seed ? 1 : 0);
  // A client that restarted reports from 0 again: only growth counts.
  add_growth(totals_.uploaded, existing.uploaded, peer.uploaded);
  add_growth(totals_.downloaded, existing.downloaded, peer.downloaded);
  const std::int64_t progressed_at = peer.left < existing.left ? peer.progressed_at : existing.progressed_at;
  existing = peer;
  existing.progressed_at = progressed_at;
  return false;
}

void swarm::erase_at(size_t i) {
  seeds_ -= peers_[i].is_seed ? 1 : 0;
  index_.erase(static_cast<std::uint32_t>(i), peers_);
  const size_t last = peers_.size() - 1;
  if (i != last) {
    index_.move(static_cast<std::uint32_t>(last), static_cast<std::uint32_t>(i), peers_);
    peers_[i] = peers_.back();
  }
  peers_.pop_back();
}

void swarm::remove(const peer_key& key) {
  const std::uint32_t at = index_.find(key, peers_);
  if (at != peer_index::none) erase_at(at);
}

const peer_entry* swarm::find(const peer_key& key) const {
  const std::uint32_t at = index_.find(key, peers_);
  return at == peer_index::none ? nullptr : &peers_[at];
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

bool swarm::is_gateway(const peer_key& key, location_id location, size_t per_location, std::int64_t stalled_before) {
  if (gateways_.size() <= location) gateways_.resize(location + 1);
  auto& mine = gateways_[location];
  mine.erase(std::remove_if(mine.begin(), mine.end(), [&](const gateway& g) { return find(g.key) == nullptr; }),
             mine.end());
  if (std::any_of(mine.begin(), mine.end(), [&](const gateway& g) { return g.key == key; })) return true;
  const peer_entry* self = find(key);
  const bool seed = self && self->is_seed;
  if (mine.size() < per_location) {
    mine.push_back({key, seed});
    return true;
  }
  // A downloader takes over from a gateway that was a seed when appointed
  // (the seeder, announcing first: its upload stays with its own location,
  // and a downloader passes on every piece as soon as it has it), and from a
  // downloading gateway that has stalled (its location would wait on it).
  if (seed) return false;
  auto replaced = std::find_if(mine.begin(), mine.end(), [&](const gateway& g) {
    const peer_entry* p = find(g.key);
    return g.was_seed || (!p->is_seed && p->progressed_at < stalled_before);
  });
  if (replaced == mine.end()) return false;
  *replaced = {key, false};
  return true;
}

std::vector<reply_peer> swarm::remote_gateways(location_id location, bool for_seed) const {
  std::vector<reply_peer> out;
  for (size_t l = 0; l < gateways_.size(); ++l) {
    if (l == location) continue;
    for (const auto& g : gateways_[l]) {
      const peer_entry* p = find(g.key);
      if (p && !(for_seed && p->is_seed)) out.push_back({p->key.id, p->address.ip(), p->port});
    }
  }
  return out;
}

void swarm::note_totals(std::int64_t now) {
  constexpr std::int64_t keep_seconds = 60;
  notes_.push_back({now, totals_.downloaded});
  size_t old = 0;
  while (old + 1 < notes_.size() && notes_[old].at < now - keep_seconds) ++old;
  notes_.erase(notes_.begin(), notes_.begin() + static_cast<std::ptrdiff_t>(old));
}

double swarm::download_rate(std::int64_t now, std::int64_t window) const {
  // From the oldest note within the window (else the newest) to the totals now.
  const totals_note* from = nullptr;
  for (const auto& note : notes_) {
    if (note.at >= now - window || &note == &notes_.back()) {
      from = &note;
      break;
    }
  }
  if (!from || now <= from->at) return 0;
  return static_cast<double>(totals_.downloaded - from->downloaded) / static_cast<double>(now - from->at);
}

std::vector<reply_peer> swarm::pick(size_t count, const peer_key& self, bool for_seed, std::mt19937_64& rng,
                                    std::optional<location_id> only) const {
  // Self is skipped by position: one lookup instead of a key comparison per candidate.
  const std::uint32_t self_at = index_.find(self, peers_);
  const size_t self_index = self_at == peer_index::none ? peers_.size() : self_at;
  auto wanted = [&](size_t i) {
    return i != self_index && !(for_seed && peers_[i].is_seed) && (!only || peers_[i].location == *only);
  };
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

std::int64_t stall_seconds(const registry_limits& limits) { return 2 * std::int64_t{limits.interval} + 5; }

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
  peer.location = limits_.where.locate(peer.address.ip());
  peer.last_seen = now;
  peer.progressed_at = now;
  peer.left = request.left;
  peer.uploaded = request.uploaded;
  peer.downloaded = request.downloaded;
  s.upsert(peer);
  s.touch(now);
  if (request.event == announce_event::completed) s.add_completed();
  size_t want = std::min(static_cast<size_t>(request.numwant), limits_.max_reply_peers);
  if (limits_.where.empty()) {
    reply.peers = s.pick(want, key, peer.is_seed, rng_);
  } else {
    // Peers of its own location, and for a gateway the other locations' gateways.
    std::vector<reply_peer> gateways;
    if (s.is_gateway(key, peer.location, limits_.gateways_per_location, now - stall_seconds(limits_))) {
      gateways = s.remote_gateways(peer.location, peer.is_seed);
      if (gateways.size() > want) gateways.resize(want);
    }
    reply.peers = s.pick(want - gateways.size(), key, peer.is_seed, rng_, peer.location);
    reply.peers.insert(reply.peers.end(), gateways.begin(), gateways.end());
  }
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

void swarm_registry::note_totals(std::int64_t now) {
  for (auto& [h, s] : swarms_) s.note_totals(now);
}

size_t swarm_registry::peer_count() const {
  size_t n = 0;
  for (const auto& [h, s] : swarms_) n += s.size();
  return n;
}

}  // namespace murder::tracker
