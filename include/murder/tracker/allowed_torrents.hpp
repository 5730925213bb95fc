#pragma once
// Which torrents the tracker serves: BitTornado's `--allowed_list FILE` (one hex
// info-hash a line, `#` comments) and `--allowed_dir DIR` (every *.torrent in it).
// With neither, the tracker is open to any info-hash.

#include <cstdint>
#include <filesystem>
#include <optional>
#include <unordered_set>

#include "murder/tracker/announce.hpp"

namespace murder::tracker {

class allowed_torrents {
 public:
  allowed_torrents() = default;
  // Throws failure(usage) for an unreadable file or a bad line, naming both.
  allowed_torrents(std::optional<std::filesystem::path> list_file, std::optional<std::filesystem::path> dir);

  bool is_open() const { return !list_file_ && !dir_; }
  // True if `h` is allowed. An unknown hash re-reads the list and the directory
  // (at most once a second, `now` in seconds) so a torrent created after the
  // tracker started is served without a restart.
  bool allows(const info_hash& h, std::int64_t now);
  size_t size() const { return hashes_.size(); }

  // Reloads both sources; returns the number of hashes now allowed.
  size_t reload();

 private:
  std::optional<std::filesystem::path> list_file_;
  std::optional<std::filesystem::path> dir_;
  std::unordered_set<info_hash, id20_hash> hashes_;
  std::int64_t last_reload_ = 0;
};

// Parses the allowed-list format; throws failure(usage) naming `origin` and the line.
std::unordered_set<info_hash, id20_hash> parse_allowed_list(std::string_view text, const std::string& origin);

}  // namespace murder::tracker
