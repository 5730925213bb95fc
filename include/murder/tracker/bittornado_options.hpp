#pragma once
// BitTornado's tracker options, as old command lines and init scripts pass them
// to murder_tracker.py (`--timeout_downloaders_interval 60 --allowed_ips ips.txt
// --nat_check 0`). None is a parse error. Each either sets what it means here
// or, when its value asks for something murder_tracker does not do, is
// accepted with one warning saying so and why.
//
// Applied: --timeout_downloaders_interval (a silent peer is dropped after it),
// --socket_timeout (seconds a client may take to send a request),
// --allowed_ips FILE (networks added to --allowed_cidrs), --banned_ips FILE
// (refused even inside them), --scrape_allowed full|specific|none,
// --show_infopage 0|1. --bind with a comma-separated list and
// --save_dfile_interval are murder_tracker's own options.

#include <CLI/CLI.hpp>

#include <map>
#include <string>
#include <vector>

#include "murder/tracker/tracker.hpp"

namespace murder::tracker {

// The BitTornado options given on a command line: name (without "--") to value.
struct bittornado_options {
  std::map<std::string, std::string> given;
};

// Adds every BitTornado tracker option murder_tracker does not name itself to
// `app`, in a help group of their own; parsing fills `options`.
void add_bittornado_options(CLI::App& app, bittornado_options& options);

// Sets in `config` what the given options mean here; returns one warning line
// for each option ignored. Throws failure(usage) for a value it cannot use,
// naming the option (a number that is not one, an address file that cannot be
// read, an unknown --scrape_allowed word).
std::vector<std::string> apply_bittornado_options(const bittornado_options& options, tracker_config& config);

}  // namespace murder::tracker
