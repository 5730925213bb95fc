#pragma once
// The two things murder_client does, as the original murder_client.py did them:
//
//   peer: download the payload, verify every piece, deliver it (optionally
//         extracted into a directory, atomically), then keep seeding for
//         `seed_after` seconds in a detached background process while the
//         foreground process exits 0 at once, so the caller can go on.
//   seed: check the payload against the torrent (or trust it), wait until the
//         tracker has answered, and serve until SIGTERM, optionally as a daemon
//         (the foreground returns only once seeding has really begun).

#include <spdlog/logger.h>

#include <optional>
#include <string>

#include "murder/client/transfer.hpp"

namespace murder::client {

// What names a run outside its pidfile.
struct run_labels {
  std::string tag;                       // the deploy's tag, else the payload's file name
  std::filesystem::path metrics_file;    // --metrics-file: a node-exporter textfile; empty: none
};

struct peer_job {
  transfer_options transfer;
  std::optional<std::filesystem::path> extract_to;  // unpack the tarball here
  std::optional<std::filesystem::path> copy_to;     // or place the file here
  bool replace_existing = false;  // empty a non-empty destination first
  // A tree torrent's earlier release to reuse (reuse_base.hpp): this one, or
  // with `find_base` the best of the target's siblings, or none.
  std::optional<std::filesystem::path> base;
  bool find_base = true;
  int seed_after = 30;            // seconds to keep seeding once done
  bool foreground = false;        // seed after completion without detaching
  int status_interval = 5;        // seconds between status lines off a terminal
  bool json = false;              // event lines on stdout (status_events.hpp) instead of text
  bool check_only = false;        // check the destination, then exit: nothing downloaded or written
  bool detach = false;            // return once started; the status file beside the pidfile says how it went
  std::string host;               // deploy form: names this host in a refusal (extract_options::host)
  std::string report_key;         // send the final event to the tracker under this key (peer_report.hpp)
  std::string pidfile;
  run_labels labels;
};

struct seed_job {
  transfer_options transfer;
  bool daemon = false;
  int announce_timeout = 30;  // seconds for the tracker's first answer; 0: do not wait
  bool json = false;          // a "seeding" event line on stdout instead of text
  bool unless_running = false;  // exit 0 at once when `pidfile` names a running murder process
  std::string pidfile;
  run_labels labels;
};

// Both return the exit status; failures are thrown as murder::failure.
int run_peer(const peer_job& job, std::shared_ptr<spdlog::logger> log);
int run_seed(const seed_job& job, std::shared_ptr<spdlog::logger> log);

}  // namespace murder::client
