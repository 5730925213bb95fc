#pragma once
// Pidfiles and detaching into the background.
//
// murderctl starts and stops daemons through the pidfile each one writes, never by
// matching process names, so it can only ever signal a process it started.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "murder/core/error.hpp"

namespace murder {

// A pidfile held for the life of the process. create() refuses when the file names
// a live process (another instance is running) and replaces a stale one. The file
// is removed by the destructor, if it still names this process.
// A start refused because the pidfile names a live murder process: the
// caller of `--unless-running` says so and exits 0.
struct already_running : failure {
  already_running(pid_t running, const std::string& what) : failure(exit_code::usage, what), pid(running) {}
  pid_t pid;
};

class pidfile {
 public:
  pidfile() = default;
  ~pidfile();
  pidfile(const pidfile&) = delete;
  pidfile& operator=(const pidfile&) = delete;

  // Throws already_running when the pidfile names another live murder
  // process, failure(disk) when it cannot be written. Call it after detach(),
  // so the file names the process that does the work. Looking and writing
  // happen under a lock on the directory's .pidfile.lock (10 s at most), so
  // of two starts at once exactly one runs.
  void create(const std::filesystem::path& path);

 private:
  std::filesystem::path path_;
};

// The pid recorded in `path` if that process is alive and is a murder program
// (its name starts with "murder_"), else nullopt. The name check keeps a stale
// pidfile whose pid was reused by another program from ever naming it.
std::optional<pid_t> read_live_pid(const std::filesystem::path& path);

// Stops the murder process a pidfile names: SIGTERM, then up to `grace` for it to
// end, then SIGKILL. A missing or stale pidfile is not an error (the process is
// simply not running); a stale file is removed.
enum class stop_outcome { not_running, stopped, killed };
struct stop_report {
  stop_outcome outcome = stop_outcome::not_running;
  pid_t pid = 0;
};
stop_report stop_by_pidfile(const std::filesystem::path& path, std::chrono::seconds grace);

// Splits the process in two. The parent stays in the foreground and waits; the
// child is detached (new session, no controlling terminal) and carries on. The
// parent never returns from detach(): it exits with the status the child passes
// to report(), or with 1 and a line naming `what` if the child dies before it
// reports. SIGINT and SIGTERM sent to the parent are passed on to the child.
class background_child {
 public:
  // Tells the waiting parent to exit with `status` now. Afterwards stdin, stdout
  // and stderr point at /dev/null, so a caller reading our output (ssh) sees EOF.
  void report(int status);
  bool reported() const { return report_fd_ < 0; }

 private:
  friend background_child detach(const char* what);
  explicit background_child(int fd) : report_fd_(fd) {}
  int report_fd_;
};

background_child detach(const char* what);

// Raises this process's open-file limit (RLIMIT_NOFILE) to `needed` when it
// is lower. Throws failure(usage), saying what to do, when the hard limit is
// below `needed`, and failure(failure) when the raise itself fails; `what`
// names what needs the files.
void ensure_open_files(std::uint64_t needed, const std::string& what);

}  // namespace murder
