#pragma once
// Where peers are: named locations (a rack, a data centre) given as address
// ranges, so that the tracker can answer each peer mostly with peers of its
// own location and let about one copy of the payload cross between locations
// (the tracker's swarm::is_gateway). murderctl checks murder.toml's
// [locations] with the same rules.

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/cidr.hpp"

namespace murder {

// 0: in none of the named locations ("elsewhere"); i + 1: the i-th named one.
using location_id = std::uint8_t;
inline constexpr location_id no_location = 0;

struct named_location {
  std::string name;
  std::vector<cidr_range> ranges;
};

class locations {
 public:
  static constexpr size_t max_named = 254;

  locations() = default;
  // Throws failure(usage) for more than max_named, a repeated name, or a
  // name that is empty or not made of letters, digits, '-', '_' and '.'.
  explicit locations(std::vector<named_location> named);

  bool empty() const { return named_.empty(); }
  // The first named location holding `a`, else no_location.
  location_id locate(const boost::asio::ip::address& a) const;
  // "elsewhere" for no_location.
  const std::string& name(location_id id) const;
  // "dc1 (10.1.0.0-10.1.255.255), dc2 (...)", for the log.
  std::string describe() const;

 private:
  std::vector<named_location> named_;
};

// Parses the tracker's --location: "NAME=CIDR[,CIDR...]" (ranges as
// parse_address_range or parse_cidr take them). Throws failure(usage) naming
// the text.
named_location parse_location(std::string_view text);
// Every --location given.
locations parse_locations(const std::vector<std::string>& texts);

}  // namespace murder
