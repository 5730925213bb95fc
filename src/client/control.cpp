#include "murder/client/control.hpp"

#include <algorithm>
#include <cstdio>
#include <thread>

#include "murder/client/status_events.hpp"
#include "murder/client/status_file.hpp"
#include "murder/core/process.hpp"

namespace murder::client {

namespace {

// "; uploaded U of S bytes (C copies)" from the stopped process's status file.
std::string figures_note(const std::filesystem::path& pidfile) {
  auto figures = read_status(status_path_for(pidfile));
  if (!figures || figures->state != "stopped") return "";
  char note[160];
  std::snprintf(note, sizeof note, "; uploaded %llu of %llu bytes (%.2f copies)",
                static_cast<unsigned long long>(figures->bytes_uploaded),
                static_cast<unsigned long long>(figures->bytes_total), figures->copies_uploaded());
  return note;
}

const char* outcome_name(stop_outcome outcome) {
  switch (outcome) {
    case stop_outcome::not_running: return "not_running";
    case stop_outcome::stopped: return "stopped";
    case stop_outcome::killed: return "killed";
  }
  return "unknown";
}

void print_json_line(const std::filesystem::path& pidfile, const stop_report& report) {
  stop_event event{pidfile.string(), outcome_name(report.outcome), std::nullopt, read_status(status_path_for(pidfile))};
  if (report.outcome != stop_outcome::not_running) event.pid = static_cast<long long>(report.pid);
  std::printf("%s\n", to_json_line(event).c_str());
}

}  // namespace

int run_stop(const std::vector<std::filesystem::path>& pidfiles, std::chrono::seconds grace, bool json) {
  for (const auto& path : pidfiles) {
    stop_report report = stop_by_pidfile(path, grace);
    if (json) {
      print_json_line(path, report);
      continue;
    }
    switch (report.outcome) {
      case stop_outcome::not_running:
        std::printf("not running: %s\n", path.c_str());
        break;
      case stop_outcome::stopped:
        std::printf("stopped pid %d: %s%s\n", static_cast<int>(report.pid), path.c_str(), figures_note(path).c_str());
        break;
      case stop_outcome::killed:
        std::printf("killed pid %d after %lld s: %s\n", static_cast<int>(report.pid),
                    static_cast<long long>(grace.count()), path.c_str());
        break;
    }
  }
  return 0;
}

namespace {

bool still_downloading(const std::filesystem::path& pidfile) {
  auto figures = read_status(status_path_for(pidfile));
  return figures && figures->state == "downloading" && read_live_pid(pidfile);
}

}  // namespace

namespace {

// One line per pidfile: "status" events, or words.
int print_status(const std::vector<std::filesystem::path>& pidfiles, bool json) {
  int status = 0;
  for (const auto& path : pidfiles) {
    auto pid = read_live_pid(path);
    if (!pid) status = 1;
    if (json) {
      status_event event{path.string(), pid.has_value(), std::nullopt, read_status(status_path_for(path))};
      if (pid) event.pid = static_cast<long long>(*pid);
      std::printf("%s\n", to_json_line(event).c_str());
    } else if (pid) {
      std::printf("running pid %d: %s\n", static_cast<int>(*pid), path.c_str());
    } else {
      std::printf("not running: %s\n", path.c_str());
    }
  }
  std::fflush(stdout);
  return status;
}

}  // namespace

int run_status(const std::vector<std::filesystem::path>& pidfiles, bool json, std::chrono::milliseconds wait,
               bool progress) {
  constexpr auto look = std::chrono::milliseconds(100);
  constexpr int looks_a_line = 10;  // progress: a line a second
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (int looks = 1; std::chrono::steady_clock::now() < deadline &&
                      std::any_of(pidfiles.begin(), pidfiles.end(), still_downloading);
       ++looks) {
    std::this_thread::sleep_for(look);
    if (progress && json && looks % looks_a_line == 0) print_status(pidfiles, json);
  }
  return print_status(pidfiles, json);
}

}  // namespace murder::client
