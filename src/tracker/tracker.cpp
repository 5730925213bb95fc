#include "murder/tracker/tracker.hpp"

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>

#include "murder/core/error.hpp"
#include "murder/tracker/state_file.hpp"

namespace murder::tracker {

namespace asio = boost::asio;

namespace {

// Calls `tick` every `period` seconds until the io_context stops.
void every(asio::steady_timer& timer, int period, std::function<void()> tick) {
  timer.expires_after(std::chrono::seconds(period));
  timer.async_wait([&timer, period, tick = std::move(tick)](boost::system::error_code ec) {
    if (ec) return;
    tick();
    every(timer, period, tick);
  });
}

}  // namespace

int run_tracker(const tracker_config& config, std::shared_ptr<spdlog::logger> log,
                const std::function<void(std::uint16_t)>& on_listening) {
  allowed_torrents allowed(config.allowed_list, config.allowed_dir);
  swarm_registry registry(config.limits);
  if (config.state_file) {
    state_restore restored = restore_state(*config.state_file, registry, monotonic_seconds());
    const state_load_result& loaded = restored.loaded;
    if (restored.problem) log->warn("{}; starting with no swarms", *restored.problem);
    log->info("loaded {} peers in {} swarms from {}", loaded.peers, loaded.swarms, *config.state_file);
    if (loaded.dropped() > 0) {
      log->warn("state file {}: dropped {} malformed swarms, {} malformed peers, {} swarms beyond --max_swarms {}",
                *config.state_file, loaded.malformed_swarms, loaded.malformed_peers, loaded.over_cap_swarms,
                config.limits.max_swarms);
    }
  }
  request_handler handler(registry, allowed, config.access, monotonic_seconds);
  asio::io_context io(1);
  // One server per address, all on the first one's port (which may be chosen by the system).
  std::vector<std::unique_ptr<tracker_server>> servers;
  server_options options = config.server;
  std::vector<std::string> addresses = config.bind_addresses;
  if (addresses.empty()) addresses.push_back(config.server.bind_address);
  options.v6_only = addresses.size() > 1;
  for (const auto& address : addresses) {
    options.bind_address = address;
    servers.push_back(std::make_unique<tracker_server>(io, handler, options, log));
    options.port = servers.front()->port();
  }
  for (auto& server : servers) server->start();
  handler.stats().open_connections = [&servers] {
    size_t open = 0;
    for (const auto& server : servers) open += server->open_connections() + server->outside_connections();
    return open;
  };

  auto save = [&] {
    if (!config.state_file) return;
    try {
      save_state(registry, *config.state_file);
    } catch (const failure& e) {
      log->error("{}", e.what());
    }
  };
  asio::steady_timer expiry_timer(io), save_timer(io);
  every(expiry_timer, 5, [&] {
    const std::int64_t now = monotonic_seconds();
    registry.note_totals(now);
    if (size_t gone = registry.expire(now)) log->info("dropped {} silent peers", gone);
    if (size_t gone = drop_unserved_swarms(allowed, registry, now)) {
      log->info("dropped {} swarms of torrents no longer allowed", gone);
    }
  });
  if (config.state_file) every(save_timer, config.save_interval, save);

  asio::signal_set signals(io, SIGINT, SIGTERM);
  signals.async_wait([&](boost::system::error_code, int sig) {
    log->info("signal {}: shutting down", sig);
    for (auto& server : servers) server->stop();
    io.stop();
  });

  if (allowed.is_open()) {
    log->warn("no --allowed_list or --allowed_dir: serving any info-hash");
  } else {
    log->info("serving {} allowed torrents", allowed.size());
  }
  if (!config.access.allowed_cidrs.empty()) {
    log->info("announces only from {}", describe_ranges(config.access.allowed_cidrs));
  }
  if (!config.access.banned.empty()) log->info("refusing {}", describe_ranges(config.access.banned));
  if (!config.limits.where.empty()) {
    log->info("locations: {}; {} gateways each", config.limits.where.describe(), config.limits.gateways_per_location);
  }
  const std::uint16_t port = servers.front()->port();
  for (const auto& address : addresses) log->info("listening on {}:{}", address, port);
  on_listening(port);
  io.run();
  save();
  log->info("stopped after {} announces", handler.stats().announces);
  return 0;
}

}  // namespace murder::tracker
