#pragma once
// How murderctl reaches a host. Two implementations: SSH through libssh (real
// fleets) and a local one (each "host" a directory on this machine, for tests and
// the demo). Tasks see only this interface.

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "murder/core/error.hpp"
#include "murder/ctl/config.hpp"

namespace murder::ctl {

struct command_result {
  int exit_status = 0;
  std::string output;  // stdout
  std::string errors;  // stderr
};

// Receives each line of a command's output as it arrives.
using line_sink = std::function<void(std::string_view line, bool is_stderr)>;

// One open connection to one host, used by one thread at a time.
class host_connection {
 public:
  virtual ~host_connection() = default;

  // Runs `command` in the host's shell (in the login directory). Throws
  // failure(network) when the connection breaks or `timeout` passes first.
  virtual command_result run(const std::string& command, std::chrono::seconds timeout, const line_sink& on_line) = 0;

  // Writes `contents` to `remote_path` (relative: to the login directory), under
  // a temporary name first, then renamed, so it appears whole or not at all.
  virtual void upload(std::string_view contents, const std::string& remote_path, unsigned mode) = 0;

  // The contents of a (small) remote file. Throws failure naming the path.
  virtual std::string download(const std::string& remote_path) = 0;
};

// A failure(network) before anything happened on the host: no command ran,
// no file was written (the connection was closed while idle). Only this one is
// worth a new connection and the same operation again.
class not_started : public failure {
 public:
  using failure::failure;
};

class transport {
 public:
  virtual ~transport() = default;
  // Throws failure(network) naming the host and the reason: unreachable,
  // refused, host key rejected, authentication failed.
  virtual std::unique_ptr<host_connection> connect(const std::string& host) = 0;
  // Opens a connection to `host` ahead of its first use, for transports that
  // keep connections (connection_pool.hpp); a failure is left for that use to
  // meet and report. Others do nothing.
  virtual void prepare(const std::string& host) { (void)host; }
};

// Where the messages of the transport's library (libssh) go while this
// thread works on one host: that host's log, never the terminal. One scope a
// host attempt; without one (or between hosts) they are dropped.
class transport_log_scope {
 public:
  explicit transport_log_scope(std::function<void(std::string_view)> sink);
  ~transport_log_scope();
  transport_log_scope(const transport_log_scope&) = delete;
  transport_log_scope& operator=(const transport_log_scope&) = delete;
  // Hands `line` to this thread's sink, if any.
  static void write(std::string_view line);

 private:
  std::function<void(std::string_view)> previous_;
};

// SSH with the [ssh] settings and `user` of murder.toml; see ssh_transport.cpp.
std::unique_ptr<transport> make_ssh_transport(const ssh_settings& settings, const std::string& user);

// Host H is the directory `root/H`, which must exist; commands run there with
// HOME set to it. H is normally a loopback address (127.0.1.1, ...), which the
// programs then listen on and announce, so each local host is its own peer.
std::unique_ptr<transport> make_local_transport(const std::filesystem::path& root);

// Strips a leading "~/" (a path relative to the login directory).
std::string login_relative(const std::string& path);

}  // namespace murder::ctl
