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
    std::string_view line = line_content(text.substr(start, end - start));
    start = end + 1;
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

namespace {

// "v42.tgz.torrent" -> "v42"
std::string tag_of(std::string name) {
  for (std::string_view suffix : {".torrent", ".tgz"}) {
    if (name.size() > suffix.size() && name.compare(name.size() - suffix.size(), suffix.size(), suffix) == 0) {
      name.resize(name.size() - suffix.size());
    }
  }
  return name;
}

}  // namespace

allowed_torrents::allowed_torrents(std::optional<fs::path> list_file, std::optional<fs::path> dir)
    : list_file_(std::move(list_file)), dir_(std::move(dir)) {
  if (dir_ && !fs::is_directory(*dir_)) throw failure(exit_code::usage, "allowed_dir " + dir_->string() + " is not a directory");
  reload();
}

bool allowed_torrents::reload_list() {
  std::error_code ec;
  file_stamp stamp;
  stamp.size = fs::file_size(*list_file_, ec);
  if (!ec) stamp.mtime = fs::last_write_time(*list_file_, ec);
  if (ec) list_seen_.reset();
  else list_seen_ = stamp;
  if (!ec && list_stamp_ && *list_stamp_ == stamp) return false;
  try {
    list_hashes_ = parse_allowed_list(read_file(*list_file_), "allowed_list " + list_file_->string());
  } catch (const failure& e) {
    throw failure(exit_code::usage, e.what());
  }
  if (ec) list_stamp_.reset();
  else list_stamp_ = stamp;
  return true;
}

// A source that cannot be stat'ed counts as unchanged: it waits for the
// once-a-second look rather than costing a read per announce.
bool allowed_torrents::sources_changed() const {
  std::error_code ec;
  if (dir_) {
    auto mtime = fs::last_write_time(*dir_, ec);
    if (!ec && (!dir_mtime_ || mtime != *dir_mtime_)) return true;
  }
  if (list_file_) {
    file_stamp stamp;
    stamp.size = fs::file_size(*list_file_, ec);
    if (!ec) stamp.mtime = fs::last_write_time(*list_file_, ec);
    if (!ec && (!list_seen_ || !(stamp == *list_seen_))) return true;
  }
  return false;
}

bool allowed_torrents::rescan_dir() {
  // Taken before the listing: a torrent landing during it changes the time again.
  std::error_code time_ec;
  auto dir_mtime = fs::last_write_time(*dir_, time_ec);
  if (time_ec) dir_mtime_.reset();
  else dir_mtime_ = dir_mtime;
  ++directory_listings_;
  std::error_code ec;
  std::map<std::string, torrent_file> fresh;
  bool changed = false;
  for (fs::directory_iterator it(*dir_, ec), end; it != end; it.increment(ec)) {
    if (ec) break;
    if (it->path().extension() != ".torrent") continue;
    std::error_code stat_ec;
    file_stamp stamp;
    stamp.size = it->file_size(stat_ec);
    if (!stat_ec) stamp.mtime = it->last_write_time(stat_ec);
    if (stat_ec) continue;  // gone since the listing
    std::string name = it->path().filename().string();
    auto known = dir_files_.find(name);
    if (known != dir_files_.end() && known->second.stamp == stamp) {
      fresh.emplace(std::move(name), known->second);
      continue;
    }
    changed = true;
    torrent_file file{stamp, std::nullopt, {}};
    libtorrent::error_code lec;
    libtorrent::torrent_info info(it->path().string(), lec);
    ++torrents_parsed_;
    if (!lec) {
      auto v1 = info.info_hashes().v1;
      file.hash = info_hash::from(std::string_view(v1.data(), v1.size()));
      file.label = {tag_of(name), static_cast<std::uint64_t>(info.total_size())};
    } else if (known != dir_files_.end()) {
      // half-written: keep serving it until it parses or goes
      file.hash = known->second.hash;
      file.label = known->second.label;
    }
    fresh.emplace(std::move(name), file);
  }
  // A listing cut short would look like removed torrents: keep what we had.
  if (ec) return false;
  changed = changed || fresh.size() != dir_files_.size();
  if (changed) dir_files_ = std::move(fresh);
  return changed;
}

bool allowed_torrents::rebuild() {
  std::unordered_set<info_hash, id20_hash> fresh = list_hashes_;
  labels_.clear();
  for (const auto& [name, file] : dir_files_) {
    if (!file.hash) continue;
    fresh.insert(*file.hash);
    labels_[*file.hash] = file.label;
  }
  if (fresh == hashes_) return false;
  hashes_ = std::move(fresh);
  return true;
}

size_t allowed_torrents::reload() {
  bool changed = false;
  if (list_file_) changed = reload_list();
  if (dir_) changed = rescan_dir() || changed;
  if (changed) rebuild();
  return hashes_.size();
}

bool allowed_torrents::refresh(std::int64_t now) {
  if (is_open()) return false;
  if (now - last_refresh_ < 1 && !sources_changed()) return false;
  last_refresh_ = now;
  bool changed = false;
  if (list_file_) {
    try {
      changed = reload_list();
    } catch (const failure&) {
      // keep serving the last good list; the next start reports the file
    }
  }
  if (dir_) changed = rescan_dir() || changed;
  return changed && rebuild();
}

const torrent_label* allowed_torrents::label(const info_hash& h) const {
  auto it = labels_.find(h);
  return it == labels_.end() ? nullptr : &it->second;
}

bool allowed_torrents::allows(const info_hash& h, std::int64_t now) {
  if (contains(h)) return true;
  refresh(now);
  return hashes_.count(h) > 0;
}

size_t drop_unserved_swarms(allowed_torrents& allowed, swarm_registry& registry, std::int64_t now) {
  if (allowed.is_open()) return 0;
  allowed.refresh(now);
  return registry.drop_swarms_unless([&](const info_hash& h) { return allowed.contains(h); });
}

}  // namespace murder::tracker
