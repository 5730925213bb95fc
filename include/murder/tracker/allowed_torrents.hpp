#pragma once
// Which torrents the tracker serves: BitTornado's `--allowed_list FILE` (one hex
// info-hash a line, `#` comments) and `--allowed_dir DIR` (every *.torrent in it).
// With neither, the tracker is open to any info-hash.
//
// Re-reading is cheap and bounded. A look first stat's the list file and the
// directory: when either changed since the last read (a torrent renamed into
// the directory changes its modification time) they are read at once, so a
// seed announcing right after its torrent landed is never refused; otherwise
// they are read at most once a second. The list file is re-read only if its
// size or modification time changed; the directory is listed and each
// *.torrent stat'ed, but a .torrent is parsed only when it is new or its size
// or modification time changed. A flood of announces for unknown info-hashes
// therefore costs two stat calls each and one listing a second, never a parse
// of every torrent. A .torrent that stops parsing (being rewritten in
// place) keeps its last good info-hash until it parses again or is removed.

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "murder/tracker/announce.hpp"
#include "murder/tracker/swarm.hpp"

namespace murder::tracker {

// What the tracker knows of a torrent from its .torrent file in allowed_dir.
struct torrent_label {
  std::string tag;         // the file's name without ".torrent" and ".tgz": murder's tag
  std::uint64_t size = 0;  // payload bytes
};

class allowed_torrents {
 public:
  allowed_torrents() = default;
  // Throws failure(usage) for an unreadable file or a bad line, naming both.
  allowed_torrents(std::optional<std::filesystem::path> list_file, std::optional<std::filesystem::path> dir);

  bool is_open() const { return !list_file_ && !dir_; }
  // True if `h` is allowed now, without looking at the sources again.
  bool contains(const info_hash& h) const { return is_open() || hashes_.count(h) > 0; }
  // True if `h` is allowed. An unknown hash refreshes (below) first, so a
  // torrent created after the tracker started is served without a restart.
  bool allows(const info_hash& h, std::int64_t now);
  // Picks up changes to the list and the directory (see above): at once when
  // either changed, else at most once a second (`now` in seconds). Never throws: a list file that became unreadable
  // or malformed keeps its last good hashes (the next start reports it), and a
  // directory that cannot be listed keeps its last good torrents. Returns true
  // when the set of allowed hashes changed.
  bool refresh(std::int64_t now);
  size_t size() const { return hashes_.size(); }
  // The label of `h` when a .torrent in allowed_dir holds it, else null.
  const torrent_label* label(const info_hash& h) const;
  // How many .torrent files have been parsed since start (see above).
  size_t torrents_parsed() const { return torrents_parsed_; }
  // How many times the directory has been listed since start.
  size_t directory_listings() const { return directory_listings_; }

  // Re-reads whatever changed in both sources now, however recently it last
  // did; returns the number of hashes allowed. Throws like the constructor.
  size_t reload();

 private:
  struct file_stamp {
    std::filesystem::file_time_type mtime{};
    std::uintmax_t size = 0;
    friend bool operator==(const file_stamp& a, const file_stamp& b) { return a.mtime == b.mtime && a.size == b.size; }
  };
  struct torrent_file {
    file_stamp stamp;
    std::optional<info_hash> hash;  // none: it has never parsed
    torrent_label label;
  };
  bool sources_changed() const;
  bool reload_list();
  bool rescan_dir();
  bool rebuild();

  std::optional<std::filesystem::path> list_file_;
  std::optional<std::filesystem::path> dir_;
  std::optional<file_stamp> list_stamp_;  // of the list last read well
  std::optional<file_stamp> list_seen_;   // of the list last looked at
  std::optional<std::filesystem::file_time_type> dir_mtime_;  // when the directory was last listed
  std::unordered_set<info_hash, id20_hash> list_hashes_;
  std::map<std::string, torrent_file> dir_files_;  // by file name
  std::unordered_set<info_hash, id20_hash> hashes_;
  std::unordered_map<info_hash, torrent_label, id20_hash> labels_;
  std::int64_t last_refresh_ = 0;
  size_t torrents_parsed_ = 0;
  size_t directory_listings_ = 0;
};

// Parses the allowed-list format; throws failure(usage) naming `origin` and the line.
std::unordered_set<info_hash, id20_hash> parse_allowed_list(std::string_view text, const std::string& origin);

// Refreshes `allowed` (at most once a second) and drops the swarms of torrents it
// no longer allows: a .torrent removed from the directory, a hash taken off the
// list, a swarm from the state file of a torrent since withdrawn. An open
// tracker drops none. Returns how many swarms went.
size_t drop_unserved_swarms(allowed_torrents& allowed, swarm_registry& registry, std::int64_t now);

}  // namespace murder::tracker
