#include <algorithm>
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
  if (link_target.find('\0') != std::string_view::npos) return "NUL byte in symbolic link target";
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

namespace {

std::string joined(const std::vector<std::string_view>& parts, size_t count) {
  std::string out;
  for (size_t i = 0; i < count; ++i) {
    if (i) out += '/';
    out += parts[i];
  }
  return out;
}

std::string joined(const std::vector<std::string>& parts) {
  std::string out;
  for (const auto& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

constexpr int max_link_hops = 40;  // the kernel's own limit (MAXSYMLINKS)

}  // namespace

std::string entry_checker::reason(std::string_view path, entry_type type, std::string_view link_target) {
  if (auto reason = unsafe_entry_reason(path, type, link_target); !reason.empty()) return reason;
  auto parts = split_components(path);
  if (parts.empty()) return "";
  auto pass = [&](const std::vector<std::string_view>& through) {
    for (size_t i = 1; i < through.size(); ++i) passed_.insert(joined(through, i));
  };
  pass(parts);
  if (type == entry_type::hardlink) pass(split_components(link_target));
  if (type == entry_type::symlink) links_.emplace(joined(parts, parts.size()), std::string(link_target));
  return "";
}

// Resolves each link as the kernel would once every entry is in place, through
// the other links: exact, because every other path in the tree is a real
// directory or file.
std::string entry_checker::links_reason() const {
  for (const auto& [name, target] : links_) {
    const std::string refusing = "refusing entry '" + name + "': ";
    if (passed_.count(name)) return refusing + "other entries are placed through this symbolic link";
    auto own = split_components(name);
    std::vector<std::string> resolved(own.begin(), own.end() - 1);
    std::vector<std::string> pending;
    for (auto part : split_components(target)) pending.emplace_back(part);
    std::reverse(pending.begin(), pending.end());  // a stack: the next component at the back
    int hops = 0;
    while (!pending.empty()) {
      std::string part = std::move(pending.back());
      pending.pop_back();
      if (part == "..") {
        if (resolved.empty()) return refusing + "symbolic link pointing outside the target through other links";
        resolved.pop_back();
        continue;
      }
      resolved.push_back(std::move(part));
      auto link = links_.find(joined(resolved));
      if (link == links_.end()) continue;
      if (++hops > max_link_hops) return refusing + "too many levels of symbolic links";
      resolved.pop_back();
      auto next = split_components(link->second);
      for (auto it = next.rbegin(); it != next.rend(); ++it) pending.emplace_back(*it);
    }
  }
  return "";
}

}  // namespace murder
