#include <climits>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/archive.hpp"

namespace murder {

namespace {

constexpr size_t max_component = 255;  // NAME_MAX on Linux filesystems
constexpr size_t max_path = 4095;      // PATH_MAX less the terminator

std::vector<std::string_view> split_components(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    std::string_view part = path.substr(start, end - start);
    if (!part.empty() && part != ".") parts.push_back(part);
    start = end + 1;
  }
  return parts;
}

// Checks a name relative to the extraction root.
std::string unsafe_name_reason(std::string_view path) {
  if (path.empty()) return "empty name";
  if (path.find('\0') != std::string_view::npos) return "NUL byte in name";
  if (path.front() == '/') return "absolute path";
  if (path.size() > max_path) return "name longer than " + std::to_string(max_path) + " bytes";
  auto parts = split_components(path);
  if (parts.empty()) return "";
  for (auto part : parts) {
    if (part == "..") return "'..' in path";
    if (part.size() > max_component) return "name component longer than " + std::to_string(max_component) + " bytes";
  }
  return "";
}

}  // namespace

std::string unsafe_entry_reason(std::string_view path, entry_type type, std::string_view link_target) {
  if (auto reason = unsafe_name_reason(path); !reason.empty()) return reason;
  switch (type) {
    case entry_type::file:
    case entry_type::directory:
      return "";
    case entry_type::special:
      return "device node, FIFO or socket";
    case entry_type::hardlink:
      if (auto reason = unsafe_name_reason(link_target); !reason.empty()) return "hard link source: " + reason;
      return "";
    case entry_type::symlink:
      break;
  }
  if (link_target.empty()) return "symbolic link with an empty target";
  if (link_target.front() == '/') return "symbolic link to an absolute path";
  if (link_target.size() > max_path) return "symbolic link target too long";
  // Resolve the target lexically from the link's own directory; it must never
  // climb above the extraction root.
  auto parts = split_components(path);
  long depth = static_cast<long>(parts.size()) - 1;
  for (auto part : split_components(link_target)) {
    depth += part == ".." ? -1 : 1;
    if (depth < 0) return "symbolic link pointing outside the target";
  }
  return "";
}

}  // namespace murder
