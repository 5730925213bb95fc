#pragma once
// Turns one HTTP request into one reply. Never sees a socket: the server hands it
// the method, the target and the peer's address; tests and fuzzers call it directly.

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/cidr.hpp"
#include "murder/tracker/allowed_torrents.hpp"
#include "murder/tracker/peer_reports.hpp"
#include "murder/tracker/swarm.hpp"
#include "murder/tracker/tracker_stats.hpp"

namespace murder::tracker {

struct http_request_view {
  std::string_view method;
  std::string_view target;
  boost::asio::ip::address remote;
};

struct http_reply {
  int status = 200;
  std::string content_type = "text/plain";
  std::string body;
};

// Seconds on a monotonic scale.
using clock_fn = std::function<std::int64_t()>;
// The steady clock in whole seconds: the tracker's clock_fn, and its connections' deadlines.
std::int64_t monotonic_seconds();

// BitTornado's --scrape_allowed: what a /scrape may ask for.
enum class scrape_access {
  full,      // every torrent, or the ones named
  specific,  // only torrents named by info_hash
  none,      // no scrapes
};

// Who may use the tracker, and for what.
struct access_rules {
  // Empty: any address may use the tracker. Otherwise a request from outside
  // them is refused whatever it asks for: announce and scrape get a bencoded
  // failure, the status page and anything else 403. An `ip=` parameter is
  // honoured only when it too lies in them (or no filter is set); it sets where
  // the peer is advertised, never who it is (see swarm.hpp), so it cannot
  // stand in for another peer.
  std::vector<cidr_range> allowed_cidrs;
  // Refused like an outsider even inside `allowed_cidrs` (--banned_ips).
  std::vector<cidr_range> banned;
  scrape_access scrape = scrape_access::full;
  bool status_page = true;  // the page at "/" (--show_infopage)
};

class request_handler {
 public:
  // Rules with only an address filter.
  static access_rules only_from(std::vector<cidr_range> allowed_cidrs) {
    access_rules rules;
    rules.allowed_cidrs = std::move(allowed_cidrs);
    return rules;
  }
  request_handler(swarm_registry& registry, allowed_torrents& allowed, access_rules rules, clock_fn clock);

  // Answers `request`, timing announces and scrapes into stats().reply_times.
  http_reply handle(const http_request_view& request);
  const tracker_stats& stats() const { return stats_; }
  // For the server: refusals it answers itself (too large), and its open connections.
  tracker_stats& stats() { return stats_; }
  // Whether `remote` may use the tracker (allowed, not banned): the server asks at accept, so
  // outsiders never hold a connection slot.
  bool admits(const boost::asio::ip::address& remote) const;

 private:
  http_reply announce(const query_params& params, const boost::asio::ip::address& remote);
  http_reply scrape(const query_params& params);
  // /murder/report (a peer's last word) and /murder/reports (murderctl, from
  // the tracker's own host only): peer_reports.hpp.
  http_reply report(const query_params& params);
  http_reply reports(const query_params& params, const boost::asio::ip::address& remote);
  http_reply refuse(refusal why, std::string_view reason);
  http_reply refuse_http(refusal why, int status, std::string_view reason);

  swarm_registry& registry_;
  allowed_torrents& allowed_;
  access_rules rules_;
  clock_fn clock_;
  tracker_stats stats_;
  peer_reports reports_;
};

// What the tracker knows, for the status page and /metrics.
struct tracker_view {
  const swarm_registry& registry;
  const tracker_stats& stats;
  const allowed_torrents& allowed;
  std::int64_t now = 0;
};

// The operator's page served at "/" (status_page.cpp); `params` pick the
// torrent and the page of peers shown.
std::string render_status_page(const tracker_view& view, const query_params& params);
// The Prometheus text format served at "/metrics" (metrics.cpp).
std::string render_metrics(const tracker_view& view);

}  // namespace murder::tracker
