// raw_stream: one TCP stream of a file, as cheaply as a program can move it,
// for the fleet benchmark's ceiling (what the machine's links and two cores
// carry when every host sends and receives the payload once, with no protocol
// on top):
//
//   raw_stream receive PORT OUT   accepts one connection on PORT, writes what
//                                 arrives to OUT, exits 0 at the sender's close
//   raw_stream send HOST PORT FILE
//                                 connects (retrying for up to 10 s while HOST
//                                 is not listening yet) and sends FILE whole
//
// Both print nothing on success and one line on stderr on failure (exit 1).

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

// One line naming what failed, with the system's reason when there is one
// (errno is cleared before each call whose failure it may not explain).
[[noreturn]] void die(const std::string& what) {
  if (errno != 0) {
    std::fprintf(stderr, "raw_stream: %s: %s\n", what.c_str(), std::strerror(errno));
  } else {
    std::fprintf(stderr, "raw_stream: %s\n", what.c_str());
  }
  std::exit(1);
}

int receive(int port, const char* out_path) {
  int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int yes = 1;
  ::setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in at{};
  at.sin_family = AF_INET;
  at.sin_port = htons(static_cast<uint16_t>(port));
  if (listener < 0 || ::bind(listener, reinterpret_cast<sockaddr*>(&at), sizeof at) != 0 || ::listen(listener, 1) != 0) {
    die("cannot listen on port " + std::to_string(port));
  }
  int out = ::open(out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (out < 0) die(std::string("cannot write ") + out_path);
  int in = ::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  if (in < 0) die("accept");
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ssize_t got = ::read(in, buffer.data(), buffer.size());
    if (got == 0) break;
    if (got < 0) {
      if (errno == EINTR) continue;
      die("read");
    }
    for (ssize_t done = 0; done < got;) {
      errno = 0;
      ssize_t n = ::write(out, buffer.data() + done, static_cast<size_t>(got - done));
      if (n <= 0) die(std::string("cannot write ") + out_path);
      done += n;
    }
  }
  if (::close(out) != 0) die(std::string("cannot write ") + out_path);
  return 0;
}

int send(const char* host, int port, const char* file) {
  int in = ::open(file, O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (in < 0 || ::fstat(in, &st) != 0) die(std::string("cannot read ") + file);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host, &to.sin_addr) != 1) {
    errno = EINVAL;
    die(std::string("not an IPv4 address: ") + host);
  }
  int s = -1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    s = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && ::connect(s, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) break;
    if (s >= 0) ::close(s);
    if (std::chrono::steady_clock::now() > deadline) die(std::string("cannot connect to ") + host);
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (off_t offset = 0; offset < st.st_size;) {
    errno = 0;
    ssize_t n = ::sendfile(s, in, &offset, static_cast<size_t>(st.st_size - offset));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) die(std::string("cannot send to ") + host);
  }
  return ::close(s) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::signal(SIGPIPE, SIG_IGN);  // a receiver gone is an error line (EPIPE), not a silent death
  const std::string verb = argc > 1 ? argv[1] : "";
  if (verb == "receive" && argc == 4) return receive(std::atoi(argv[2]), argv[3]);
  if (verb == "send" && argc == 5) return send(argv[2], std::atoi(argv[3]), argv[4]);
  std::fprintf(stderr, "usage: raw_stream receive PORT OUT | raw_stream send HOST PORT FILE\n");
  return 2;
}
