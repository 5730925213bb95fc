#pragma once
// A peer's last word to murderctl through the tracker (issue 14), so that
// murderctl learns every host's result with one SSH command on the tracker's
// host instead of a second session to every host (tracker/peer_reports.hpp).
//
//   murder_client peer ... --report-key KEY   sends its final event line
//       (done or failed, as --json prints it) to /murder/report of the
//       torrent's first tracker once it has delivered or failed;
//   murder_client reports --port P --info-hash HEX --run R --count N --wait S
//       on the tracker's host: prints each "KEY LINE" report of the torrent
//       whose key starts with R (the tracker keeps earlier runs' too)
//       as it arrives, until N have, until no report came for `quiet`
//       seconds while no peer of the swarm downloads or none has made
//       progress for as long, or until S seconds pass.

#include <chrono>
#include <string>

#include <libtorrent/sha1_hash.hpp>

namespace murder::client {

// "" when the tracker kept it, else why not (the peer logs it: murderctl
// then asks the host itself).
std::string send_peer_report(const std::string& announce_url, const libtorrent::sha1_hash& hash,
                             const std::string& key, const std::string& line,
                             std::chrono::milliseconds timeout = std::chrono::seconds(5));

struct reports_job {
  int port = 8998;
  std::string info_hash_hex;
  std::string run;  // only keys starting with this (murderctl's run)
  int count = 0;
  double wait = 3600;
  double quiet = 30;
};
int run_reports(const reports_job& job);

// A GET of `target` (path and query) from HOST:PORT over HTTP/1.0; the
// status and body. Throws failure(network) naming the address when it
// cannot connect, or no whole reply comes within `timeout`.
struct http_answer {
  int status = 0;
  std::string body;
};
http_answer http_get(const std::string& host, const std::string& port, const std::string& target,
                     std::chrono::milliseconds timeout);

// Every byte but the unreserved ones as %XX.
std::string percent_encode(std::string_view bytes);

}  // namespace murder::client
