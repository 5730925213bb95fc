#include "murder/client/control.hpp"

#include <cstdio>

#include "murder/core/process.hpp"

namespace murder::client {

int run_stop(const std::vector<std::filesystem::path>& pidfiles, std::chrono::seconds grace) {
  for (const auto& path : pidfiles) {
    stop_report report = stop_by_pidfile(path, grace);
    switch (report.outcome) {
      case stop_outcome::not_running:
        std::printf("not running: %s\n", path.c_str());
        break;
      case stop_outcome::stopped:
        std::printf("stopped pid %d: %s\n", static_cast<int>(report.pid), path.c_str());
        break;
      case stop_outcome::killed:
        std::printf("killed pid %d after %lld s: %s\n", static_cast<int>(report.pid),
                    static_cast<long long>(grace.count()), path.c_str());
        break;
    }
  }
  return 0;
}

int run_status(const std::vector<std::filesystem::path>& pidfiles) {
  int status = 0;
  for (const auto& path : pidfiles) {
    if (auto pid = read_live_pid(path)) {
      std::printf("running pid %d: %s\n", static_cast<int>(*pid), path.c_str());
    } else {
      std::printf("not running: %s\n", path.c_str());
      status = 1;
    }
  }
  return status;
}

}  // namespace murder::client
