#pragma once
// Runs a plan of tasks: each task on its hosts in parallel (at most
// `concurrency` hosts at once, so 10,000 hosts never mean 10,000 sockets), tasks
// one after another. After a task fails on any host, only cleanup tasks (the
// stops) still run; the rest are recorded as skipped.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/ctl/tasks.hpp"

namespace murder::ctl {

struct run_options {
  int concurrency = 100;
  int retries = 0;                          // further attempts for a host that failed
  std::chrono::seconds retry_delay{5};      // pause before each further attempt
  std::filesystem::path log_dir;            // one HOST.log per host; empty: none
};

enum class host_outcome { ok, failed, skipped };

struct host_result {
  std::string task;
  std::string host;  // "*" for a row about the task as a whole
  host_outcome outcome = host_outcome::ok;
  double seconds = 0;
  int attempts = 0;
  std::string error;  // one line, when failed
  std::string note;   // what the task reports, when ok
};

// Follows a run as it goes (the live progress line). Called from worker threads.
class run_observer {
 public:
  virtual ~run_observer() = default;
  virtual void task_started(std::string_view task, size_t hosts) = 0;
  virtual void host_finished(bool ok) = 0;
  virtual void host_bytes(size_t host_index, std::uint64_t done, std::uint64_t total) = 0;
  virtual void task_finished() = 0;
};

// Retries only what may pass a second time: connection trouble, timeouts,
// stalled transfers and unclassified failures, not bad values or full disks.
bool worth_retrying(exit_code code);

std::vector<host_result> run_tasks(const std::vector<const task*>& plan, task_env& env, const run_options& options,
                                   run_observer& observer);

}  // namespace murder::ctl
