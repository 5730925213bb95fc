#include "murder/tracker/request_handler.hpp"

#include <algorithm>
#include <chrono>

namespace murder::tracker {

std::int64_t monotonic_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

request_handler::request_handler(swarm_registry& registry, allowed_torrents& allowed, access_rules rules,
                                 clock_fn clock)
    : registry_(registry), allowed_(allowed), rules_(std::move(rules)), clock_(std::move(clock)) {}

http_reply request_handler::refuse(refusal why, std::string_view reason) {
  stats_.refuse(why);
  // BitTorrent clients only read failures from a 200 reply's body.
  return {200, "text/plain", encode_failure(reason)};
}

http_reply request_handler::refuse_http(refusal why, int status, std::string_view reason) {
  stats_.refuse(why);
  return {status, "text/plain", std::string(reason) + "\n"};
}

http_reply request_handler::handle(const http_request_view& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return refuse_http(refusal::malformed, 405, "only GET is supported");
  }
  auto parsed = parse_target(request.target);
  if (!parsed) return refuse_http(refusal::malformed, 400, "malformed request target");
  const auto& [path, params] = *parsed;
  const bool tracker_path = path == "/announce" || path == "/scrape";
  if (!admits(request.remote)) {
    constexpr std::string_view outsider = "your address is not allowed to use this tracker";
    return tracker_path ? refuse(refusal::address, outsider) : refuse_http(refusal::address, 403, outsider);
  }
  if (tracker_path) {
    // Only what BitTorrent clients ask is timed: a status page or /metrics of
    // a large tracker takes longer and would hide the announces' times.
    const auto started = std::chrono::steady_clock::now();
    http_reply reply = path == "/announce" ? announce(params, request.remote) : scrape(params);
    stats_.reply_times.observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    return reply;
  }
  if (path == "/murder/report") return report(params);
  if (path == "/murder/reports") return reports(params, request.remote);
  const tracker_view view{registry_, stats_, allowed_, clock_()};
  if (rules_.status_page && (path == "/" || path == "/index.html")) {
    return {200, "text/html; charset=utf-8", render_status_page(view, params)};
  }
  if (rules_.status_page && path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", render_metrics(view)};
  }
  return {404, "text/plain", "not found\n"};
}

bool request_handler::admits(const boost::asio::ip::address& remote) const {
  // address_allowed() lets anything through an empty list: banned must not.
  const bool banned = !rules_.banned.empty() && address_allowed(rules_.banned, remote);
  return !banned && address_allowed(rules_.allowed_cidrs, remote);
}

http_reply request_handler::announce(const query_params& params, const boost::asio::ip::address& remote) {
  auto parsed = parse_announce(params);
  if (auto* reason = std::get_if<std::string>(&parsed)) return refuse(refusal::malformed, *reason);
  auto& request = std::get<announce_request>(parsed);
  std::int64_t now = clock_();
  if (!allowed_.allows(request.hash, now)) return refuse(refusal::not_allowed, "torrent not served by this tracker");
  if (request.ip && !admits(*request.ip)) {
    return refuse(refusal::address, "the ip parameter is not an allowed address");
  }
  auto reply = registry_.announce(request, remote, now);
  if (!reply) return refuse(refusal::tracker_full, "tracker full: too many torrents");
  ++stats_.announces;
  return {200, "text/plain", encode_announce_reply(*reply, request.compact, request.no_peer_id)};
}

http_reply request_handler::scrape(const query_params& params) {
  auto parsed = parse_scrape(params);
  if (auto* reason = std::get_if<std::string>(&parsed)) return refuse(refusal::malformed, *reason);
  const auto& wanted = std::get<std::vector<info_hash>>(parsed);
  if (rules_.scrape == scrape_access::none) return refuse(refusal::scrape, "scraping is not allowed on this tracker");
  if (rules_.scrape == scrape_access::specific && wanted.empty()) {
    return refuse(refusal::scrape, "this tracker scrapes only the torrents named by info_hash");
  }
  ++stats_.scrapes;
  return {200, "text/plain", encode_scrape_reply(registry_.scrape(wanted))};
}

namespace {

// The one value of `name` in `params`, if given once.
const std::string* single(const query_params& params, std::string_view name) {
  const std::string* found = nullptr;
  for (const auto& [key, value] : params) {
    if (key != name) continue;
    if (found) return nullptr;
    found = &value;
  }
  return found;
}

}  // namespace

http_reply request_handler::report(const query_params& params) {
  const std::string* hash_text = single(params, "info_hash");
  const std::string* key = single(params, "key");
  const std::string* line = single(params, "report");
  auto hash = hash_text ? info_hash::from(*hash_text) : std::nullopt;
  if (!hash || !key || !line) {
    return refuse_http(refusal::malformed, 400, "a report needs one info_hash (20 bytes), key and report");
  }
  if (!allowed_.allows(*hash, clock_())) {
    return refuse_http(refusal::not_allowed, 404, "torrent not served by this tracker");
  }
  std::string why = reports_.add(*hash, *key, *line);
  if (!why.empty()) return refuse_http(refusal::malformed, 400, why);
  return {200, "text/plain", "ok\n"};
}

http_reply request_handler::reports(const query_params& params, const boost::asio::ip::address& remote) {
  const bool local =
      remote.is_loopback() ||
      (remote.is_v6() && remote.to_v6().is_v4_mapped() &&
       boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, remote.to_v6()).is_loopback());
  if (!local) return refuse_http(refusal::address, 403, "reports are read on the tracker's own host only");
  const std::string* hash_text = single(params, "info_hash");
  auto hash = hash_text ? info_hash::from(*hash_text) : std::nullopt;
  if (!hash) return refuse_http(refusal::malformed, 400, "reports needs one info_hash (20 bytes)");
  // First what the swarm still does, so a reader knows whether more may
  // come: its seeds and downloaders, and how long since any downloader's
  // `left` last went down (a killed peer's never does again).
  int complete = 0, incomplete = 0;
  std::int64_t progressed = -1;
  if (auto it = registry_.swarms().find(*hash); it != registry_.swarms().end()) {
    for (const auto& peer : it->second.peers()) {
      if (peer.is_seed) {
        ++complete;
      } else {
        ++incomplete;
        progressed = std::max(progressed, peer.progressed_at);
      }
    }
  }
  const std::int64_t still_for = progressed < 0 ? 0 : std::max<std::int64_t>(0, clock_() - progressed);
  std::string body = "complete " + std::to_string(complete) + " incomplete " + std::to_string(incomplete) +
                     " still " + std::to_string(still_for) + "\n";
  for (const auto& line : reports_.lines(*hash)) body += line + "\n";
  return {200, "text/plain", body};
}

}  // namespace murder::tracker
