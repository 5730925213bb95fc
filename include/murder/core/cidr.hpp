#pragma once
// Address ranges ("fleet networks") in CIDR notation, for the tracker's and the
// client's optional filters on who may take part in a swarm.

#include <boost/asio/ip/address.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace murder {

struct cidr_range {
  boost::asio::ip::address first;  // lowest address in the range
  boost::asio::ip::address last;   // highest address in the range
  bool contains(const boost::asio::ip::address& a) const;
};

// Parses "198.18.0.0/15", "10.1.2.3" (a single host) or "fd00::/8".
// Throws failure(usage) naming the text.
cidr_range parse_cidr(std::string_view text);

// Parses a comma- or space-separated list of ranges.
std::vector<cidr_range> parse_cidr_list(std::string_view text);

// "198.18.0.0-198.18.255.255, 10.1.2.3" (a range of one address as the address),
// for logs that say who may take part.
std::string describe_ranges(const std::vector<cidr_range>& ranges);

// True when `ranges` is empty (no filter) or one of them contains `a`.
// IPv4-mapped IPv6 addresses are matched as IPv4.
bool address_allowed(const std::vector<cidr_range>& ranges, const boost::asio::ip::address& a);

}  // namespace murder
