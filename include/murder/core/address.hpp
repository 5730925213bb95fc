#pragma once
// Turning the `ip` argument of the original command line into the address a
// peer listens on and announces.

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace murder {

// The address to announce for `host`:
// - `host` itself when it is an IPv4 or IPv6 literal (loopback included: it was
//   asked for);
// - otherwise the first address `host` resolves to on this machine that is not
//   loopback (IPv4 preferred), as the original's use of `host` did;
// - when it resolves only to loopback (Debian and cloud-init map the machine's
//   own name to 127.0.1.1 in /etc/hosts), the address this machine uses to reach
//   `tracker_host`, which is the address the tracker and the other peers see;
// - when that is loopback too (the tracker runs here, as it does on the seeder
//   by default), this machine's outward address: the source of its default
//   route, else the first address of an interface that is up;
// - loopback only on a machine with nothing else.
// Throws failure(usage) naming the host when it does not resolve, or resolves
// only to loopback and no other address reaches the tracker.
std::string resolve_host_address(const std::string& host, const std::string& tracker_host);

// The choice above, given what `host` resolved to (in resolver order), a way to
// find the local address of the route to the tracker, and one to find this
// machine's outward address (each nullopt when there is none).
std::string choose_announce_address(const std::string& host, const std::vector<std::string>& resolved,
                                    const std::function<std::optional<std::string>()>& route_to_tracker,
                                    const std::function<std::optional<std::string>()>& outward);

// This machine's outward address (see above), or nullopt.
std::optional<std::string> outward_address();

// True for 127.0.0.0/8, ::1 and IPv4-mapped loopback.
bool is_loopback_address(const std::string& address);

// The host part of an announce URL ("http://h:8998/announce" -> "h"; "[::1]" -> "::1").
std::string url_host(const std::string& url);

}  // namespace murder
