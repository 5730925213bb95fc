#pragma once
// A running murder_client's figures, kept in a small JSON file beside its
// pidfile (seed-TAG.pid -> seed-TAG.status.json), so that `murder_client stop`
// and the front ends read exact byte counts instead of log wording.
//
//   {"role": "seed", "state": "seeding", "bytes_total": 33564862,
//    "bytes_uploaded": 34012345, "copies_uploaded": 1.013,
//    "requests_refused": 51234}
//
// A seed's `state` is "seeding" while it serves and "stopped" once it has
// ended cleanly. A detached peer (murder_client peer --detach) keeps one too:
// "downloading" with bytes_done, then "done" with bytes_from_peers,
// download_seconds and deliver_seconds, or "failed" with exit_code and error.
// The file is replaced atomically, so a reader sees a whole one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace murder::client {

struct run_figures {
  std::string role;   // "seed" or "peer"
  std::string state;  // seed: "seeding", "stopped"; peer: "downloading", "done", "failed"
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t requests_refused = 0;  // by the seed's one-copy policy
  // A peer's: verified bytes so far, payload bytes received (repeats included),
  // and once done, the download and delivery times; once failed, why.
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_from_peers = 0;
  double download_seconds = 0;
  double deliver_seconds = 0;
  int exit_code = 0;
  std::string error;

  double copies_uploaded() const;
};

// A seed's figures.
run_figures seed_figures(std::string state, std::uint64_t bytes_total, std::uint64_t bytes_uploaded,
                         std::uint64_t requests_refused);

std::filesystem::path status_path_for(const std::filesystem::path& pidfile);

std::string to_json(const run_figures& figures);
// Throws std::invalid_argument naming what is wrong.
run_figures figures_from_json(const std::string& text);

void write_status(const std::filesystem::path& path, const run_figures& figures);
// The figures in `path`, or nothing when it is missing or unreadable.
std::optional<run_figures> read_status(const std::filesystem::path& path);

}  // namespace murder::client
