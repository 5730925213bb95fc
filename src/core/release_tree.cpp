#include "murder/core/release_tree.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/entry.hpp>
#include <libtorrent/torrent_info.hpp>

#include <map>
#include <set>

#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder {
namespace fs = std::filesystem;
namespace lt = libtorrent;

namespace {

constexpr const char* manifest_key = "murder tree";

char kind_letter(tree_entry::kind k) {
  switch (k) {
    case tree_entry::kind::directory: return 'd';
    case tree_entry::kind::symlink: return 'l';
    case tree_entry::kind::file: break;
  }
  return 'f';
}

entry_type checker_type(tree_entry::kind k) {
  switch (k) {
    case tree_entry::kind::directory: return entry_type::directory;
    case tree_entry::kind::symlink: return entry_type::symlink;
    case tree_entry::kind::file: break;
  }
  return entry_type::file;
}

void scan_into(const fs::path& dir, const std::string& prefix, bool skip_git, std::vector<tree_entry>& out) {
  for (const auto& child : sorted_children(dir, skip_git)) {
    struct stat st {};
    if (::lstat(child.path().c_str(), &st) != 0) {
      throw failure(exit_code::bad_input, "cannot read " + child.path().string() + ": " + errno_text(errno));
    }
    tree_entry e;
    e.path = prefix + child.path().filename().string();
    e.mode = st.st_mode & 07777;
    e.mtime = st.st_mtim.tv_sec;
    if (S_ISDIR(st.st_mode)) {
      e.type = tree_entry::kind::directory;
    } else if (S_ISREG(st.st_mode)) {
      e.size = static_cast<std::uint64_t>(st.st_size);
    } else if (S_ISLNK(st.st_mode)) {
      std::error_code ec;
      e.type = tree_entry::kind::symlink;
      e.target = fs::read_symlink(child.path(), ec).string();
      if (ec) throw failure(exit_code::bad_input, "cannot read link " + child.path().string() + ": " + ec.message());
    } else {
      throw failure(exit_code::bad_input,
                    "cannot send " + child.path().string() + ": not a file, directory or symbolic link");
    }
    const bool descend = e.type == tree_entry::kind::directory;
    const std::string below = e.path + "/";
    out.push_back(std::move(e));
    if (descend) scan_into(child.path(), below, skip_git, out);
  }
}

// A manifest path is one canonical spelling: no empty, "." or ".." component.
bool canonical_path(const std::string& path) {
  if (path.empty() || path.front() == '/' || path.back() == '/') return false;
  std::size_t start = 0;
  for (;;) {
    std::size_t end = path.find('/', start);
    std::string_view part(path.data() + start, (end == std::string::npos ? path.size() : end) - start);
    if (part.empty() || part == "." || part == "..") return false;
    if (end == std::string::npos) return true;
    start = end + 1;
  }
}

std::string parent_of(const std::string& path) {
  auto slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

tree_entry parse_entry(lt::bdecode_node const& node, const std::string& origin) {
  const std::string bad = "torrent " + origin + " has a malformed tree manifest";
  if (node.type() != lt::bdecode_node::dict_t) throw failure(exit_code::bad_input, bad);
  tree_entry e;
  e.path = std::string(node.dict_find_string_value("p"));
  std::string kind(node.dict_find_string_value("t"));
  e.mode = static_cast<unsigned>(node.dict_find_int_value("m", -1));
  e.mtime = node.dict_find_int_value("s", 0);
  e.target = std::string(node.dict_find_string_value("l"));
  if (kind == "d") {
    e.type = tree_entry::kind::directory;
  } else if (kind == "l") {
    e.type = tree_entry::kind::symlink;
  } else if (kind != "f") {
    throw failure(exit_code::bad_input, bad + ": entry '" + e.path + "' has no type");
  }
  if (e.mode > 07777) throw failure(exit_code::bad_input, bad + ": entry '" + e.path + "' has no mode");
  if (e.path.find('\0') != std::string::npos || e.target.find('\0') != std::string::npos) {
    throw failure(exit_code::bad_input, bad + ": a NUL byte in entry '" + e.path.c_str() + "'");
  }
  if (!canonical_path(e.path)) throw failure(exit_code::bad_input, bad + ": entry name '" + e.path + "'");
  return e;
}

// Regular files by release path, with their sizes, as the torrent lists them.
std::map<std::string, std::uint64_t> torrent_files(const lt::torrent_info& info) {
  std::map<std::string, std::uint64_t> files;
  for (int i = 0; i < info.num_files(); ++i) {
    std::string path = release_path(info, i);
    if (!path.empty()) files.emplace(path, static_cast<std::uint64_t>(info.files().file_size(lt::file_index_t{i})));
  }
  return files;
}

void fail_disk(const fs::path& path, const char* doing) {
  throw failure(exit_code::disk, std::string("cannot ") + doing + " " + path.string() + ": " + errno_text(errno));
}

void set_times(const fs::path& path, std::int64_t mtime) {
  struct timespec times[2] = {{static_cast<time_t>(mtime), 0}, {static_cast<time_t>(mtime), 0}};
  if (::utimensat(AT_FDCWD, path.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) fail_disk(path, "set the time of");
}

// Removes what the download left that the release does not hold.
void remove_unnamed(const fs::path& staging, const std::set<std::string>& named) {
  std::vector<fs::path> extra;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(staging, ec), end; !ec && it != end; it.increment(ec)) {
    std::string rel = it->path().lexically_relative(staging).generic_string();
    if (named.count(rel)) continue;
    extra.push_back(it->path());
    it.disable_recursion_pending();
  }
  if (ec) throw failure(exit_code::disk, "cannot list " + staging.string() + ": " + ec.message());
  for (const auto& p : extra) {
    fs::remove_all(p, ec);
    if (ec) throw failure(exit_code::disk, "cannot remove " + p.string() + ": " + ec.message());
  }
}

}  // namespace

std::vector<tree_entry> scan_tree(const fs::path& root, bool skip_git) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) throw failure(exit_code::bad_input, "cannot send " + root.string() + ": not a directory");
  std::vector<tree_entry> entries;
  scan_into(root, "", skip_git, entries);
  return entries;
}

