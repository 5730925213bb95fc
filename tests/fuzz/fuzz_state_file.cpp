// libFuzzer target: the tracker's state file (--dfile), which a restart reads
// back. A damaged file must give a failure (the tracker then starts empty) or a
// partial load that skips the damaged entries, never a crash, a hang or an
// unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "murder/core/error.hpp"
#include "murder/tracker/state_file.hpp"

using namespace murder::tracker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  registry_limits limits;
  limits.max_swarms = 64;  // small, so that the cap is exercised too
  swarm_registry registry(limits, 1);
  try {
    auto loaded = decode_state(std::string_view(reinterpret_cast<const char*>(data), size), registry, 1000, "fuzz");
    if (registry.swarms().size() > limits.max_swarms || loaded.peers < registry.peer_count()) __builtin_trap();
    // Whatever was accepted must encode again and decode to the same swarms
    // and peers, with nothing dropped.
    swarm_registry again(limits, 1);
    auto reloaded = decode_state(encode_state(registry), again, 1000, "re-encoded");
    if (again.peer_count() != registry.peer_count() || again.swarms().size() != registry.swarms().size() ||
        reloaded.dropped() != 0) {
      __builtin_trap();
    }
  } catch (const murder::failure&) {
  }
  return 0;
}
