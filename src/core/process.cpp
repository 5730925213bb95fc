#include "murder/core/process.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder {
namespace fs = std::filesystem;

namespace {

// Reads /proc/PID/stat: "pid (comm) state ...". A zombie has finished running even
// while its parent has not reaped it yet.
bool running_murder_program(pid_t pid) {
  if (pid <= 0 || (::kill(pid, 0) != 0 && errno != EPERM)) return false;
  std::string stat;
  try {
    stat = read_file("/proc/" + std::to_string(pid) + "/stat");
  } catch (const failure&) {
    return false;
  }
  auto open = stat.find('(');
  auto close = stat.rfind(')');
  if (open == std::string::npos || close == std::string::npos || close + 2 >= stat.size()) return false;
  std::string name = stat.substr(open + 1, close - open - 1);
  char state = stat[close + 2];
  return name.rfind("murder_", 0) == 0 && state != 'Z' && state != 'X';
}

std::optional<pid_t> read_pid(const fs::path& path) {
  FILE* f = std::fopen(path.c_str(), "r");
  if (!f) return std::nullopt;
  long pid = 0;
  int n = std::fscanf(f, "%ld", &pid);
  std::fclose(f);
  if (n != 1 || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

volatile sig_atomic_t forward_to = 0;

void forward_signal(int sig) {
  if (forward_to > 0) ::kill(static_cast<pid_t>(forward_to), sig);
}

}  // namespace

pidfile::~pidfile() {
  if (path_.empty()) return;
  auto pid = read_pid(path_);
  if (pid && *pid == ::getpid()) ::unlink(path_.c_str());
}

void pidfile::create(const fs::path& path) {
  std::error_code ec;
  if (!path.parent_path().empty()) fs::create_directories(path.parent_path(), ec);
  // Looking and writing under one lock: two starts at once (two deploys, or
  // two hosts sharing murder's directory) cannot both see no live process
  // and both run, the later one's pidfile hiding the earlier. One lock file a
  // directory, readable by its owner only, never followed through a link.
  const fs::path lock_path = (path.parent_path().empty() ? fs::path(".") : path.parent_path()) / ".pidfile.lock";
  struct held_lock {
    int fd;
    ~held_lock() {
      if (fd >= 0) ::close(fd);  // closing releases the lock
    }
  } lock{::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (lock.fd < 0) throw failure(exit_code::disk, "cannot open " + lock_path.string() + ": " + errno_text(errno));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (::flock(lock.fd, LOCK_EX | LOCK_NB) != 0) {
    if ((errno != EWOULDBLOCK && errno != EINTR) || std::chrono::steady_clock::now() >= deadline) {
      throw failure(exit_code::failure, "cannot lock " + lock_path.string() + " within 10 s: " + errno_text(errno));
    }
    ::usleep(20 * 1000);
  }
  if (auto pid = read_live_pid(path); pid && *pid != ::getpid()) {
    throw already_running(*pid, "pidfile " + path.string() + " names running process " + std::to_string(*pid));
  }
  write_file_atomically(path, std::to_string(::getpid()) + "\n");
  path_ = path;
}

std::optional<pid_t> read_live_pid(const fs::path& path) {
  auto pid = read_pid(path);
  if (pid && running_murder_program(*pid)) return pid;
  return std::nullopt;
}

stop_report stop_by_pidfile(const fs::path& path, std::chrono::seconds grace) {
  auto pid = read_live_pid(path);
  if (!pid) {
    std::error_code ec;
    fs::remove(path, ec);
    return {};
  }
  if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH) {
    throw failure(exit_code::failure, "cannot signal process " + std::to_string(*pid) + " named by " + path.string() +
                                          ": " + errno_text(errno));
  }
  auto deadline = std::chrono::steady_clock::now() + grace;
  while (running_murder_program(*pid)) {
    if (std::chrono::steady_clock::now() >= deadline) {
      ::kill(*pid, SIGKILL);
      std::error_code ec;
      fs::remove(path, ec);
      return {stop_outcome::killed, *pid};
    }
    ::usleep(50 * 1000);
  }
  return {stop_outcome::stopped, *pid};
}

void background_child::report(int status) {
  if (report_fd_ < 0) return;
  unsigned char byte = static_cast<unsigned char>(status);
  while (::write(report_fd_, &byte, 1) < 0 && errno == EINTR) {
  }
  ::close(report_fd_);
  report_fd_ = -1;
  int null_fd = ::open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    ::dup2(null_fd, 0);
    ::dup2(null_fd, 1);
    ::dup2(null_fd, 2);
    if (null_fd > 2) ::close(null_fd);
  }
}

background_child detach(const char* what) {
  std::fflush(nullptr);
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw failure(exit_code::failure, std::string("cannot create a pipe: ") + errno_text(errno));
  pid_t pid = ::fork();
  if (pid < 0) throw failure(exit_code::failure, std::string("cannot fork: ") + errno_text(errno));
  if (pid == 0) {
    ::close(fds[0]);
    ::setsid();
    return background_child(fds[1]);
  }
  ::close(fds[1]);
  forward_to = pid;
  struct sigaction sa {};
  sa.sa_handler = forward_signal;
  ::sigaction(SIGINT, &sa, nullptr);
  ::sigaction(SIGTERM, &sa, nullptr);
  ::sigaction(SIGHUP, &sa, nullptr);
  unsigned char status = 0;
  ssize_t n;
  do {
    n = ::read(fds[0], &status, 1);
  } while (n < 0 && errno == EINTR);
  if (n == 1) std::_Exit(status);
  int wstatus = 0;
  ::waitpid(pid, &wstatus, 0);
  // A child that exited non-zero has printed its own error line already.
  if (WIFSIGNALED(wstatus)) {
    std::fprintf(stderr, "%s: error: background process %d was killed by signal %d\n", what, pid, WTERMSIG(wstatus));
  } else if (WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) {
    std::fprintf(stderr, "%s: error: background process %d exited before reporting a result\n", what, pid);
  }
  std::_Exit(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) != 0 ? WEXITSTATUS(wstatus) : 1);
}

void ensure_open_files(std::uint64_t needed, const std::string& what) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= needed) return;
  if (limit.rlim_max != RLIM_INFINITY && limit.rlim_max < needed) {
    throw failure(exit_code::usage, what + " needs about " + std::to_string(needed) +
                                        " open files, and this process may open at most " +
                                        std::to_string(limit.rlim_max) + " (ulimit -Hn): raise that limit, or ask for less");
  }
  limit.rlim_cur = static_cast<rlim_t>(needed);
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    throw failure(exit_code::failure, what + ": cannot raise the open-file limit to " + std::to_string(needed) + ": " +
                                          errno_text(errno));
  }
}

}  // namespace murder
