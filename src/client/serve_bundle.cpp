#include "murder/client/serve_bundle.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <csignal>
#include <list>
#include <system_error>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <thread>

#include "murder/client/transfer.hpp"
#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/logging.hpp"
#include "murder/core/process.hpp"

namespace murder::client {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

namespace {

// At most this many fetches at once; more wait in the listen queue. murderctl
// sends two or three hosts to a server; the cap only bounds a flood.
constexpr std::size_t most_connections = 32;
// A fetching host that stops reading is dropped after this long, and any
// fetch after this long in all (10 MB at 1 Mbit/s takes 80 s).
constexpr int send_timeout_seconds = 30;
constexpr auto longest_fetch = std::chrono::seconds(600);


// A listening socket on every address (IPv6 and IPv4 where the host has both).
int listen_on(int port) {
  int fd = ::socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1, zero = 0;
  if (fd >= 0) {
    ::setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in6 any{};
    any.sin6_family = AF_INET6;
    any.sin6_addr = in6addr_any;
    any.sin6_port = htons(static_cast<std::uint16_t>(port));
    if (::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) == 0 && ::listen(fd, 64) == 0) return fd;
    int why = errno;
    ::close(fd);
    if (why != EAFNOSUPPORT && why != EADDRNOTAVAIL) {
      throw failure(exit_code::usage, "cannot listen on port " + std::to_string(port) + ": " + std::strerror(why));
    }
  }
  fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw failure(exit_code::failure, std::string("cannot open a socket: ") + std::strerror(errno));
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_ANY);
  any.sin_port = htons(static_cast<std::uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 || ::listen(fd, 64) != 0) {
    int why = errno;
    ::close(fd);
    throw failure(exit_code::usage, "cannot listen on port " + std::to_string(port) + ": " + std::strerror(why));
  }
  return fd;
}

int bound_port(int fd) {
  sockaddr_storage address{};
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  if (address.ss_family == AF_INET6) return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port);
}

std::string peer_name(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address)->sin6_addr, text, sizeof text);
  } else if (address.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address)->sin_addr, text, sizeof text);
  }
  return text;
}

// Sends the whole file; false (and why) when the fetching host went away,
// stopped reading or took too long, or the server is stopping.
bool send_whole(int socket, int file, off_t size, const std::atomic<bool>& stopping, std::string& why) {
  timeval timeout{send_timeout_seconds, 0};
  ::setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  const auto deadline = clock_type::now() + longest_fetch;
  off_t offset = 0;
  while (offset < size) {
    if (stopping || stop_requested()) {
      why = "stopped";
      return false;
    }
    if (clock_type::now() > deadline) {
      why = "took longer than " + std::to_string(longest_fetch.count()) + " s";
      return false;
    }
    ssize_t sent = ::sendfile(socket, file, &offset, static_cast<size_t>(size - offset));
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) {
      why = sent < 0 ? std::strerror(errno) : "the file ended early";
      return false;
    }
  }
  return true;
}

}  // namespace

int run_serve_bundle(const serve_bundle_job& job) {
  const host_layout layout{fs::absolute(job.home)};
  const fs::path file = layout.run_dir() / "bundle.tgz";
  unique_fd bundle(::open(file.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
  struct stat info {};
  if (bundle.get() < 0 || ::fstat(bundle.get(), &info) != 0 || !S_ISREG(info.st_mode)) {
    throw failure(exit_code::bad_input, "no bundle to serve at " + file.string() +
                                            (bundle.get() < 0 ? std::string(": ") + std::strerror(errno) : ""));
  }
  unique_fd listener(listen_on(job.port));
  const int port = bound_port(listener.get());
  auto log = make_logger("murder_client", layout.logfile("bundle").string());

  auto child = detach("murder_client");
  pidfile pid;
  pid.create(layout.pidfile("bundle"));
  install_stop_signals();
  std::printf("murder_client: serving %s (%lld bytes) on port %d\n", file.c_str(), static_cast<long long>(info.st_size),
              port);
  std::fflush(stdout);
  log->info("serving {} ({} bytes) on port {}", file.string(), static_cast<long long>(info.st_size), port);
  child.report(0);

  // A fetcher that resets its connection must cost its send, not the server.
  std::signal(SIGPIPE, SIG_IGN);
  struct sender {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::list<sender> senders;
  std::atomic<bool> stopping{false};
  auto last_close = clock_type::now();
  const auto idle = std::chrono::seconds(job.idle);
  while (!stop_requested()) {
    // Finished senders are joined as they end; the last one ending marks
    // the start of the quiet time.
    for (auto it = senders.begin(); it != senders.end();) {
      if (!*it->done) {
        ++it;
        continue;
      }
      it->thread.join();
      last_close = clock_type::now();
      it = senders.erase(it);
    }
    // Removing or replacing the copy stops the server too (what murderctl
    // does where no murder_client is left to stop it with).
    struct stat now {};
    if (::lstat(file.c_str(), &now) != 0 || now.st_ino != info.st_ino || now.st_dev != info.st_dev) {
      log->info("{} was removed: done", file.string());
      break;
    }
    if (senders.empty() && clock_type::now() - last_close >= idle) {
      log->info("no fetch for {} s: done", job.idle);
      break;
    }
    pollfd waiting{listener.get(), POLLIN, 0};
    if (senders.size() >= most_connections || ::poll(&waiting, 1, 500) <= 0) {
      if (senders.size() >= most_connections) std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    sockaddr_storage from{};
    socklen_t size = sizeof from;
    int socket = ::accept4(listener.get(), reinterpret_cast<sockaddr*>(&from), &size, SOCK_CLOEXEC);
    if (socket < 0) continue;
    auto done = std::make_shared<std::atomic<bool>>(false);
    try {
      senders.push_back(sender{std::thread([&, socket, done, who = peer_name(from)] {
                                 unique_fd connection(socket);
                                 std::string why;
                                 auto started = clock_type::now();
                                 if (send_whole(socket, bundle.get(), info.st_size, stopping, why)) {
                                   log->info("sent the bundle to {} in {:.2f} s", who,
                                             std::chrono::duration<double>(clock_type::now() - started).count());
                                 } else {
                                   log->warn("sending the bundle to {} failed: {}", who, why);
                                 }
                                 *done = true;
                               }),
                               done});
    } catch (const std::system_error& e) {
      ::close(socket);
      log->warn("cannot start a sender: {}", e.what());
    }
  }
  stopping = true;
  for (auto& s : senders) s.thread.join();
  log->info("stopped serving {}", file.string());
  return 0;
}

}  // namespace murder::client
