#pragma once
// The tracker's state file (`--dfile`): swarms and their peers, so a restarted
// tracker can answer at once instead of waiting a re-announce interval for peers
// to reappear. Bencoded; written atomically (temporary file, fsync, rename).
//
//   d 7:version i1e 6:swarms d <20-byte info-hash> d 9:completed i<n>e
//       5:peers l d 2:id 20:<peer id> 2:ip <4 or 16 bytes> 4:port i<n>e 4:seed i0|1e e ... e e ... e e

#include <filesystem>
#include <string>
#include <string_view>

#include "murder/tracker/swarm.hpp"

namespace murder::tracker {

std::string encode_state(const swarm_registry& registry);

// Loads swarms from `bytes` into `registry`, every peer stamped `now` so each gets
// a full timeout to re-announce. Returns the number of peers loaded. Throws
// failure(bad_input) with `origin` for anything malformed; nothing is loaded then.
size_t decode_state(std::string_view bytes, swarm_registry& registry, std::int64_t now, const std::string& origin);

void save_state(const swarm_registry& registry, const std::filesystem::path& path);
// A missing file is an empty state (returns 0).
size_t load_state(const std::filesystem::path& path, swarm_registry& registry, std::int64_t now);

}  // namespace murder::tracker
