#include <gtest/gtest.h>

#include "murder/core/address.hpp"
#include "murder/core/error.hpp"

namespace {

using murder::choose_announce_address;

auto route(std::optional<std::string> source) {
  return [source] { return source; };
}

TEST(announce_address, a_literal_is_used_as_given_even_loopback) {
  EXPECT_EQ(choose_announce_address("127.0.0.2", {}, route(std::nullopt), route(std::nullopt)), "127.0.0.2");
  EXPECT_EQ(choose_announce_address("198.18.0.4", {}, route(std::nullopt), route(std::nullopt)), "198.18.0.4");
  EXPECT_EQ(choose_announce_address("::1", {}, route(std::nullopt), route(std::nullopt)), "::1");
}

TEST(announce_address, a_name_gives_its_first_address_that_is_not_loopback) {
  EXPECT_EQ(choose_announce_address("web1", {"127.0.1.1", "198.18.0.7"}, route(std::nullopt), route(std::nullopt)), "198.18.0.7");
  EXPECT_EQ(choose_announce_address("web1", {"198.18.0.8"}, route("198.18.0.9"), route(std::nullopt)), "198.18.0.8");
}

// Debian's /etc/hosts maps the machine's own name to 127.0.1.1.
TEST(announce_address, a_name_that_is_only_loopback_gives_the_route_to_the_tracker) {
  EXPECT_EQ(choose_announce_address("web1", {"127.0.1.1"}, route("198.18.0.11"), route(std::nullopt)), "198.18.0.11");
  // The tracker on this very machine (the seeder's, by default): the outward
  // address, so the other hosts can reach the seed.
  EXPECT_EQ(choose_announce_address("web1", {"127.0.1.1"}, route("127.0.1.1"), route("198.18.0.12")), "198.18.0.12");
  // A machine with nothing but loopback: a loopback swarm is all there can be.
  EXPECT_EQ(choose_announce_address("web1", {"127.0.1.1"}, route("127.0.0.1"), route(std::nullopt)), "127.0.1.1");
  try {
    choose_announce_address("web1", {"127.0.1.1"}, route(std::nullopt), route(std::nullopt));
    ADD_FAILURE() << "announced a loopback address nobody can reach";
  } catch (const murder::failure& e) {
    EXPECT_EQ(e.code(), murder::exit_code::usage);
    EXPECT_NE(std::string(e.what()).find("'web1' resolves only to the loopback address 127.0.1.1"), std::string::npos)
        << e.what();
  }
}

// The real resolver: "localhost" is loopback, the tracker is not, so the
// answer is never a loopback address (either the route's source or an error).
TEST(announce_address, localhost_with_a_remote_tracker_is_never_announced_as_loopback) {
  try {
    auto address = murder::resolve_host_address("localhost", "198.18.200.1");
    EXPECT_FALSE(murder::is_loopback_address(address)) << address;
  } catch (const murder::failure& e) {
    EXPECT_NE(std::string(e.what()).find("resolves only to the loopback address"), std::string::npos) << e.what();
  }
  // With the tracker on this machine too, the outward address when there is one.
  auto outward = murder::outward_address();
  auto local = murder::resolve_host_address("localhost", "127.0.0.1");
  EXPECT_EQ(local, outward ? *outward : "127.0.0.1");
}

TEST(announce_address, hosts_of_announce_urls) {
  EXPECT_EQ(murder::url_host("http://198.18.0.10:8998/announce"), "198.18.0.10");
  EXPECT_EQ(murder::url_host("http://web1/announce"), "web1");
  EXPECT_EQ(murder::url_host("http://[::1]:8998/announce"), "::1");
  EXPECT_TRUE(murder::is_loopback_address("127.0.1.1"));
  EXPECT_TRUE(murder::is_loopback_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(murder::is_loopback_address("198.18.0.1"));
}

}  // namespace
