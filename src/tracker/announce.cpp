#include "murder/tracker/announce.hpp"

#include <charconv>

namespace murder::tracker {

namespace {

template <class T>
bool parse_number(std::string_view text, T& out) {
  if (text.empty()) return false;
  auto [end, err] = std::from_chars(text.data(), text.data() + text.size(), out);
  return err == std::errc() && end == text.data() + text.size();
}

void append_string(std::string& out, std::string_view s) {
  out += std::to_string(s.size());
  out += ':';
  out += s;
}

void append_int(std::string& out, std::string_view key, long long value) {
  append_string(out, key);
  out += 'i';
  out += std::to_string(value);
  out += 'e';
}

}  // namespace

std::variant<announce_request, std::string> parse_announce(const query_params& params) {
  announce_request r;
  bool have_hash = false, have_id = false, have_port = false;
  for (const auto& [key, value] : params) {
    if (key == "info_hash") {
      auto h = info_hash::from(value);
      if (!h) return std::string("info_hash must be 20 bytes");
      r.hash = *h;
      have_hash = true;
    } else if (key == "peer_id") {
      auto id = peer_id::from(value);
      if (!id) return std::string("peer_id must be 20 bytes");
      r.id = *id;
      have_id = true;
    } else if (key == "port") {
      unsigned port = 0;
      if (!parse_number(value, port) || port == 0 || port > 65535) return std::string("port is not a valid port");
      r.port = static_cast<std::uint16_t>(port);
      have_port = true;
    } else if (key == "uploaded" || key == "downloaded" || key == "left") {
      std::uint64_t n = 0;
      if (!parse_number(value, n)) return key + " is not a number";
      (key == "uploaded" ? r.uploaded : key == "downloaded" ? r.downloaded : r.left) = n;
    } else if (key == "event") {
      if (value == "started") r.event = announce_event::started;
      else if (value == "completed") r.event = announce_event::completed;
      else if (value == "stopped") r.event = announce_event::stopped;
      // BEP 21: a peer that wants no more of the torrent for now (libtorrent's
      // when the pieces it still lacks come from elsewhere) is a regular update.
      else if (value.empty() || value == "empty" || value == "paused") r.event = announce_event::none;
      else return std::string("event is not started, completed, stopped or paused");
    } else if (key == "compact") {
      r.compact = value != "0";
    } else if (key == "no_peer_id") {
      r.no_peer_id = value == "1";
    } else if (key == "numwant") {
      int n = 0;
      if (!parse_number(value, n) || n < 0) return std::string("numwant is not a number");
      r.numwant = n;
    } else if (key == "ip") {
      boost::system::error_code ec;
      auto a = boost::asio::ip::make_address(value, ec);
      if (ec) return std::string("ip is not an IP address");
      r.ip = a;
    }
  }
  if (!have_hash) return std::string("missing info_hash");
  if (!have_id) return std::string("missing peer_id");
  if (!have_port) return std::string("missing port");
  return r;
}

std::variant<std::vector<info_hash>, std::string> parse_scrape(const query_params& params) {
  std::vector<info_hash> hashes;
  for (const auto& [key, value] : params) {
    if (key != "info_hash") continue;
    auto h = info_hash::from(value);
    if (!h) return std::string("info_hash must be 20 bytes");
    hashes.push_back(*h);
  }
  return hashes;
}

std::string encode_announce_reply(const announce_reply& reply, bool compact, bool no_peer_id) {
  std::string out;
  out.reserve(96 + reply.peers.size() * (compact ? 6 : 64));
  out += 'd';
  append_int(out, "complete", reply.complete);
  append_int(out, "downloaded", reply.downloaded);
  append_int(out, "incomplete", reply.incomplete);
  append_int(out, "interval", reply.interval);
  append_int(out, "min interval", reply.interval);
  append_string(out, "peers");
  if (compact) {
    std::string v4, v6;
    for (const auto& p : reply.peers) {
      std::string& dest = p.address.is_v4() ? v4 : v6;
      if (p.address.is_v4()) {
        auto b = p.address.to_v4().to_bytes();
        dest.append(reinterpret_cast<const char*>(b.data()), b.size());
      } else {
        auto b = p.address.to_v6().to_bytes();
        dest.append(reinterpret_cast<const char*>(b.data()), b.size());
      }
      dest += static_cast<char>(p.port >> 8);
      dest += static_cast<char>(p.port & 0xff);
    }
    append_string(out, v4);
    if (!v6.empty()) {
      append_string(out, "peers6");
      append_string(out, v6);
    }
  } else {
    out += 'l';
    for (const auto& p : reply.peers) {
      out += 'd';
      append_string(out, "ip");
      append_string(out, p.address.to_string());
      if (!no_peer_id) {
        append_string(out, "peer id");
        append_string(out, p.id.view());
      }
      append_int(out, "port", p.port);
      out += 'e';
    }
    out += 'e';
  }
  out += 'e';
  return out;
}

std::string encode_scrape_reply(const std::vector<scrape_entry>& entries) {
  std::string out = "d5:filesd";
  for (const auto& e : entries) {
    append_string(out, e.hash.view());
    out += 'd';
    append_int(out, "complete", e.complete);
    append_int(out, "downloaded", e.downloaded);
    append_int(out, "incomplete", e.incomplete);
    out += 'e';
  }
  out += "ee";
  return out;
}

std::string encode_failure(std::string_view reason) {
  std::string out = "d";
  append_string(out, "failure reason");
  append_string(out, reason);
  out += 'e';
  return out;
}

}  // namespace murder::tracker
