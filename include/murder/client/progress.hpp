#pragma once
// How a transfer shows its progress: a redrawn bar on a terminal, one line every
// few seconds when the output goes to a file or a pipe (ssh, CI logs), or JSON
// event lines for a program that drives murder_client (--json).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "murder/client/status_events.hpp"

namespace murder::client {

class progress_reporter {
 public:
  virtual ~progress_reporter() = default;
  virtual void update(const transfer_status& status) = 0;
  virtual void finish(const transfer_status& status) = 0;
};

// One line of status text, e.g. "T.tgz 45.0% 23.6/52.4 MB 10.2 MB/s down 0.0 MB/s up 8 peers (1 seeds)".
std::string format_status(const transfer_status& status);

// A bar when `out` is a terminal, else a line every `line_interval`.
std::unique_ptr<progress_reporter> make_progress_reporter(std::FILE* out, std::chrono::seconds line_interval);

// A "progress" event line (status_events.hpp) every `interval` on `out`, and at the end.
std::unique_ptr<progress_reporter> make_json_progress_reporter(std::FILE* out, std::chrono::seconds interval);

}  // namespace murder::client
