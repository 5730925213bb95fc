#pragma once
// The host-to-host leg of murderctl distribute_files (issue 14). The
// workstation uploads the bundle to a few hosts only; every host that has
// installed it can then pass its copy on. `murder_client serve-bundle` is that
// passing on: it detaches, serves HOME/run/bundle.tgz whole to every TCP
// connection (no request, no protocol: a host fetches it with bash's
// /dev/tcp or nc), and exits when stopped (its pidfile is HOME/run/bundle.pid),
// when that file is removed or replaced, or when no connection has been open
// for `idle` seconds (murderctl gone). The fetching host
// checks what it got against the SHA-256 murderctl gives it before anything
// is unpacked, so the server needs no authentication: the bundle is no
// secret, and a wrong byte is caught.

#include <filesystem>

namespace murder::client {

struct serve_bundle_job {
  std::filesystem::path home;
  int port = 0;    // 0: any free port (printed)
  int idle = 600;  // seconds without an open connection before it exits
};

// Prints "murder_client: serving FILE (N bytes) on port P" once listening,
// then serves in the background. Throws failure naming what is wrong (no
// bundle to serve, a port in use, another server running).
int run_serve_bundle(const serve_bundle_job& job);

}  // namespace murder::client
