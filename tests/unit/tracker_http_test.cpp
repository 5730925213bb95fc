// The tracker's request reader (http_request.hpp): what a connection's bytes
// hold, with no socket.
#include <gtest/gtest.h>

#include "murder/tracker/http_request.hpp"

using namespace murder::tracker;

namespace {

http_read_state read(std::string_view bytes, http_request_head& head, std::size_t max = 8192) {
  return read_http_request(bytes, max, head);
}

TEST(http_request, a_whole_request_and_what_it_asks) {
  http_request_head head;
  std::string one = "GET /announce?info_hash=%41 HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n";
  const std::string received = one + "GET /next";  // the views in `head` point into it
  ASSERT_EQ(read(received, head), http_read_state::complete);
  EXPECT_EQ(head.method, "GET");
  EXPECT_EQ(head.target, "/announce?info_hash=%41");
  EXPECT_EQ(head.version, 11u);
  EXPECT_FALSE(head.keep_alive);
  EXPECT_EQ(head.length, one.size());  // the pipelined next request starts there
}

TEST(http_request, keep_alive_follows_the_version_and_the_connection_header) {
  http_request_head head;
  ASSERT_EQ(read("GET / HTTP/1.1\r\n\r\n", head), http_read_state::complete);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(read("GET / HTTP/1.0\r\n\r\n", head), http_read_state::complete);
  EXPECT_FALSE(head.keep_alive);
  ASSERT_EQ(read("GET / HTTP/1.0\r\nconnection: Keep-Alive\r\n\r\n", head), http_read_state::complete);
  EXPECT_TRUE(head.keep_alive);
  ASSERT_EQ(read("HEAD / HTTP/1.1\r\nConnection: TE, close\r\n\r\n", head), http_read_state::complete);
  EXPECT_FALSE(head.keep_alive);
}

TEST(http_request, partial_oversized_malformed_and_bodies) {
  http_request_head head;
  EXPECT_EQ(read("GET /announce?x=1 HTTP/1.1\r\nHost:", head), http_read_state::incomplete);
  EXPECT_EQ(read("GET /" + std::string(100, 'a'), head, 64), http_read_state::too_large);
  EXPECT_EQ(read("GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", head, 64), http_read_state::too_large);
  EXPECT_EQ(read("GARBAGE\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("GET / HTTP/2.0\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("GET  HTTP/1.1\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("G(T / HTTP/1.1\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("GET / HTTP/1.1\r\nno colon\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n", head), http_read_state::bad);
  EXPECT_EQ(read("GET / HTTP/1.1\r\nContent-Length: 0\r\n\r\n", head), http_read_state::complete);
  EXPECT_EQ(read("POST / HTTP/1.1\r\nContent-Length: 12\r\n\r\n", head), http_read_state::has_body);
  EXPECT_EQ(read("GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n", head), http_read_state::has_body);
}

}  // namespace
