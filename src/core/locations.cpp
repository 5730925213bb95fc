#include "murder/core/locations.hpp"

#include <algorithm>
#include <cctype>

#include "murder/core/error.hpp"

namespace murder {

namespace {

bool good_name(std::string_view name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.';
  });
}

}  // namespace

locations::locations(std::vector<named_location> named) : named_(std::move(named)) {
  if (named_.size() > max_named) {
    throw failure(exit_code::usage, "at most " + std::to_string(max_named) + " locations, not " +
                                        std::to_string(named_.size()));
  }
  for (size_t i = 0; i < named_.size(); ++i) {
    const auto& name = named_[i].name;
    if (!good_name(name) || name == "elsewhere") {
      throw failure(exit_code::usage, "location name '" + name +
                                          "' must be letters, digits, '-', '_' or '.', and not 'elsewhere'");
    }
    if (named_[i].ranges.empty()) throw failure(exit_code::usage, "location " + name + " has no address range");
    for (size_t j = 0; j < i; ++j) {
      if (named_[j].name == name) throw failure(exit_code::usage, "location " + name + " is given twice");
    }
  }
}

location_id locations::locate(const boost::asio::ip::address& a) const {
  for (size_t i = 0; i < named_.size(); ++i) {
    for (const auto& range : named_[i].ranges) {
      if (range.contains(a)) return static_cast<location_id>(i + 1);
    }
  }
  return no_location;
}

const std::string& locations::name(location_id id) const {
  static const std::string elsewhere = "elsewhere";
  return id == no_location || id > named_.size() ? elsewhere : named_[id - 1].name;
}

named_location parse_location(std::string_view text) {
  const size_t eq = text.find('=');
  if (eq == std::string_view::npos) {
    throw failure(exit_code::usage, "location '" + std::string(text) + "' is not NAME=CIDR[,CIDR...]");
  }
  named_location location{std::string(text.substr(0, eq)), {}};
  for (const auto& word : split_list(text.substr(eq + 1))) {
    location.ranges.push_back(word.find('-') != std::string::npos ? parse_address_range(word) : parse_cidr(word));
  }
  if (location.ranges.empty()) {
    throw failure(exit_code::usage, "location '" + std::string(text) + "' has no address range");
  }
  return location;
}

locations parse_locations(const std::vector<std::string>& texts) {
  std::vector<named_location> named;
  for (const auto& text : texts) named.push_back(parse_location(text));
  return locations(std::move(named));
}

std::string locations::describe() const {
  std::string text;
  for (const auto& l : named_) text += (text.empty() ? "" : ", ") + l.name + " (" + describe_ranges(l.ranges) + ")";
  return text;
}

}  // namespace murder
