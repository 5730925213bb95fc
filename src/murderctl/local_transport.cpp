#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/ctl/transport.hpp"
#include "line_splitter.hpp"

namespace murder::ctl {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

std::string login_relative(const std::string& path) {
  if (path == "~") return ".";
  if (path.rfind("~/", 0) == 0) return path.substr(2);
  return path;
}

namespace {

class local_connection : public host_connection {
 public:
  local_connection(std::string host, fs::path dir) : host_(std::move(host)), dir_(std::move(dir)) {}

  command_result run(const std::string& command, std::chrono::seconds timeout, const line_sink& on_line) override {
    int out[2], err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
      throw failure(exit_code::failure, host_ + ": cannot create a pipe: " + errno_text(errno));
    }
    pid_t pid = ::fork();
    if (pid < 0) throw failure(exit_code::failure, host_ + ": cannot fork: " + errno_text(errno));
    if (pid == 0) {
      ::setpgid(0, 0);
      ::dup2(out[1], 1);
      ::dup2(err[1], 2);
      int null_fd = ::open("/dev/null", O_RDONLY);
      ::dup2(null_fd, 0);
      if (::chdir(dir_.c_str()) != 0) _exit(126);
      ::setenv("HOME", dir_.c_str(), 1);
      ::unsetenv("SSH_CONNECTION");  // this machine's own session, if any, is not the local host's
      ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }
    ::close(out[1]);
    ::close(err[1]);
    command_result result;
    line_splitter out_lines(result.output, false), err_lines(result.errors, true);
    pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
    auto deadline = clock_type::now() + timeout;
    int open_streams = 2;
    while (open_streams > 0) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
      if (left <= 0) {
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
        ::close(out[0]);
        ::close(err[0]);
        throw failure(exit_code::network,
                      host_ + ": command did not finish within " + std::to_string(timeout.count()) + " s");
      }
      if (::poll(fds, 2, static_cast<int>(std::min<long long>(left, 1000))) < 0 && errno != EINTR) break;
      for (int i = 0; i < 2; ++i) {
        if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        char buffer[16384];
        ssize_t n = ::read(fds[i].fd, buffer, sizeof buffer);
        if (n > 0) {
          (i == 0 ? out_lines : err_lines).feed(buffer, static_cast<size_t>(n), on_line);
        } else if (n == 0 || errno != EINTR) {
          ::close(fds[i].fd);
          fds[i].fd = -1;
          --open_streams;
        }
      }
    }
    out_lines.finish(on_line);
    err_lines.finish(on_line);
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
  }

  void upload(std::string_view contents, const std::string& remote_path, unsigned mode) override {
    write_file_atomically(resolve(remote_path), contents, mode);
  }

  std::string download(const std::string& remote_path) override { return read_file(resolve(remote_path)); }

 private:
  fs::path resolve(const std::string& remote_path) const {
    fs::path p = login_relative(remote_path);
    return p.is_absolute() ? p : dir_ / p;
  }

  std::string host_;
  fs::path dir_;
};

class local_transport : public transport {
 public:
  explicit local_transport(fs::path root) : root_(std::move(root)) {}
  std::unique_ptr<host_connection> connect(const std::string& host) override {
    if (host.empty() || host.find('/') != std::string::npos || host == "." || host == "..") {
      throw failure(exit_code::usage, "local host name '" + host + "' is not usable as a directory name");
    }
    fs::path dir = fs::absolute(root_ / host);
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      throw failure(exit_code::network, host + ": cannot connect: no host directory " + dir.string());
    }
    return std::make_unique<local_connection>(host, dir);
  }

 private:
  fs::path root_;
};

}  // namespace

std::unique_ptr<transport> make_local_transport(const fs::path& root) { return std::make_unique<local_transport>(root); }

}  // namespace murder::ctl
