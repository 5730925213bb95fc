#pragma once
// Turning the `ip` argument of the original command line into an address.

#include <string>

namespace murder {

// `host` itself when it is an IPv4 or IPv6 literal; otherwise the host name
// resolved on this machine (IPv4 preferred), as the original's use of `host`
// did. Throws failure(usage) naming the host when it does not resolve.
std::string resolve_host_address(const std::string& host);

}  // namespace murder
