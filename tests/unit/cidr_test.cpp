#include <gtest/gtest.h>

#include "murder/core/cidr.hpp"
#include "murder/core/error.hpp"

namespace {

using boost::asio::ip::make_address;

TEST(cidr, ranges_contain_what_they_should) {
  auto fleet = murder::parse_cidr("198.18.0.0/15");
  EXPECT_TRUE(fleet.contains(make_address("198.18.0.1")));
  EXPECT_TRUE(fleet.contains(make_address("198.19.255.255")));
  EXPECT_FALSE(fleet.contains(make_address("198.20.0.0")));
  EXPECT_TRUE(fleet.contains(make_address("::ffff:198.18.1.1")));
  EXPECT_FALSE(fleet.contains(make_address("fd00::1")));
  auto host = murder::parse_cidr("10.1.2.3");
  EXPECT_TRUE(host.contains(make_address("10.1.2.3")));
  EXPECT_FALSE(host.contains(make_address("10.1.2.4")));
  auto v6 = murder::parse_cidr("fd00::/8");
  EXPECT_TRUE(v6.contains(make_address("fd12::1")));
  EXPECT_FALSE(v6.contains(make_address("fe80::1")));
}

TEST(cidr, lists_and_errors) {
  auto list = murder::parse_cidr_list("127.0.0.0/8, 198.18.0.0/15");
  EXPECT_EQ(list.size(), 2u);
  EXPECT_TRUE(murder::address_allowed({}, make_address("8.8.8.8")));
  EXPECT_FALSE(murder::address_allowed(list, make_address("8.8.8.8")));
  EXPECT_THROW(murder::parse_cidr("198.18.0.0/33"), murder::failure);
  EXPECT_THROW(murder::parse_cidr("nonsense/8"), murder::failure);
  EXPECT_THROW(murder::parse_cidr("1.2.3.4/x"), murder::failure);
}

TEST(cidr, described_as_ranges) {
  EXPECT_EQ(murder::describe_ranges(murder::parse_cidr_list("198.18.0.0/15 10.1.2.3")),
            "198.18.0.0-198.19.255.255, 10.1.2.3");
  EXPECT_EQ(murder::describe_ranges({}), "");
}

}  // namespace
