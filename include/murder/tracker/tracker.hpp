#pragma once
// A whole tracker: swarms, allowed torrents, state file, HTTP server, timers and
// signals, assembled from the pieces in this folder.

#include <spdlog/logger.h>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "murder/core/cidr.hpp"
#include "murder/tracker/server.hpp"
#include "murder/tracker/swarm.hpp"

namespace murder::tracker {

struct tracker_config {
  server_options server;
  registry_limits limits;
  std::optional<std::string> state_file;     // --dfile
  int save_interval = 60;                    // seconds between state-file writes
  std::optional<std::string> allowed_list;   // --allowed_list
  std::optional<std::string> allowed_dir;    // --allowed_dir
  access_rules access;                       // --allowed_cidrs and BitTornado's address options
  // --bind with a list: each is listened on, on the first one's port. Empty:
  // only server.bind_address.
  std::vector<std::string> bind_addresses;
};

// Runs until SIGINT or SIGTERM, then saves the state file and returns 0.
// `on_listening` is called with the bound port once the tracker answers requests
// (the daemon uses it to tell its parent that startup succeeded).
// Throws failure for bad configuration or when the port cannot be bound.
int run_tracker(const tracker_config& config, std::shared_ptr<spdlog::logger> log,
                const std::function<void(std::uint16_t)>& on_listening);

}  // namespace murder::tracker
