#pragma once
// Making and reading .torrent files.
//
// murder's torrents are single-file, BitTorrent v1 (so every v1 client, aria2 and
// Transmission 3 included, can join), private (peers come only from the tracker)
// and carry no creation date (the same payload gives the same .torrent bytes).
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

// Loads and checks a .torrent. Throws failure(bad_input) naming the path.
std::shared_ptr<const libtorrent::torrent_info> load_torrent(const std::filesystem::path& path);

torrent_summary summarize(const libtorrent::torrent_info& info);

}  // namespace murder
