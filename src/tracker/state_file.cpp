#include "murder/tracker/state_file.hpp"

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include <iterator>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder::tracker {
namespace lt = libtorrent;

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
      peer["id"] = std::string(p.id.view());
      peer["ip"] = std::string(reinterpret_cast<const char*>(p.address.data()), p.is_v6 ? 16 : 4);
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

size_t decode_state(std::string_view bytes, swarm_registry& registry, std::int64_t now, const std::string& origin) {
  auto bad = [&](const std::string& why) { return failure(exit_code::bad_input, "state file " + origin + ": " + why); };
  lt::error_code ec;
  int error_pos = 0;
  lt::bdecode_node root = lt::bdecode({bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())}, ec, &error_pos, 100, 10000000);
  if (ec) throw bad("not bencoded (" + ec.message() + " at byte " + std::to_string(error_pos) + ")");
  if (root.type() != lt::bdecode_node::dict_t) throw bad("top level is not a dictionary");
  if (root.dict_find_int_value("version", 0) != 1) throw bad("unknown version");
  lt::bdecode_node swarms = root.dict_find_dict("swarms");
  if (!swarms) throw bad("no swarms dictionary");

  std::vector<std::pair<info_hash, swarm>> loaded;
  size_t peers_loaded = 0;
  for (int i = 0; i < swarms.dict_size(); ++i) {
    auto [key, value] = swarms.dict_at(i);
    auto hash = info_hash::from(std::string_view(key.data(), key.size()));
    if (!hash || value.type() != lt::bdecode_node::dict_t) throw bad("bad swarm entry");
    swarm s;
    auto completed = value.dict_find_int_value("completed", 0);
    if (completed < 0 || completed > 1'000'000'000) throw bad("bad completed count");
    s.add_completed(static_cast<int>(completed));
    lt::bdecode_node peers = value.dict_find_list("peers");
    for (int j = 0; peers && j < peers.list_size(); ++j) {
      lt::bdecode_node p = peers.list_at(j);
      if (p.type() != lt::bdecode_node::dict_t) throw bad("bad peer entry");
      auto raw_id = p.dict_find_string_value("id");
      auto id = peer_id::from(std::string_view(raw_id.data(), raw_id.size()));
      auto ip = p.dict_find_string_value("ip");
      auto port = p.dict_find_int_value("port", -1);
      if (!id || (ip.size() != 4 && ip.size() != 16) || port <= 0 || port > 65535) throw bad("bad peer entry");
      peer_entry e;
      e.id = *id;
      e.is_v6 = ip.size() == 16;
      std::copy(ip.begin(), ip.end(), e.address.begin());
      e.port = static_cast<std::uint16_t>(port);
      e.is_seed = p.dict_find_int_value("seed", 0) != 0;
      e.last_seen = now;
      if (s.upsert(e)) ++peers_loaded;
    }
    loaded.emplace_back(*hash, std::move(s));
  }
  for (auto& [hash, s] : loaded) registry.swarm_for(hash) = std::move(s);
  return peers_loaded;
}

void save_state(const swarm_registry& registry, const std::filesystem::path& path) {
  write_file_atomically(path, encode_state(registry), 0600);
}

size_t load_state(const std::filesystem::path& path, swarm_registry& registry, std::int64_t now) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return 0;
  return decode_state(read_file(path), registry, now, path.string());
}

}  // namespace murder::tracker
