// libFuzzer target: any bytes a client could send the tracker. The request
// reader (http_request.hpp) must classify them, its views staying inside the
// bytes; and any request target it could hand to the request handler
// (announce, scrape, status page, junk) must get a reply, never a crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "murder/tracker/http_request.hpp"
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
  http_request_head head;
  if (read_http_request(input, 8192, head) == http_read_state::complete) {
    auto inside = [&](std::string_view part) {
      return part.data() >= input.data() && part.data() + part.size() <= input.data() + input.size();
    };
    if (!inside(head.method) || !inside(head.target) || head.length > input.size()) __builtin_trap();
  }
  http_reply reply = handler.handle({"GET", input, remote});
  if (reply.status < 100 || reply.status > 599) __builtin_trap();
  // Keep the registry small so that the run stays fast.
  if (registry.peer_count() > 10000) registry.expire(1000000);
  return 0;
}
