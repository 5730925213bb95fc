#pragma once
// Each murder peer's last word, kept by the tracker for murderctl (issue 14):
// a peer that has delivered its release (or failed) sends its final event
// line, under the key murderctl gave it, to /murder/report; murderctl then
// reads every report of the torrent from /murder/reports on the tracker's own
// host, with one SSH command, instead of opening a session to every host
// again. The key is 32 hex digits murderctl drew for that host, so no other
// host can write its row; the first report under a key is kept.
//
// Bounded: each report at most `longest_report` bytes, at most
// `most_bytes` of them in all (a 10,000-host deploy's take about 3 MB).

#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "murder/tracker/announce.hpp"

namespace murder::tracker {

class peer_reports {
 public:
  static constexpr std::size_t longest_report = 2048;
  static constexpr std::size_t most_bytes = 64 << 20;

  // Keeps `report` under `key` for `hash`; an empty string when kept or when
  // the key already has one, else why it is refused.
  std::string add(const info_hash& hash, std::string_view key, std::string_view report);
  // "KEY REPORT" lines, in the order they came.
  std::vector<std::string> lines(const info_hash& hash) const;

 private:
  struct torrent_reports {
    std::map<std::string, std::size_t, std::less<>> index;  // key -> position in `lines`
    std::vector<std::string> lines;
  };
  std::map<info_hash, torrent_reports> by_torrent_;
  std::size_t bytes_ = 0;
};

}  // namespace murder::tracker
