#pragma once
// libtorrent session settings for murder: a private swarm on a data-centre LAN.
//
// What is off: DHT, local peer discovery, UPnP, NAT-PMP, uTP (TCP only; uTP's
// congestion control only costs on a LAN), outgoing encryption (plain is faster;
// encrypted incoming connections are still accepted).
// What is tuned: every peer unchoked (fixed slots, no limit), deep request queues
// and large send buffers so a fast link stays full, quick reconnects and short
// connect timeouts, and the tracker's 15 s interval honoured (libtorrent would
// otherwise stretch it to 5 minutes).

#include <libtorrent/ip_filter.hpp>
#include <libtorrent/settings_pack.hpp>

#include <string>
#include <vector>

#include "murder/core/cidr.hpp"

namespace murder::client {

struct session_options {
  std::string ip;         // the address we listen on and announce (the original's <local-ip>)
  // Listen on every interface and leave outgoing connections unbound, still
  // announcing `ip`: for a host given by name, whose chosen address may not be
  // the one its tracker is reached through (a tracker on this host, reached
  // over loopback, while the others are told the outward address).
  bool every_interface = false;
  int listen_port = 6881; // first port tried; the next 200 are tried if busy
  std::vector<cidr_range> allowed_peers;  // empty: any peer may connect
  // libtorrent settings by name, "request_queue_time=3", applied over murder's
  // own (--setting, murder.toml [libtorrent]): for measuring and tuning.
  std::vector<std::string> setting_overrides;
  // Rate caps in bytes a second, 0 for none (--max_upload_rate and
  // --max_download_rate, kB/s, as BitTornado named them). They hold for every
  // peer, those on a local network too: a deploy shares the network with
  // production traffic.
  int upload_rate_limit = 0;
  int download_rate_limit = 0;
};

libtorrent::settings_pack make_settings(const session_options& options);

// Sets one "name=value" libtorrent setting in `pack` (any setting of
// libtorrent's settings_pack, by its name there). Throws failure(usage) for an
// unknown name or a value of the wrong kind, naming both.
void apply_setting_override(libtorrent::settings_pack& pack, const std::string& assignment);

// Throws like apply_setting_override for the first bad one of `assignments`:
// a command line is checked before any work starts.
void check_setting_overrides(const std::vector<std::string>& assignments);

// Blocks every address except `allowed` (none blocked when it is empty).
libtorrent::ip_filter make_peer_filter(const std::vector<cidr_range>& allowed);

}  // namespace murder::client
