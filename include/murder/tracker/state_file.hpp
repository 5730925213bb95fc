#pragma once
// The tracker's state file (`--dfile`): swarms and their peers, so a restarted
// tracker can answer at once instead of waiting a re-announce interval for peers
// to reappear. Bencoded; written atomically (temporary file, fsync, rename).
//
//   d 7:version i1e 6:swarms d <20-byte info-hash> d 9:completed i<n>e
//       5:peers l d 2:id 20:<peer id> 2:ip <4 or 16 bytes> 4:port i<n>e 4:seed i0|1e
//                   [4:from <4 or 16 bytes>] e ... e e ... e e
//
// `ip` is where the peer is advertised; `from`, written only when it differs,
// is the address it announces from (the other half of its key, see swarm.hpp).
//
// A state file never stops a start. Loading keeps what is sound and counts what
// it drops: a malformed swarm or peer entry is skipped, and swarms beyond
// `max_swarms` are dropped (those with peers are kept first). A file that is not
// bencoded, of an unknown version, or larger than `max_state_file_bytes` is not
// loaded at all; restore_state then moves it aside and the tracker starts empty.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "murder/tracker/swarm.hpp"

namespace murder::tracker {

// About 800,000 peers; more than that is no state worth a slow start.
inline constexpr std::uintmax_t max_state_file_bytes = 64ull << 20;

struct state_load_result {
  size_t swarms = 0;            // swarms loaded
  size_t peers = 0;             // peers loaded
  size_t malformed_swarms = 0;  // skipped: bad info-hash, not a dictionary, bad completed count
  size_t malformed_peers = 0;   // skipped: bad id, address or port
  size_t over_cap_swarms = 0;   // dropped: beyond registry_limits::max_swarms
  size_t dropped() const { return malformed_swarms + malformed_peers + over_cap_swarms; }
};

std::string encode_state(const swarm_registry& registry);

// Loads swarms from `bytes` into `registry`, every peer and swarm stamped `now`
// so each gets a full timeout to re-announce. Throws failure(bad_input) with
// `origin` when the file as a whole is unreadable; nothing is loaded then.
state_load_result decode_state(std::string_view bytes, swarm_registry& registry, std::int64_t now,
                               const std::string& origin);

void save_state(const swarm_registry& registry, const std::filesystem::path& path);
// A missing file is an empty state. Throws failure(bad_input) naming the path
// when the file cannot be read, is larger than `max_bytes`, or as decode_state.
state_load_result load_state(const std::filesystem::path& path, swarm_registry& registry, std::int64_t now,
                             std::uintmax_t max_bytes = max_state_file_bytes);

struct state_restore {
  state_load_result loaded;
  // Set when nothing could be loaded: why, and where the file was moved.
  std::optional<std::string> problem;
};

// load_state for a start: never throws. A file that cannot be loaded at all is
// renamed to `<path>.bad` (kept for the operator, out of the way of the next
// save) and the registry is left as it was.
state_restore restore_state(const std::filesystem::path& path, swarm_registry& registry, std::int64_t now,
                            std::uintmax_t max_bytes = max_state_file_bytes);

}  // namespace murder::tracker
