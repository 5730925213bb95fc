// link_relay: a bad link for the fleet tests, in user space. This kernel has no
// sch_netem (nor fq or any qdisc that delays), so instead of `tc netem delay 20ms
// loss 5%` on a host's link, the test cuts the host's cable in two and this
// program copies Ethernet frames between the halves (AF_PACKET sockets):
//
//   link_relay --delay-ms 20 --loss-percent 5 HOST_SIDE NET_SIDE
//
// Frames arriving on HOST_SIDE (sent by the host) reach NET_SIDE after the
// delay, each lost with the given probability, in order, as on netem's egress;
// frames arriving on NET_SIDE go to HOST_SIDE at once. A frame that the far side
// cannot queue (a full shaped link) is dropped, as a switch port would. Runs
// until SIGTERM or SIGINT, then prints what it passed and dropped on stderr.
//
// The host's segmentation and checksum offloads must be off (ethtool -K), so that
// every frame is a real one of at most the MTU.

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <deque>
#include <random>
#include <stdexcept>
#include <string>

namespace {

using clock_type = std::chrono::steady_clock;

volatile std::sig_atomic_t stop_flag = 0;
void on_stop(int) { stop_flag = 1; }

// A raw socket on one interface, seeing every frame that arrives on it.
class frame_port {
 public:
  explicit frame_port(const std::string& interface) : name_(interface) {
    unsigned index = if_nametoindex(interface.c_str());
    if (index == 0) throw std::runtime_error("no interface '" + interface + "'");
    fd_ = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));
    if (fd_ < 0) throw std::runtime_error("cannot open a packet socket: " + std::string(std::strerror(errno)));
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = static_cast<int>(index);
    if (bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("cannot bind to " + interface + ": " + std::strerror(errno));
    }
    int buffer = 16 * 1024 * 1024;
    setsockopt(fd_, SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof buffer);
    setsockopt(fd_, SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof buffer);
  }
  ~frame_port() { close(fd_); }
  frame_port(const frame_port&) = delete;
  frame_port& operator=(const frame_port&) = delete;

  int fd() const { return fd_; }
  const std::string& name() const { return name_; }

  // The next frame that arrived (not one sent out of this interface), or false.
  bool receive(std::string& frame) {
    char buffer[65536];
    for (;;) {
      sockaddr_ll from{};
      socklen_t length = sizeof from;
      ssize_t n = recvfrom(fd_, buffer, sizeof buffer, 0, reinterpret_cast<sockaddr*>(&from), &length);
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return false;
        throw std::runtime_error("cannot read from " + name_ + ": " + std::strerror(errno));
      }
      if (from.sll_pkttype == PACKET_OUTGOING) continue;
      frame.assign(buffer, static_cast<size_t>(n));
      return true;
    }
  }

  // Sends a frame out; false when the interface's queue had no room for it.
  bool send(const std::string& frame) {
    for (;;) {
      if (::send(fd_, frame.data(), frame.size(), 0) >= 0) return true;
      if (errno == EINTR) continue;
      if (errno == ENOBUFS || errno == EAGAIN || errno == EWOULDBLOCK || errno == EMSGSIZE) return false;
      throw std::runtime_error("cannot write to " + name_ + ": " + std::strerror(errno));
    }
  }

 private:
  std::string name_;
  int fd_ = -1;
};

struct held_frame {
  clock_type::time_point due;
  std::string bytes;
};

struct counters {
  unsigned long long passed = 0, lost = 0, overflowed = 0;
};

void relay(frame_port& host_side, frame_port& net_side, std::chrono::microseconds delay, double loss,
           std::mt19937_64& random, counters& out, counters& in) {
  std::bernoulli_distribution lose(loss);
  std::deque<held_frame> held;
  std::string frame;
  while (!stop_flag) {
    auto now = clock_type::now();
    while (!held.empty() && held.front().due <= now) {
      (net_side.send(held.front().bytes) ? out.passed : out.overflowed)++;
      held.pop_front();
    }
    timespec wait{1, 0};
    if (!held.empty()) {
      auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(held.front().due - now).count();
      wait = {static_cast<time_t>(left / 1000000000), static_cast<long>(left % 1000000000)};
    }
    pollfd fds[2] = {{host_side.fd(), POLLIN, 0}, {net_side.fd(), POLLIN, 0}};
    if (ppoll(fds, 2, &wait, nullptr) < 0 && errno != EINTR) {
      throw std::runtime_error(std::string("poll failed: ") + std::strerror(errno));
    }
    now = clock_type::now();
    // A bounded batch from each side, so that neither starves the other.
    for (int i = 0; i < 256 && host_side.receive(frame); ++i) {
      if (lose(random)) {
        ++out.lost;
      } else {
        held.push_back({now + delay, std::move(frame)});
      }
    }
    for (int i = 0; i < 256 && net_side.receive(frame); ++i) (host_side.send(frame) ? in.passed : in.overflowed)++;
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"copies frames between two interfaces, delaying and dropping those from the first"};
  std::string host_name, net_name;
  double delay_ms = 0, loss_percent = 0;
  unsigned long long seed = std::random_device{}();
  app.add_option("host_side", host_name, "the interface the host sends into")->required();
  app.add_option("net_side", net_name, "the interface towards the rest of the network")->required();
  app.add_option("--delay-ms", delay_ms, "delay of each frame from the host, in ms")->check(CLI::Range(0.0, 10000.0));
  app.add_option("--loss-percent", loss_percent, "share of frames from the host dropped")->check(CLI::Range(0.0, 100.0));
  app.add_option("--seed", seed, "seed of the loss draw (default: random)");
  CLI11_PARSE(app, argc, argv);

  std::signal(SIGTERM, on_stop);
  std::signal(SIGINT, on_stop);
  try {
    frame_port host_side(host_name), net_side(net_name);
    std::mt19937_64 random(seed);
    counters out, in;
    auto delay = std::chrono::microseconds(static_cast<long long>(delay_ms * 1000));
    relay(host_side, net_side, delay, loss_percent / 100.0, random, out, in);
    std::fprintf(stderr, "link_relay %s: out %llu passed, %llu lost, %llu overflowed; in %llu passed, %llu overflowed\n",
                 host_name.c_str(), out.passed, out.lost, out.overflowed, in.passed, in.overflowed);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "link_relay: error: %s\n", e.what());
    return 1;
  }
  return 0;
}
