#pragma once
// The tracker's protocol, with no sockets: parsing /announce and /scrape query
// strings (BEP 3, BEP 23, BEP 48) into requests and encoding bencoded replies.

#include <boost/asio/ip/address.hpp>

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace murder::tracker {

// A 20-byte binary identifier. Distinct types keep info-hashes and peer ids apart.
template <class Tag>
struct id20 {
  std::array<char, 20> bytes{};
  std::string_view view() const { return {bytes.data(), bytes.size()}; }
  static std::optional<id20> from(std::string_view raw) {
    if (raw.size() != 20) return std::nullopt;
    id20 id;
    std::copy(raw.begin(), raw.end(), id.bytes.begin());
    return id;
  }
  friend bool operator==(const id20& a, const id20& b) { return a.bytes == b.bytes; }
  friend bool operator!=(const id20& a, const id20& b) { return !(a == b); }
  friend bool operator<(const id20& a, const id20& b) { return a.bytes < b.bytes; }
};
using info_hash = id20<struct info_hash_tag>;
using peer_id = id20<struct peer_id_tag>;

struct id20_hash {
  template <class Tag>
  size_t operator()(const id20<Tag>& id) const noexcept {
    // All 20 bytes count: peer ids of one client share their first eight
    // ("-MU0010-" for every murder peer), so hashing a prefix would put a whole
    // swarm in one bucket.
    std::uint64_t a = 0, b = 0;
    std::uint32_t c = 0;
    std::memcpy(&a, id.bytes.data(), 8);
    std::memcpy(&b, id.bytes.data() + 8, 8);
    std::memcpy(&c, id.bytes.data() + 16, 4);
    std::uint64_t h = (a ^ (b * 0x9E3779B97F4A7C15ull) ^ (std::uint64_t{c} << 29)) * 0xBF58476D1CE4E5B9ull;
    return static_cast<size_t>(h ^ (h >> 31));
  }
};

// Decoded query-string pairs, in the order they appeared.
using query_params = std::vector<std::pair<std::string, std::string>>;

// Splits "path?query" into the path and the percent-decoded parameters.
// Returns nullopt when a percent escape is malformed.
std::optional<std::pair<std::string, query_params>> parse_target(std::string_view target);

enum class announce_event { none, started, completed, stopped };

struct announce_request {
  info_hash hash;
  peer_id id;
  std::uint16_t port = 0;
  std::uint64_t uploaded = 0;
  std::uint64_t downloaded = 0;
  std::uint64_t left = 0;
  announce_event event = announce_event::none;
  bool compact = true;
  bool no_peer_id = false;
  int numwant = 50;
  std::optional<boost::asio::ip::address> ip;  // the `ip=` parameter, if any
};

// A request, or the reason (for a bencoded `failure reason`) it is malformed.
std::variant<announce_request, std::string> parse_announce(const query_params& params);

// The info-hashes a scrape asks for (empty: all), or why it is malformed.
std::variant<std::vector<info_hash>, std::string> parse_scrape(const query_params& params);

// One peer as it appears in a reply.
struct reply_peer {
  peer_id id;
  boost::asio::ip::address address;
  std::uint16_t port = 0;
};

struct announce_reply {
  int interval = 15;
  int complete = 0;    // seeds
  int incomplete = 0;  // leechers
  int downloaded = 0;  // completed downloads seen
  std::vector<reply_peer> peers;
};

// Bencodes a reply: compact (BEP 23, IPv4 in `peers`, IPv6 in `peers6`) or the
// original list of dictionaries.
std::string encode_announce_reply(const announce_reply& reply, bool compact, bool no_peer_id);

struct scrape_entry {
  info_hash hash;
  int complete = 0;
  int downloaded = 0;
  int incomplete = 0;
};
std::string encode_scrape_reply(const std::vector<scrape_entry>& entries);

// d14:failure reason<len>:<reason>e
std::string encode_failure(std::string_view reason);

}  // namespace murder::tracker
