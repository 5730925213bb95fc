#include "murder/tracker/allowed_torrents.hpp"

#include <libtorrent/torrent_info.hpp>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"

namespace murder::tracker {
namespace fs = std::filesystem;

std::unordered_set<info_hash, id20_hash> parse_allowed_list(std::string_view text, const std::string& origin) {
  std::unordered_set<info_hash, id20_hash> hashes;
  size_t line_no = 0, start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    ++line_no;
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.remove_suffix(1);
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.front()))) line.remove_prefix(1);
    if (line.empty()) continue;
    auto raw = from_hex(line);
    auto h = raw ? info_hash::from(*raw) : std::nullopt;
    if (!h) {
      throw failure(exit_code::usage, origin + " line " + std::to_string(line_no) + ": not a 40-digit hex info-hash");
    }
    hashes.insert(*h);
  }
  return hashes;
}

allowed_torrents::allowed_torrents(std::optional<fs::path> list_file, std::optional<fs::path> dir)
    : list_file_(std::move(list_file)), dir_(std::move(dir)) {
  if (dir_ && !fs::is_directory(*dir_)) throw failure(exit_code::usage, "allowed_dir " + dir_->string() + " is not a directory");
  reload();
}

size_t allowed_torrents::reload() {
  std::unordered_set<info_hash, id20_hash> fresh;
  if (list_file_) {
    try {
      fresh = parse_allowed_list(read_file(*list_file_), "allowed_list " + list_file_->string());
    } catch (const failure& e) {
      throw failure(exit_code::usage, e.what());
    }
  }
  if (dir_) {
    std::error_code ec;
    for (fs::directory_iterator it(*dir_, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->path().extension() != ".torrent") continue;
      libtorrent::error_code lec;
      libtorrent::torrent_info info(it->path().string(), lec);
      if (lec) continue;  // a half-copied or foreign file: skipped, seen again next time
      auto v1 = info.info_hashes().v1;
      if (auto h = info_hash::from(std::string_view(v1.data(), v1.size()))) fresh.insert(*h);
    }
  }
  hashes_ = std::move(fresh);
  return hashes_.size();
}

bool allowed_torrents::allows(const info_hash& h, std::int64_t now) {
  if (is_open() || hashes_.count(h)) return true;
  if (now - last_reload_ < 1) return false;
  last_reload_ = now;
  try {
    reload();
  } catch (const failure&) {
    return false;  // keep serving what we had; the next start reports the file
  }
  return hashes_.count(h) > 0;
}

}  // namespace murder::tracker
