#pragma once
// murder_client's command line (README, "murder_client"): the modes, their
// options, and the deploy form (deploy_form.hpp) resolved into jobs.

#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "murder/client/client.hpp"
#include "murder/client/peer_report.hpp"
#include "murder/client/serve_bundle.hpp"

namespace murder::client {

struct client_command {
  enum class mode { peer, seed, stop, status, install_bundle, serve_bundle, reports };
  mode what = mode::peer;
  peer_job peer;
  seed_job seed;
  std::string logfile;                           // peer and seed: empty for stderr
  std::vector<std::filesystem::path> pidfiles;   // stop and status
  int grace = 10;                                // stop: seconds before SIGKILL
  double wait = 0;                               // status: seconds to wait while a peer downloads
  bool progress = false;                         // status: lines while waiting, too
  bool json = false;                             // stop and status
  std::filesystem::path home;                    // install-bundle
  serve_bundle_job serve;                        // serve-bundle
  reports_job reports;                           // reports
};

// The command to run, or the status to exit with now (--help, --version).
// Throws failure(usage) naming what is wrong.
std::variant<int, client_command> parse_client_command(int argc, char** argv);

}  // namespace murder::client
