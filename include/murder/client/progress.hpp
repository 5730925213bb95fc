#pragma once
// How a transfer shows its progress: a redrawn bar on a terminal, or one line
// every few seconds when the output goes to a file or a pipe (ssh, CI logs).

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

namespace murder::client {

struct transfer_status {
  std::string name;
  std::uint64_t bytes_done = 0;
  std::uint64_t bytes_total = 0;
  std::int64_t download_rate = 0;  // bytes per second
  std::int64_t upload_rate = 0;
  int peers = 0;
  int seeds = 0;
  bool checking = false;  // verifying data already on disk
};

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

}  // namespace murder::client
