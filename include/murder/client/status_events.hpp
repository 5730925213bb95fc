#pragma once
// What murder_client tells a program that drives it: with --json, one JSON object
// a line on stdout, each with an "event" naming its kind. murderctl and the
// Capistrano plugin read these lines, never the human wording; docs/STATUS.md
// documents them. Fields are added, never renamed or removed; a reader skips
// lines and fields it does not know.
//
//   {"event":"progress","name":"T.tgz","bytes_done":1048576,"bytes_total":33564862,
//    "download_rate":9830400,"upload_rate":0,"peers":8,"seeds":1,"checking":false}
//   {"event":"done","path":"/tmp/T.tgz","bytes":33564862,"bytes_from_peers":30012345,
//    "download_seconds":4.21,"deliver_seconds":0.35}
//   {"event":"seeding","path":"/tmp/T.tgz","bytes":33564862}
//   {"event":"failed","exit_code":4,"message":"no progress for 60 s ..."}
//   {"event":"stop","pidfile":"/srv/murder/run/seed-T.pid","outcome":"stopped","pid":4242,
//    "figures":{"role":"seed","state":"stopped","bytes_total":...}}   (stop --json)
//   {"event":"status","pidfile":"/srv/murder/run/seed-T.pid","running":true,"pid":4242,
//    "figures":{...}}                                                (status --json)
// Byte counts are exact integers; rates are bytes per second; seconds are decimal.
// A failure also prints its one "murder_client: error:" line on stderr and exits
// with its code (README, "Exit codes").

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "murder/client/status_file.hpp"

namespace murder::client {

// A transfer's state at one moment.
struct transfer_status {
  std::string name;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::int64_t download_rate = 0;  // bytes per second
  std::int64_t upload_rate = 0;
  int peers = 0;
  int seeds = 0;
  bool checking = false;  // verifying data already on disk
  std::uint64_t bytes_uploaded = 0;  // payload bytes sent to peers so far (not in the event line)
};

// A peer's payload is complete, verified and delivered.
struct done_event {
  std::string path;
  std::uint64_t bytes = 0;
  std::uint64_t bytes_from_peers = 0;
  double download_seconds = 0;
  double deliver_seconds = 0;
};

// A seed's tracker has answered: it serves.
struct seeding_event {
  std::string path;
  std::uint64_t bytes = 0;
};

struct failed_event {
  int exit_code = 1;
  std::string message;
};

struct stop_event {
  std::string pidfile;
  std::string outcome;  // "stopped", "killed", "not_running"
  std::optional<long long> pid;
  std::optional<run_figures> figures;  // from the status file, when there is one
};

struct status_event {
  std::string pidfile;
  bool running = false;
  std::optional<long long> pid;
  std::optional<run_figures> figures;  // from the status file, when there is one
};

using client_event = std::variant<transfer_status, done_event, seeding_event, failed_event, stop_event, status_event>;

// A done peer in words, as murder_client's last line and murderctl's row say it:
// "33564862 bytes, 30012345 fetched from peers, 4.2 s, delivered in 0.35 s".
std::string describe(const done_event& done);

// One line, without its newline.
std::string to_json_line(const client_event& event);

// The event on `line`, or nothing when the line is not one (human text, an
// unknown event, a malformed object).
std::optional<client_event> parse_event_line(std::string_view line);

}  // namespace murder::client
