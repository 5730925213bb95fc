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

// Parses "10.0.0.5-10.0.0.9": both ends included, one address family.
// Throws failure(usage) naming the text.
cidr_range parse_address_range(std::string_view text);

// Reads a file of address ranges, one a line, as BitTornado's --allowed_ips and
// --banned_ips files hold them: "10.0.0.0/8", "10.1.2.3", "10.0.0.5-10.0.0.9",
// or "a description:10.0.0.5-10.0.0.9"; "#" starts a comment. Throws
// failure(usage) naming the file and line.
std::vector<cidr_range> read_address_file(const std::string& path);

// The words of a comma- or space-separated list ("a, b c" -> a, b, c).
std::vector<std::string> split_list(std::string_view text);

// Parses a comma- or space-separated list of ranges.
std::vector<cidr_range> parse_cidr_list(std::string_view text);

// "198.18.0.0-198.18.255.255, 10.1.2.3" (a range of one address as the address),
// for logs that say who may take part.
std::string describe_ranges(const std::vector<cidr_range>& ranges);

// True when `ranges` is empty (no filter) or one of them contains `a`.
// IPv4-mapped IPv6 addresses are matched as IPv4.
bool address_allowed(const std::vector<cidr_range>& ranges, const boost::asio::ip::address& a);

}  // namespace murder
