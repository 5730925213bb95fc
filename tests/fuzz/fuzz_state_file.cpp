// libFuzzer target: the tracker's state file (--dfile), which a restart reads
// back. A damaged file must give a failure (the tracker then starts empty),
// never a crash, a hang or an unbounded allocation.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "murder/core/error.hpp"
#include "murder/tracker/state_file.hpp"

using namespace murder::tracker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  swarm_registry registry(registry_limits{}, 1);
  try {
    decode_state(std::string_view(reinterpret_cast<const char*>(data), size), registry, 1000, "fuzz");
    // Whatever was accepted must encode again and decode to the same peers.
    swarm_registry again(registry_limits{}, 1);
    decode_state(encode_state(registry), again, 1000, "re-encoded");
    if (again.peer_count() != registry.peer_count()) __builtin_trap();
  } catch (const murder::failure&) {
  }
  return 0;
}
