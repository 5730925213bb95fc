#include "murder/tracker/state_file.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include <algorithm>
#include <iterator>
#include <utility>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder::tracker {
namespace lt = libtorrent;
namespace fs = std::filesystem;

namespace {

std::string packed(const stored_address& a) {
  return std::string(reinterpret_cast<const char*>(a.bytes.data()), a.is_v6 ? 16 : 4);
}

// 4 or 16 raw bytes as an address, normalised as an announce's would be.
template <class Bytes>
std::optional<stored_address> unpacked(const Bytes& raw) {
  if (raw.size() != 4 && raw.size() != 16) return std::nullopt;
  stored_address a;
  a.is_v6 = raw.size() == 16;
  std::copy(raw.begin(), raw.end(), a.bytes.begin());
  return stored_address::from(a.ip());
}

std::optional<peer_entry> decode_peer(const lt::bdecode_node& p, std::int64_t now) {
  if (p.type() != lt::bdecode_node::dict_t) return std::nullopt;
  auto raw_id = p.dict_find_string_value("id");
  auto id = peer_id::from(std::string_view(raw_id.data(), raw_id.size()));
  auto address = unpacked(p.dict_find_string_value("ip"));
  auto raw_from = p.dict_find_string_value("from");
  auto source = raw_from.empty() ? address : unpacked(raw_from);
  auto port = p.dict_find_int_value("port", -1);
  if (!id || !address || !source || port <= 0 || port > 65535) return std::nullopt;
  peer_entry e;
  e.key = {*id, *source};
  e.address = *address;
  e.port = static_cast<std::uint16_t>(port);
  e.is_seed = p.dict_find_int_value("seed", 0) != 0;
  e.last_seen = now;
  e.progressed_at = now;
  e.left = e.is_seed ? 0 : unknown_left;  // told at its next announce
  return e;
}

}  // namespace

std::string encode_state(const swarm_registry& registry) {
  lt::entry root(lt::entry::dictionary_t);
  root["version"] = 1;
  lt::entry& swarms = root["swarms"];
  swarms = lt::entry(lt::entry::dictionary_t);
  for (const auto& [hash, s] : registry.swarms()) {
    lt::entry& e = swarms[std::string(hash.view())];
    e["completed"] = s.completed();
    lt::entry::list_type peers;
    for (const auto& p : s.peers()) {
      lt::entry peer(lt::entry::dictionary_t);
      peer["id"] = std::string(p.key.id.view());
      peer["ip"] = packed(p.address);
      if (!(p.key.source == p.address)) peer["from"] = packed(p.key.source);
      peer["port"] = p.port;
      peer["seed"] = p.is_seed ? 1 : 0;
      peers.push_back(std::move(peer));
    }
    e["peers"] = std::move(peers);
  }
  std::string out;
  lt::bencode(std::back_inserter(out), root);
  return out;
}

state_load_result decode_state(std::string_view bytes, swarm_registry& registry, std::int64_t now,
                               const std::string& origin) {
  auto bad = [&](const std::string& why) { return failure(exit_code::bad_input, "state file " + origin + ": " + why); };
  lt::error_code ec;
  int error_pos = 0;
  lt::bdecode_node root = lt::bdecode({bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())}, ec, &error_pos, 100, 10000000);
  if (ec) throw bad("not bencoded (" + ec.message() + " at byte " + std::to_string(error_pos) + ")");
  if (root.type() != lt::bdecode_node::dict_t) throw bad("top level is not a dictionary");
  if (root.dict_find_int_value("version", 0) != 1) throw bad("unknown version");
  lt::bdecode_node swarms = root.dict_find_dict("swarms");
  if (!swarms) throw bad("no swarms dictionary");

  state_load_result result;
  std::vector<std::pair<info_hash, swarm>> loaded;
  for (int i = 0; i < swarms.dict_size(); ++i) {
    auto [key, value] = swarms.dict_at(i);
    auto hash = info_hash::from(std::string_view(key.data(), key.size()));
    auto completed = value.type() == lt::bdecode_node::dict_t ? value.dict_find_int_value("completed", 0) : -1;
    if (!hash || completed < 0 || completed > 1'000'000'000) {
      ++result.malformed_swarms;
      continue;
    }
    swarm s;
    s.add_completed(static_cast<int>(completed));
    s.touch(now);
    lt::bdecode_node peers = value.dict_find_list("peers");
    for (int j = 0; peers && j < peers.list_size(); ++j) {
      auto peer = decode_peer(peers.list_at(j), now);
      if (peer) {
        peer->location = registry.limits().where.locate(peer->address.ip());
        s.upsert(*peer);
      } else {
        ++result.malformed_peers;
      }
    }
    if (s.size() == 0 && s.completed() == 0) continue;  // nothing worth keeping
    loaded.emplace_back(*hash, std::move(s));
  }
  // Past the cap, swarms with peers matter more than bare completed counts.
  std::stable_partition(loaded.begin(), loaded.end(), [](const auto& entry) { return entry.second.size() > 0; });
  for (auto& [hash, s] : loaded) {
    const size_t peers = s.size();
    if (!registry.restore(hash, std::move(s))) {
      ++result.over_cap_swarms;
      continue;
    }
    ++result.swarms;
    result.peers += peers;
  }
  return result;
}

void save_state(const swarm_registry& registry, const fs::path& path) {
  write_file_atomically(path, encode_state(registry), 0600);
}

state_load_result load_state(const fs::path& path, swarm_registry& registry, std::int64_t now, std::uintmax_t max_bytes) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return {};
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) {
    throw failure(exit_code::bad_input, "state file " + path.string() + ": " + std::to_string(size) +
                                            " bytes, over the limit of " + std::to_string(max_bytes));
  }
  return decode_state(read_file(path), registry, now, path.string());
}

state_restore restore_state(const fs::path& path, swarm_registry& registry, std::int64_t now, std::uintmax_t max_bytes) {
  state_restore out;
  try {
    out.loaded = load_state(path, registry, now, max_bytes);
  } catch (const std::exception& e) {
    // Moved aside, the file stays for a post-mortem and the next save cannot
    // overwrite the evidence.
    fs::path aside = path;
    aside += ".bad";
    std::error_code ec;
    fs::rename(path, aside, ec);
    out.problem = std::string(e.what()) + (ec ? "; could not move it aside: " + ec.message() : "; moved to " + aside.string());
  }
  return out;
}

}  // namespace murder::tracker
