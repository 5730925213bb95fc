#pragma once
// Requests, ids and a handler over one registry, shared by the tracker's unit tests.
#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>

#include <libtorrent/bdecode.hpp>

#include "murder/tracker/allowed_torrents.hpp"
#include "murder/tracker/request_handler.hpp"

namespace murder::testing {

namespace lt = libtorrent;
using namespace murder::tracker;

inline const std::string hash_a(20, 'A');
inline const std::string hash_b(20, 'B');

inline std::string escape(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", c);
    out += buf;
  }
  return out;
}

inline std::string peer_name(int i) {
  char id[21];
  std::snprintf(id, sizeof id, "-XX0000-%012d", i);
  return id;
}

inline std::string announce_target(const std::string& hash, int peer, int port, long left, const std::string& extra = "") {
  return "/announce?info_hash=" + escape(hash) + "&peer_id=" + escape(peer_name(peer)) + "&port=" +
         std::to_string(port) + "&left=" + std::to_string(left) + "&compact=1" + extra;
}

inline lt::bdecode_node decode(const std::string& body, std::string& keep) {
  keep = body;
  lt::error_code ec;
  auto node = lt::bdecode(keep, ec);
  EXPECT_FALSE(ec) << body;
  return node;
}

// The compact (BEP 23) form of one IPv4 peer.
inline std::string compact_peer(const char* ip, int port) {
  auto bytes = boost::asio::ip::make_address_v4(ip).to_bytes();
  std::string out(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  out += static_cast<char>(port >> 8);
  out += static_cast<char>(port & 0xff);
  return out;
}

// The peers of a compact announce reply, each in compact form.
inline std::set<std::string> compact_peers(const std::string& body) {
  std::string keep;
  auto packed = decode(body, keep).dict_find_string_value("peers");
  std::set<std::string> peers;
  for (size_t at = 0; at + 6 <= packed.size(); at += 6) peers.insert(std::string(packed.data() + at, 6));
  return peers;
}

struct handler_fixture : ::testing::Test {
  std::int64_t now = 1000;
  swarm_registry registry{registry_limits{}, 42};
  allowed_torrents open_tracker;
  request_handler handler{registry, open_tracker, {}, [this] { return now; }};
  boost::asio::ip::address local = boost::asio::ip::make_address("127.0.0.1");

  http_reply get(const std::string& target, const std::string& from = "127.0.0.1") {
    return handler.handle({"GET", target, boost::asio::ip::make_address(from)});
  }
};

}  // namespace murder::testing
