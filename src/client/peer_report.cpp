#include "murder/client/peer_report.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <thread>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"

namespace murder::client {

namespace {

using clock_type = std::chrono::steady_clock;

int remaining_ms(clock_type::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock_type::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits until `fd` is ready for `events`, or the deadline.
bool ready(int fd, short events, clock_type::time_point deadline) {
  pollfd p{fd, events, 0};
  for (;;) {
    int n = ::poll(&p, 1, remaining_ms(deadline));
    if (n > 0) return true;
    if (n == 0 || errno != EINTR) return false;
  }
}


// "http://host:port/path" -> host, port (80 by default); IPv6 in brackets.
bool split_http_url(const std::string& url, std::string& host, std::string& port) {
  const std::string scheme = "http://";
  if (url.compare(0, scheme.size(), scheme) != 0) return false;
  std::string authority = url.substr(scheme.size(), url.find('/', scheme.size()) - scheme.size());
  port = "80";
  if (!authority.empty() && authority[0] == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return false;
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':') port = authority.substr(close + 2);
  } else {
    auto colon = authority.rfind(':');
    host = authority.substr(0, colon);
    if (colon != std::string::npos) port = authority.substr(colon + 1);
  }
  return !host.empty() && !port.empty();
}

}  // namespace

std::string percent_encode(std::string_view bytes) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : bytes) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
        c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += digits[c >> 4];
      out += digits[c & 15];
    }
  }
  return out;
}

http_answer http_get(const std::string& host, const std::string& port, const std::string& target,
                     std::chrono::milliseconds timeout) {
  const auto deadline = clock_type::now() + timeout;
  const std::string where = host + " port " + port;
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (int e = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found); e != 0) {
    throw failure(exit_code::network, "cannot resolve " + host + ": " + ::gai_strerror(e));
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> addresses(found, ::freeaddrinfo);
  std::string why = "no address";
  for (addrinfo* a = found; a; a = a->ai_next) {
    unique_fd s(::socket(a->ai_family, a->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, a->ai_protocol));
    if (s.get() < 0) continue;
    if (::connect(s.get(), a->ai_addr, a->ai_addrlen) != 0 && errno != EINPROGRESS) {
      why = std::strerror(errno);
      continue;
    }
    int error = 0;
    socklen_t size = sizeof error;
    if (!ready(s.get(), POLLOUT, deadline) || ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &size) != 0 || error) {
      why = error ? std::strerror(error) : "timed out";
      continue;
    }
    const std::string request = "GET " + target + " HTTP/1.0\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
    for (size_t sent = 0; sent < request.size();) {
      if (!ready(s.get(), POLLOUT, deadline)) throw failure(exit_code::network, "timed out sending to " + where);
      ssize_t n = ::send(s.get(), request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        throw failure(exit_code::network, "cannot send to " + where + ": " + std::strerror(errno));
      }
      if (n > 0) sent += static_cast<size_t>(n);
    }
    std::string reply;
    char buffer[16384];
    for (;;) {
      if (!ready(s.get(), POLLIN, deadline)) throw failure(exit_code::network, "no whole reply from " + where + " in time");
      ssize_t n = ::recv(s.get(), buffer, sizeof buffer, 0);
      if (n == 0) break;
      if (n < 0 && errno != EAGAIN && errno != EINTR) {
        throw failure(exit_code::network, "cannot read from " + where + ": " + std::strerror(errno));
      }
      if (n > 0) reply.append(buffer, static_cast<size_t>(n));
    }
    auto head_end = reply.find("\r\n\r\n");
    int status = 0;
    if (head_end == std::string::npos || std::sscanf(reply.c_str(), "HTTP/%*d.%*d %d", &status) != 1) {
      throw failure(exit_code::network, "no HTTP reply from " + where);
    }
    return {status, reply.substr(head_end + 4)};
  }
  throw failure(exit_code::network, "cannot connect to " + where + ": " + why);
}

std::string send_peer_report(const std::string& announce_url, const libtorrent::sha1_hash& hash, const std::string& key,
                             const std::string& line, std::chrono::milliseconds timeout) {
  std::string host, port;
  if (!split_http_url(announce_url, host, port)) return "the tracker " + announce_url + " is not an http:// one";
  const std::string target = "/murder/report?info_hash=" + percent_encode(std::string_view(hash.data(), hash.size())) +
                             "&key=" + percent_encode(key) + "&report=" + percent_encode(line);
  try {
    auto answer = http_get(host, port, target, timeout);
    if (answer.status != 200) return "the tracker said " + std::to_string(answer.status) + ": " + answer.body;
    return "";
  } catch (const failure& e) {
    return e.what();
  }
}

int run_reports(const reports_job& job) {
  auto hash = from_hex(job.info_hash_hex);
  if (!hash || hash->size() != 20) throw failure(exit_code::usage, "--info-hash must be 40 hex digits");
  const std::string target = "/murder/reports?info_hash=" + percent_encode(*hash);
  const auto started = clock_type::now();
  auto last_news = started;
  std::set<std::string> seen;
  for (;;) {
    auto answer = http_get("127.0.0.1", std::to_string(job.port), target, std::chrono::seconds(5));
    if (answer.status != 200) {
      throw failure(exit_code::failure, "the tracker on port " + std::to_string(job.port) + " said " +
                                            std::to_string(answer.status) + ": " + answer.body);
    }
    int incomplete = 0;
    long still = 0;
    std::sscanf(answer.body.c_str(), "complete %*d incomplete %d still %ld", &incomplete, &still);
    size_t at = answer.body.find('\n');
    while (at != std::string::npos && at + 1 < answer.body.size()) {
      size_t end = answer.body.find('\n', at + 1);
      std::string line = answer.body.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
      at = end;
      if (line.empty() || line.compare(0, job.run.size(), job.run) != 0) continue;
      if (!seen.insert(line.substr(0, line.find(' '))).second) continue;
      std::printf("%s\n", line.c_str());
      std::fflush(stdout);
      last_news = clock_type::now();
    }
    const auto now = clock_type::now();
    if (static_cast<int>(seen.size()) >= job.count) return 0;
    // The reports have stopped, and no peer downloads any more or none has
    // made progress for as long: the rest will not come soon (a peer killed,
    // one stalled, or one that cannot reach the tracker); murderctl asks
    // those hosts themselves.
    if (now - last_news >= std::chrono::duration<double>(job.quiet) && (incomplete == 0 || static_cast<double>(still) >= job.quiet)) {
      return 0;
    }
    if (now - started >= std::chrono::duration<double>(job.wait)) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

}  // namespace murder::client
