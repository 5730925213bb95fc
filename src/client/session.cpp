#include "murder/client/session.hpp"

#include <charconv>

#include <libtorrent/alert.hpp>

#include "murder/core/error.hpp"

namespace murder::client {

namespace lt = libtorrent;

lt::settings_pack make_settings(const session_options& options) {
  lt::settings_pack s;
  bool v6 = options.ip.find(':') != std::string::npos;
  std::string host = v6 ? "[" + options.ip + "]" : options.ip;
  if (options.every_interface) {
    s.set_str(lt::settings_pack::listen_interfaces, (v6 ? "[::]:" : "0.0.0.0:") + std::to_string(options.listen_port));
  } else {
    s.set_str(lt::settings_pack::listen_interfaces, host + ":" + std::to_string(options.listen_port));
    s.set_str(lt::settings_pack::outgoing_interfaces, options.ip);
  }
  s.set_str(lt::settings_pack::announce_ip, options.ip);
  s.set_int(lt::settings_pack::max_retry_port_bind, 200);
  s.set_str(lt::settings_pack::user_agent, "murder/0.1");
  s.set_str(lt::settings_pack::peer_fingerprint, "-MU0010-");

  s.set_bool(lt::settings_pack::enable_dht, false);
  s.set_bool(lt::settings_pack::enable_lsd, false);
  s.set_bool(lt::settings_pack::enable_upnp, false);
  s.set_bool(lt::settings_pack::enable_natpmp, false);
  s.set_bool(lt::settings_pack::enable_outgoing_utp, false);
  s.set_bool(lt::settings_pack::enable_incoming_utp, false);
  s.set_int(lt::settings_pack::out_enc_policy, lt::settings_pack::pe_disabled);
  s.set_int(lt::settings_pack::in_enc_policy, lt::settings_pack::pe_enabled);

  s.set_int(lt::settings_pack::alert_mask, lt::alert_category::error | lt::alert_category::status |
                                               lt::alert_category::storage | lt::alert_category::tracker |
                                               lt::alert_category::peer);

  s.set_bool(lt::settings_pack::allow_multiple_connections_per_ip, true);
  s.set_bool(lt::settings_pack::no_connect_privileged_ports, false);
  s.set_int(lt::settings_pack::connections_limit, 500);
  s.set_int(lt::settings_pack::connection_speed, 200);
  s.set_int(lt::settings_pack::torrent_connect_boost, 100);
  // Long enough for the kernel's SYN retries (after 1 s, then 3 s): on a link
  // full of payload a SYN or its answer is easily dropped.
  s.set_int(lt::settings_pack::peer_connect_timeout, 8);
  s.set_int(lt::settings_pack::handshake_timeout, 5);
  s.set_int(lt::settings_pack::min_reconnect_time, 1);
  // A whole fleet connects to each peer within a second of starting: a listen
  // backlog of 5 (libtorrent's default) drops SYNs, and after max_failcount
  // failed attempts a peer is given up.
  s.set_int(lt::settings_pack::listen_queue_size, 1024);
  s.set_int(lt::settings_pack::max_failcount, 10);

  s.set_int(lt::settings_pack::choking_algorithm, lt::settings_pack::fixed_slots_choker);
  s.set_int(lt::settings_pack::unchoke_slots_limit, -1);
  s.set_int(lt::settings_pack::max_out_request_queue, 1500);
  // A second of requests queued at each peer, not libtorrent's three: a piece
  // waits that long in the queue of every host it passes through, and a fleet
  // relays each piece through one or two hosts.
  s.set_int(lt::settings_pack::request_queue_time, 1);
  s.set_int(lt::settings_pack::max_allowed_in_request_queue, 2000);
  s.set_int(lt::settings_pack::send_buffer_watermark, 4 * 1024 * 1024);
  s.set_int(lt::settings_pack::send_buffer_low_watermark, 1024 * 1024);
  // For a disk back end with threads (the posix one in transfer.cpp has none).
  s.set_int(lt::settings_pack::aio_threads, 1);

  s.set_int(lt::settings_pack::min_announce_interval, 5);
  s.set_int(lt::settings_pack::tracker_completion_timeout, 10);
  s.set_int(lt::settings_pack::tracker_receive_timeout, 5);
  s.set_bool(lt::settings_pack::announce_to_all_tiers, true);
  s.set_bool(lt::settings_pack::announce_to_all_trackers, true);
  s.set_bool(lt::settings_pack::apply_ip_filter_to_trackers, false);
  // A cap counts payload, as an operator states it ("3 MB/s"), not TCP/IP headers.
  s.set_bool(lt::settings_pack::rate_limit_ip_overhead, false);
  s.set_int(lt::settings_pack::upload_rate_limit, options.upload_rate_limit);
  s.set_int(lt::settings_pack::download_rate_limit, options.download_rate_limit);
  for (const auto& assignment : options.setting_overrides) apply_setting_override(s, assignment);
  return s;
}

void check_setting_overrides(const std::vector<std::string>& assignments) {
  lt::settings_pack scratch;
  for (const auto& assignment : assignments) apply_setting_override(scratch, assignment);
}

void apply_setting_override(lt::settings_pack& pack, const std::string& assignment) {
  auto equals = assignment.find('=');
  std::string name = assignment.substr(0, equals);
  std::string value = equals == std::string::npos ? "" : assignment.substr(equals + 1);
  auto bad = [&](const std::string& why) {
    return failure(exit_code::usage, "libtorrent setting '" + assignment + "': " + why);
  };
  if (equals == std::string::npos || name.empty()) throw bad("not NAME=VALUE");
  int index = lt::setting_by_name(name);
  if (index < 0) throw bad("libtorrent has no setting called " + name);
  switch (index & lt::settings_pack::type_mask) {
    case lt::settings_pack::string_type_base:
      pack.set_str(index, value);
      break;
    case lt::settings_pack::bool_type_base:
      if (value != "true" && value != "false" && value != "1" && value != "0") throw bad("must be true or false");
      pack.set_bool(index, value == "true" || value == "1");
      break;
    default: {
      int number = 0;
      auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), number);
      if (err != std::errc() || end != value.data() + value.size()) throw bad("must be a whole number");
      pack.set_int(index, number);
    }
  }
}

lt::ip_filter make_peer_filter(const std::vector<cidr_range>& allowed) {
  lt::ip_filter filter;
  if (allowed.empty()) return filter;
  filter.add_rule(boost::asio::ip::make_address("0.0.0.0"), boost::asio::ip::make_address("255.255.255.255"),
                  lt::ip_filter::blocked);
  filter.add_rule(boost::asio::ip::make_address("::"),
                  boost::asio::ip::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), lt::ip_filter::blocked);
  for (const auto& range : allowed) filter.add_rule(range.first, range.last, 0);
  return filter;
}

}  // namespace murder::client
