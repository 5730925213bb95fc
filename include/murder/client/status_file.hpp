#pragma once
// A running murder_client's figures, kept in a small JSON file beside its
// pidfile (seed-TAG.pid -> seed-TAG.status.json), so that `murder_client stop`
// and the front ends read exact byte counts instead of log wording.
//
//   {"role": "seed", "state": "seeding", "bytes_total": 33564862,
//    "bytes_uploaded": 34012345, "copies_uploaded": 1.013,
//    "requests_refused": 51234}
//
// `state` is "seeding" while the process serves and "stopped" once it has
// ended cleanly. The file is replaced atomically, so a reader sees a whole one.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

namespace murder::client {

struct run_figures {
  std::string role;   // "seed" or "peer"
  std::string state;  // "seeding", "stopped"
  std::uint64_t bytes_total = 0;
  std::uint64_t bytes_uploaded = 0;
  std::uint64_t requests_refused = 0;  // by the seed's one-copy policy

  double copies_uploaded() const;
};

std::filesystem::path status_path_for(const std::filesystem::path& pidfile);

std::string to_json(const run_figures& figures);
// Throws std::invalid_argument naming what is wrong.
run_figures figures_from_json(const std::string& text);

void write_status(const std::filesystem::path& path, const run_figures& figures);
// The figures in `path`, or nothing when it is missing or unreadable.
std::optional<run_figures> read_status(const std::filesystem::path& path);

}  // namespace murder::client
