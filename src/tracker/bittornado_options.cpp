#include "murder/tracker/bittornado_options.hpp"

#include <charconv>
#include <optional>

#include "murder/core/cidr.hpp"
#include "murder/core/error.hpp"

namespace murder::tracker {

namespace {

// An option murder_tracker accepts and does not act on. A value equal to
// `same_as_here` asks for what murder_tracker does anyway: no warning.
struct ignored_option {
  const char* name;
  std::optional<const char*> same_as_here;
  const char* why;
};

constexpr const char* no_nat_check = "murder_tracker does not NAT-check peers: the hosts of a fleet reach each other";
constexpr const char* no_multitracker =
    "murder_tracker does not talk to other trackers; name backups with murder_make_torrent --tracker";

const ignored_option ignored_options[] = {
    {"ipv6_enabled", std::nullopt, "IPv6 peers are served whenever the tracker listens on an IPv6 address (--bind)"},
    {"ipv6_binds_v4", std::nullopt, "a lone --bind :: takes IPv4 too; with several addresses each takes its own family"},
    {"timeout_check_interval", std::nullopt, "murder_tracker checks for silent peers every 5 s"},
    {"nat_check", "0", no_nat_check},
    {"log_nat_checks", "0", no_nat_check},
    {"min_time_between_log_flushes", std::nullopt, "the log is written line by line"},
    {"min_time_between_cache_refreshes", std::nullopt, "every reply is built from the current swarm"},
    {"allowed_controls", "0", "a .torrent in allowed_dir cannot change who may use the tracker"},
    {"multitracker_enabled", "0", no_multitracker},
    {"multitracker_allowed", std::nullopt, no_multitracker},
    {"multitracker_reannounce_interval", std::nullopt, no_multitracker},
    {"multitracker_maxpeers", std::nullopt, no_multitracker},
    {"aggregate_forward", "", no_multitracker},
    {"aggregator", "0", no_multitracker},
    {"hupmonitor", "0", "murder_tracker keeps its log file open; rotate it with copytruncate"},
    {"http_timeout", std::nullopt, "it timed NAT checks and multitracker requests, which murder_tracker does not make"},
    {"parse_dir_interval", std::nullopt, "allowed_dir and allowed_list are read again as soon as they change"},
    {"infopage_redirect", "", "the status page is served at /"},
    {"show_names", "1", "the status page always shows the torrents' names"},
    {"favicon", "", "the status page has no icon"},
    {"only_local_override_ip", std::nullopt, "an ip= parameter is honoured only inside --allowed_cidrs"},
    {"allow_get", "0", "murderctl and the Capistrano plugin hand .torrent files out over SSH"},
    {"keep_dead", "0", "a swarm goes when its peers fall silent or its .torrent leaves allowed_dir"},
    {"dedicated_seed_id", "", "seeds are counted from their announces"},
};

// The options applied here; their values are checked in apply_bittornado_options.
const std::pair<const char*, const char*> applied_options[] = {
    {"timeout_downloaders_interval", "seconds after which a silent peer is dropped (as --peer_timeout)"},
    {"socket_timeout", "seconds a client may take to send one request"},
    {"allowed_ips", "file of networks that may use the tracker, added to --allowed_cidrs"},
    {"banned_ips", "file of addresses refused even inside --allowed_cidrs"},
    {"scrape_allowed", "what /scrape answers: full, specific (named torrents only) or none"},
    {"show_infopage", "0: no status page at /"},
};

int positive_seconds(const std::string& name, const std::string& value) {
  int seconds = 0;
  auto [end, err] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (err != std::errc() || end != value.data() + value.size() || seconds < 1) {
    throw failure(exit_code::usage, "--" + name + " must be a whole number of seconds above 0, not '" + value + "'");
  }
  return seconds;
}

bool zero_or_one(const std::string& name, const std::string& value) {
  if (value != "0" && value != "1") throw failure(exit_code::usage, "--" + name + " must be 0 or 1, not '" + value + "'");
  return value == "1";
}

scrape_access scrape_word(const std::string& value) {
  if (value == "full") return scrape_access::full;
  if (value == "specific") return scrape_access::specific;
  if (value == "none") return scrape_access::none;
  throw failure(exit_code::usage, "--scrape_allowed must be full, specific or none, not '" + value + "'");
}

}  // namespace

void add_bittornado_options(CLI::App& app, bittornado_options& options) {
  const std::string group = "BitTornado options (for old command lines)";
  auto add = [&](const std::string& name, const std::string& help) {
    app.add_option_function<std::string>(
           "--" + name, [&options, name](const std::string& value) { options.given[name] = value; }, help)
        ->group(group);
  };
  for (const auto& [name, help] : applied_options) add(name, help);
  for (const auto& option : ignored_options) add(option.name, std::string("ignored: ") + option.why);
}

std::vector<std::string> apply_bittornado_options(const bittornado_options& options, tracker_config& config) {
  std::vector<std::string> warnings;
  for (const auto& [name, value] : options.given) {
    if (name == "timeout_downloaders_interval") {
      config.limits.peer_timeout = positive_seconds(name, value);
    } else if (name == "socket_timeout") {
      config.server.request_timeout = positive_seconds(name, value);
    } else if (name == "allowed_ips") {
      auto ranges = read_address_file(value);
      if (ranges.empty()) throw failure(exit_code::usage, "--allowed_ips " + value + " names no address: nobody could announce");
      auto& allowed = config.access.allowed_cidrs;
      allowed.insert(allowed.end(), ranges.begin(), ranges.end());
    } else if (name == "banned_ips") {
      auto ranges = read_address_file(value);
      config.access.banned.insert(config.access.banned.end(), ranges.begin(), ranges.end());
    } else if (name == "scrape_allowed") {
      config.access.scrape = scrape_word(value);
    } else if (name == "show_infopage") {
      config.access.status_page = zero_or_one(name, value);
    } else {
      for (const auto& option : ignored_options) {
        if (name != option.name) continue;
        if (option.same_as_here && value == *option.same_as_here) break;
        warnings.push_back("--" + name + " " + value + " is ignored: " + option.why);
      }
    }
  }
  return warnings;
}

}  // namespace murder::tracker
