// libFuzzer target: any request target the tracker's HTTP server could hand to
// the request handler (announce, scrape, status page, junk). The handler must
// answer every one with a reply, never crash or throw.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "murder/tracker/request_handler.hpp"

using namespace murder::tracker;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static swarm_registry registry(registry_limits{}, 1);
  static allowed_torrents allowed;
  static request_handler handler(registry, allowed, {}, [] { return std::int64_t{1000}; });
  std::string_view input(reinterpret_cast<const char*>(data), size);
  // The first byte picks the remote address family, so ip= handling sees both.
  auto remote = size > 0 && (data[0] & 1) ? boost::asio::ip::make_address("fd00::7")
                                          : boost::asio::ip::make_address("198.18.0.7");
  http_reply reply = handler.handle({"GET", input, remote});
  if (reply.status < 100 || reply.status > 599) __builtin_trap();
  // Keep the registry small so that the run stays fast.
  if (registry.peer_count() > 10000) registry.expire(1000000);
  return 0;
}
