#include "murder/core/cidr.hpp"

#include <array>
#include <cctype>
#include <charconv>
#include <fstream>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder {
namespace ip = boost::asio::ip;

namespace {

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

template <size_t N>
void apply_prefix(std::array<unsigned char, N>& low, std::array<unsigned char, N>& high, int prefix) {
  for (size_t i = 0; i < N; ++i) {
    int bits = std::clamp(prefix - static_cast<int>(i * 8), 0, 8);
    auto mask = static_cast<unsigned char>(bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff);
    low[i] = static_cast<unsigned char>(low[i] & mask);
    high[i] = static_cast<unsigned char>(high[i] | static_cast<unsigned char>(~mask));
  }
}

}  // namespace

bool cidr_range::contains(const ip::address& raw) const {
  ip::address a = unmapped(raw);
  if (a.is_v4() != first.is_v4()) return false;
  return !(a < first) && !(last < a);
}

cidr_range parse_cidr(std::string_view text) {
  auto bad = [&](const char* why) {
    return failure(exit_code::usage, "address range '" + std::string(text) + "' is not valid: " + why);
  };
  auto slash = text.find('/');
  std::string host(text.substr(0, slash));
  boost::system::error_code ec;
  ip::address base = unmapped(ip::make_address(host, ec));
  if (ec) throw bad("not an IP address");
  int max_prefix = base.is_v4() ? 32 : 128;
  int prefix = max_prefix;
  if (slash != std::string_view::npos) {
    auto digits = text.substr(slash + 1);
    auto [end, err] = std::from_chars(digits.data(), digits.data() + digits.size(), prefix);
    if (err != std::errc() || end != digits.data() + digits.size() || prefix < 0 || prefix > max_prefix) {
      throw bad("bad prefix length");
    }
  }
  if (base.is_v4()) {
    auto low = base.to_v4().to_bytes();
    auto high = low;
    apply_prefix(low, high, prefix);
    return {ip::address_v4(low), ip::address_v4(high)};
  }
  auto low = base.to_v6().to_bytes();
  auto high = low;
  apply_prefix(low, high, prefix);
  return {ip::address_v6(low), ip::address_v6(high)};
}

cidr_range parse_address_range(std::string_view text) {
  auto dash = text.rfind('-');
  if (dash == std::string_view::npos) return parse_cidr(text);
  auto bad = [&](const char* why) {
    return failure(exit_code::usage, "address range '" + std::string(text) + "' is not valid: " + why);
  };
  boost::system::error_code first_ec, last_ec;
  ip::address first = unmapped(ip::make_address(std::string(text.substr(0, dash)), first_ec));
  ip::address last = unmapped(ip::make_address(std::string(text.substr(dash + 1)), last_ec));
  if (first_ec || last_ec) throw bad("not two IP addresses");
  if (first.is_v4() != last.is_v4()) throw bad("the two ends are of different address families");
  if (last < first) throw bad("the first address is above the last");
  return {first, last};
}

std::vector<cidr_range> read_address_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw failure(exit_code::usage, "cannot read address file " + path);
  std::vector<cidr_range> ranges;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    std::string_view text = line_content(line);
    if (text.empty()) continue;
    // As BitTornado read them: an IPv4 line may carry a description before its
    // last ':' ("office:10.0.0.5-10.0.0.9") or after its first word
    // ("10.0.0.0/8 office net"), and a range may have spaces around its '-'.
    std::string entry(text);
    if (entry.find('.') != std::string::npos) {
      if (auto colon = entry.rfind(':'); colon != std::string::npos) entry.erase(0, colon + 1);
    }
    for (size_t dash; (dash = entry.find(" -")) != std::string::npos || (dash = entry.find("- ")) != std::string::npos;) {
      entry.erase(entry[dash] == ' ' ? dash : dash + 1, 1);
    }
    auto first = entry.find_first_not_of(" \t");
    entry = first == std::string::npos ? "" : entry.substr(first, entry.find_first_of(" \t", first) - first);
    try {
      ranges.push_back(parse_address_range(entry));
    } catch (const failure& e) {
      throw failure(exit_code::usage, path + " line " + std::to_string(number) + ": " + e.what());
    }
  }
  return ranges;
}

std::vector<std::string> split_list(std::string_view text) {
  std::vector<std::string> words;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find_first_of(", \t\n", start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

std::vector<cidr_range> parse_cidr_list(std::string_view text) {
  std::vector<cidr_range> ranges;
  for (const auto& word : split_list(text)) ranges.push_back(parse_cidr(word));
  return ranges;
}

std::string describe_ranges(const std::vector<cidr_range>& ranges) {
  std::string text;
  for (const auto& r : ranges) {
    if (!text.empty()) text += ", ";
    text += r.first.to_string();
    if (r.last != r.first) text += "-" + r.last.to_string();
  }
  return text;
}

bool address_allowed(const std::vector<cidr_range>& ranges, const ip::address& a) {
  if (ranges.empty()) return true;
  for (const auto& r : ranges) {
    if (r.contains(a)) return true;
  }
  return false;
}

}  // namespace murder
