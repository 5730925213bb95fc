#include "murder/tracker/peer_reports.hpp"

#include "murder/core/hex.hpp"

namespace murder::tracker {

std::string peer_reports::add(const info_hash& hash, std::string_view key, std::string_view report) {
  if (!is_lowercase_hex(key, 32)) return "the key must be 32 lowercase hex digits";
  if (report.empty() || report.size() > longest_report) {
    return "a report must be 1 to " + std::to_string(longest_report) + " bytes";
  }
  if (report.find('\n') != std::string_view::npos || report.find('\r') != std::string_view::npos) {
    return "a report is one line";
  }
  auto& reports = by_torrent_[hash];
  if (reports.index.find(key) != reports.index.end()) return "";
  const std::size_t size = key.size() + 1 + report.size();
  if (bytes_ + size > most_bytes) return "the tracker holds as many reports as it keeps";
  reports.index.emplace(std::string(key), reports.lines.size());
  reports.lines.push_back(std::string(key) + " " + std::string(report));
  bytes_ += size;
  return "";
}

std::vector<std::string> peer_reports::lines(const info_hash& hash) const {
  auto it = by_torrent_.find(hash);
  return it == by_torrent_.end() ? std::vector<std::string>{} : it->second.lines;
}

}  // namespace murder::tracker