lt::entry manifest_entry(const std::vector<tree_entry>& entries) {
  lt::entry list(lt::entry::list_t);
  for (const auto& e : entries) {
    lt::entry item(lt::entry::dictionary_t);
    item["p"] = e.path;
    item["t"] = std::string(1, kind_letter(e.type));
    item["m"] = static_cast<std::int64_t>(e.mode);
    item["s"] = e.mtime;
    if (e.type == tree_entry::kind::symlink) item["l"] = e.target;
    list.list().push_back(std::move(item));
  }
  return list;
}

std::string release_path(const lt::torrent_info& info, int index) {
  const auto& files = info.files();
  lt::file_index_t i{index};
  if (files.pad_file_at(i)) return "";
  const std::string path = files.file_path(i);
  auto slash = path.find('/');
  return slash == std::string::npos ? std::string() : path.substr(slash + 1);
}

namespace {

lt::bdecode_node manifest_node(const lt::torrent_info& info, lt::bdecode_node& root) {
  lt::error_code ec;
  root = lt::bdecode(info.info_section(), ec);
  if (ec || root.type() != lt::bdecode_node::dict_t) return {};
  return root.dict_find_list(manifest_key);
}

}  // namespace

bool is_tree_torrent(const lt::torrent_info& info) {
  lt::bdecode_node root;
  return static_cast<bool>(manifest_node(info, root));
}

std::vector<tree_entry> tree_manifest(const lt::torrent_info& info, const std::string& origin) {
  lt::bdecode_node root;
  lt::bdecode_node list = manifest_node(info, root);
  if (!list) return {};
  const std::string refusing = "torrent " + origin + ": refusing entry '";
  std::vector<tree_entry> entries;
  std::set<std::string> directories, names;
  entry_checker checker;
  auto files = torrent_files(info);
  std::size_t files_seen = 0;
  for (int i = 0; i < list.list_size(); ++i) {
    tree_entry e = parse_entry(list.list_at(i), origin);
    if (auto reason = checker.reason(e.path, checker_type(e.type), e.target); !reason.empty()) {
      throw failure(exit_code::bad_input, refusing + e.path + "': " + reason);
    }
    if (!names.insert(e.path).second) throw failure(exit_code::bad_input, refusing + e.path + "': named twice");
    if (auto parent = parent_of(e.path); !parent.empty() && !directories.count(parent)) {
      throw failure(exit_code::bad_input, refusing + e.path + "': its directory is not in the manifest before it");
    }
    if (e.type == tree_entry::kind::directory) directories.insert(e.path);
    if (e.type == tree_entry::kind::file) {
      auto in_torrent = files.find(e.path);
      if (in_torrent == files.end()) {
        throw failure(exit_code::bad_input, refusing + e.path + "': a file the torrent does not carry");
      }
      e.size = in_torrent->second;
      ++files_seen;
    }
    entries.push_back(std::move(e));
  }
  if (auto reason = checker.links_reason(); !reason.empty()) {
    throw failure(exit_code::bad_input, "torrent " + origin + ": " + reason);
  }
  if (files_seen != files.size()) {
    throw failure(exit_code::bad_input, "torrent " + origin + " carries files its tree manifest does not name");
  }
  return entries;
}

void apply_manifest(const fs::path& staging, const std::vector<tree_entry>& entries) {
  std::set<std::string> named;
  for (const auto& e : entries) {
    named.insert(e.path);
    const fs::path path = staging / e.path;
    struct stat st {};
    const bool present = ::lstat(path.c_str(), &st) == 0;
    switch (e.type) {
      case tree_entry::kind::directory:
        if (present && !S_ISDIR(st.st_mode)) fs::remove(path);
        if ((!present || !S_ISDIR(st.st_mode)) && ::mkdir(path.c_str(), 0700) != 0) fail_disk(path, "make");
        break;
      case tree_entry::kind::file:
        if (!present && e.size == 0) {
          int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
          if (fd < 0) fail_disk(path, "make");
          ::close(fd);
        } else if (!present || !S_ISREG(st.st_mode) || static_cast<std::uint64_t>(st.st_size) != e.size) {
          throw failure(exit_code::bad_input, "the download left " + path.string() + " missing or of the wrong size");
        }
        break;
      case tree_entry::kind::symlink:
        break;
    }
  }
  remove_unnamed(staging, named);
  // Links last, once nothing more is written below the root (tree_manifest
  // has refused any entry placed through one).
  for (const auto& e : entries) {
    if (e.type != tree_entry::kind::symlink) continue;
    const fs::path path = staging / e.path;
    if (::symlink(e.target.c_str(), path.c_str()) != 0) fail_disk(path, "make the link");
    set_times(path, e.mtime);
  }
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->type == tree_entry::kind::symlink) continue;
    const fs::path path = staging / it->path;
    if (::chmod(path.c_str(), static_cast<mode_t>(it->mode & 0777)) != 0) fail_disk(path, "set the mode of");
    set_times(path, it->mtime);
  }
}

}  // namespace murder
