#pragma once
// The remote commands of distribute_files (issue 14), each run in
// remote_murder_path (ROOT) on one host. The bundle either arrives by SFTP as
// ROOT/.bundle.tgz.part or is fetched from a host that serves it
// (murder_client serve-bundle); either way it is checked against the SHA-256
// murderctl computed before it is named ROOT/.bundle.tgz and unpacked, so a
// host never installs bytes that are not the bundle.

#include <cstddef>
#include <optional>
#include <string>

#include "murder/ctl/bundle_sources.hpp"

namespace murder::ctl {

// Fetches the bundle from `source` (over a plain TCP stream: bash's
// /dev/tcp, else nc), or takes the uploaded .bundle.tgz.part when `source`
// is the workstation; checks it against `sha256` (and `size`). Exit status
// 4: the fetch failed or was cut short (another source may do); 3: the bytes
// are not the bundle; 2: the
// host has no tool to fetch or check with. A failure leaves no
// .bundle.tgz.part and does not touch ROOT/.bundle.tgz.
std::string bundle_fetch_command(const std::string& root, const bundle_source& source, const std::string& sha256,
                                 std::size_t size);

// Unpacks ROOT/.bundle.tgz beside the installed bundle and has its own
// murder_client put it in place (install-bundle); prints "murder VERSION in
// ROOT" last. With `serve_port`, first starts the unpacked murder_client
// serve-bundle on that port (0: any) with the checked tarball as
// ROOT/run/bundle.tgz (stopping an earlier server) and prints "address A"
// (where this host's SSH session arrived; empty without one), then
// "... on port P": the host passes the bundle on while it installs.
std::string bundle_install_command(const std::string& root, std::optional<int> serve_port);

// Stops the server and removes its copy (which alone stops it too).
std::string bundle_stop_command(const std::string& root);

}  // namespace murder::ctl
