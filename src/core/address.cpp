#include "murder/core/address.hpp"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>

#include "murder/core/error.hpp"

namespace murder {

namespace {

bool is_literal(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

using addrinfo_list = std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)>;

addrinfo_list lookup(const std::string& host, int socktype, int* rc) {
  addrinfo hints{};
  hints.ai_socktype = socktype;
  addrinfo* found = nullptr;
  *rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
  return addrinfo_list(*rc == 0 ? found : nullptr, ::freeaddrinfo);
}

std::string text_of(const sockaddr* address) {
  char text[INET6_ADDRSTRLEN] = {};
  const void* raw = address->sa_family == AF_INET
                        ? static_cast<const void*>(&reinterpret_cast<const sockaddr_in*>(address)->sin_addr)
                        : static_cast<const void*>(&reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr);
  ::inet_ntop(address->sa_family, raw, text, sizeof text);
  return text;
}

// IPv4 first, each family in the resolver's order.
std::vector<std::string> addresses_of(const addrinfo* list) {
  std::vector<std::string> v4, v6;
  for (const addrinfo* a = list; a; a = a->ai_next) {
    if (a->ai_family == AF_INET) v4.push_back(text_of(a->ai_addr));
    if (a->ai_family == AF_INET6) v6.push_back(text_of(a->ai_addr));
  }
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

// Connecting a UDP socket sends nothing; it only asks the kernel which local
// address the route to the tracker leaves from.
std::optional<std::string> route_source(const std::string& tracker_host) {
  if (tracker_host.empty()) return std::nullopt;
  int rc = 0;
  auto list = lookup(tracker_host, SOCK_DGRAM, &rc);
  for (const addrinfo* a = list.get(); a; a = a->ai_next) {
    int fd = ::socket(a->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) continue;
    sockaddr_storage local{};
    socklen_t size = sizeof local;
    bool ok = ::connect(fd, a->ai_addr, a->ai_addrlen) == 0 &&
              ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size) == 0;
    ::close(fd);
    if (ok) return text_of(reinterpret_cast<const sockaddr*>(&local));
  }
  return std::nullopt;
}

}  // namespace

bool is_loopback_address(const std::string& address) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (::inet_pton(AF_INET6, address.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

std::string url_host(const std::string& url) {
  auto start = url.find("://");
  start = start == std::string::npos ? 0 : start + 3;
  if (start < url.size() && url[start] == '[') {
    auto end = url.find(']', start);
    return end == std::string::npos ? "" : url.substr(start + 1, end - start - 1);
  }
  auto end = url.find_first_of(":/", start);
  return url.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

std::optional<std::string> outward_address() {
  // The source of the default route (TEST-NET-1 stands for "anywhere"; no packet is sent) ...
  if (auto route = route_source("192.0.2.1"); route && !is_loopback_address(*route)) return route;
  // ... else the first non-loopback address of an interface that is up.
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) return std::nullopt;
  std::unique_ptr<ifaddrs, decltype(&::freeifaddrs)> owned(list, ::freeifaddrs);
  std::optional<std::string> v6;
  for (const ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    if (i->ifa_addr->sa_family == AF_INET) return text_of(i->ifa_addr);
    if (i->ifa_addr->sa_family == AF_INET6 && !v6) {
      auto* a6 = reinterpret_cast<const sockaddr_in6*>(i->ifa_addr);
      if (!IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr)) v6 = text_of(i->ifa_addr);
    }
  }
  return v6;
}

std::string choose_announce_address(const std::string& host, const std::vector<std::string>& resolved,
                                    const std::function<std::optional<std::string>()>& route_to_tracker,
                                    const std::function<std::optional<std::string>()>& outward) {
  if (is_literal(host)) return host;
  for (const auto& address : resolved) {
    if (!is_loopback_address(address)) return address;
  }
  std::string first = resolved.empty() ? "no address" : resolved.front();
  auto route = route_to_tracker();
  if (route && !is_loopback_address(*route)) return *route;
  // The tracker is on this host (by default the seeder's): announce where the
  // other hosts can reach this one.
  if (auto out = outward(); out && !is_loopback_address(*out)) return *out;
  if (route && !resolved.empty()) return resolved.front();  // a machine with nothing but loopback
  throw failure(exit_code::usage, "this host's name '" + host + "' resolves only to the loopback address " + first +
                                      " (an /etc/hosts entry?), which other hosts cannot reach, and no other "
                                      "address reaches the tracker; give this host's address instead");
}

std::string resolve_host_address(const std::string& host, const std::string& tracker_host) {
  if (is_literal(host)) return host;
  int rc = 0;
  auto list = lookup(host, SOCK_STREAM, &rc);
  if (rc != 0) throw failure(exit_code::usage, "cannot resolve this host's address '" + host + "': " + ::gai_strerror(rc));
  return choose_announce_address(host, addresses_of(list.get()), [&] { return route_source(tracker_host); },
                                 outward_address);
}

}  // namespace murder
