#pragma once
// Making and reading .torrent files.
//
// murder's torrents are BitTorrent v1 (so every v1 client, aria2 and
// Transmission 3 included, can join), private (peers come only from the tracker)
// and carry no creation date (the same payload gives the same .torrent bytes).
// A tgz-mode torrent carries one file; a tree-mode torrent (release_tree.hpp)
// the files of a release and its manifest.
//
// Piece size rule: 256 KiB, doubled while the payload would need more than 8192
// pieces, up to 16 MiB. So payloads up to 2 GiB use 256 KiB pieces, 4 GiB use
// 512 KiB, 32 GiB use 4 MiB. Small pieces spread through a swarm sooner; the
// cap on their count keeps the .torrent small (20 bytes of hash per piece).

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace libtorrent {
class torrent_info;
}

namespace murder {

struct tree_entry;

// The piece size the rule above picks for a payload of `payload_bytes`.
int piece_size_for(std::uint64_t payload_bytes);

// "host:port" becomes "http://host:port/announce"; a full http(s):// URL is kept.
// Throws failure(usage) for anything else.
std::string announce_url(const std::string& tracker);

struct torrent_spec {
  std::filesystem::path payload;      // one regular file
  std::vector<std::string> trackers;  // announce URLs; each in a tier of its own
  int piece_size = 0;                 // 0: piece_size_for(payload size)
  int hash_threads = 0;               // 0: one per core
  std::string comment;
};

struct torrent_summary {
  std::string info_hash;  // 40 lowercase hex digits (v1 SHA-1 of the info dict)
  std::string name;
  std::uint64_t total_size = 0;
  int piece_size = 0;
  int num_pieces = 0;
  bool is_private = false;
  std::vector<std::string> trackers;
};

// Hashes `spec.payload` on all cores and writes the .torrent atomically to `out`.
// Throws failure(bad_input) when the payload is missing or not a regular file.
torrent_summary make_torrent_file(const torrent_spec& spec, const std::filesystem::path& out);

// What murder_make_torrent --tree makes (release_tree.hpp): a torrent of the
// regular files of `torrent.payload` (a directory), piece-aligned, with the
// tree's manifest in its info dictionary, and at `snapshot` a private copy of
// those files (mode 0700, replaced atomically), which the seeder serves: the
// source may change after the torrent is made without the swarm noticing.
struct tree_torrent_spec {
  torrent_spec torrent;
  std::filesystem::path snapshot;
  std::string name;       // the torrent's name (a peer names the release itself)
  bool skip_git = true;   // leave out entries whose name starts with ".git"
};

struct tree_torrent_summary {
  torrent_summary torrent;
  std::uint64_t entries = 0;  // directories, files and links
  std::uint64_t files = 0;
};

// The piece size of a tree torrent: piece_size_for(the files' bytes), halved
// (down to 16 KiB) while the pad after each file's last piece would add more
// than a quarter to them. Every host hashes the pad with the data (checking a
// reused piece, or a downloaded one), so a tree of small files gets small
// pieces: files of 4 to 124 KiB get 32 KiB pieces, not 64 KiB.
int tree_piece_size(const std::vector<tree_entry>& entries);

// Throws failure(bad_input) for a missing source, a special file in it, a tree
// without a byte of file data, or a file that changes while it is copied;
// failure(disk) when the snapshot or the torrent cannot be written.
tree_torrent_summary make_tree_torrent(const tree_torrent_spec& spec, const std::filesystem::path& out);

// Loads and checks a .torrent. Throws failure(bad_input) naming the path.
std::shared_ptr<const libtorrent::torrent_info> load_torrent(const std::filesystem::path& path);

// The bytes of the torrent's files, without pad files (which are never written).
std::uint64_t payload_bytes(const libtorrent::torrent_info& info);

torrent_summary summarize(const libtorrent::torrent_info& info);

}  // namespace murder
