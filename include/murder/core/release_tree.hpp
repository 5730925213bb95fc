#pragma once
// A release as a tree of files: murder's "tree" transfer mode.
//
// In tree mode the torrent carries the release's regular files themselves, one
// torrent file each, every one starting on a piece boundary (BEP 47 pad files
// between them, so v1 clients can still join). A piece therefore belongs to one
// file only, and a host that already holds an earlier release can check its
// unchanged files against the new torrent's piece hashes and fetch only the
// rest (reuse_base.hpp).
//
// What a torrent cannot say (directories, modes, modification times, symbolic
// links) travels in the info dictionary, under the key "murder tree": the
// release's manifest, one entry per directory, file and link, covered by the
// info-hash like everything else in it. A peer writes the files into a staging
// directory, lays the manifest over them (apply_manifest), and swaps the
// directory into place: the same tree a tgz deploy extracts.

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace libtorrent {
class torrent_info;
struct entry;
}  // namespace libtorrent

namespace murder {

struct tree_entry {
  enum class kind { directory, file, symlink };
  std::string path;          // relative to the release's root, '/'-separated, never empty
  kind type = kind::file;
  unsigned mode = 0644;      // permission bits (07777)
  std::int64_t mtime = 0;    // whole seconds
  std::uint64_t size = 0;    // regular files
  std::string target;        // symbolic links
};

// The tree under `root`, in byte order of the names, directories before what
// they hold. Leaves out entries whose name starts with ".git" when `skip_git`.
// Throws failure(bad_input) for a missing root or a special file in it.
std::vector<tree_entry> scan_tree(const std::filesystem::path& root, bool skip_git);

// The manifest as the value stored under "murder tree".
libtorrent::entry manifest_entry(const std::vector<tree_entry>& entries);

// Whether the torrent is a tree torrent (it carries a manifest).
bool is_tree_torrent(const libtorrent::torrent_info& info);

// The manifest of a tree torrent; empty for a single-file (tgz) torrent.
// Throws failure(bad_input) naming `origin` when the manifest is malformed,
// unsafe (archive.hpp's entry_checker: absolute names, '..', links leaving the
// root, entries placed through links) or disagrees with the torrent's files.
std::vector<tree_entry> tree_manifest(const libtorrent::torrent_info& info, const std::string& origin);

// The path of torrent file `index` below the release's root (its first
// component, the torrent's name, left out). Empty for a pad file.
std::string release_path(const libtorrent::torrent_info& info, int index);

// Completes the release in `staging`, which holds the manifest's regular files
// with their data (written by the download): makes the directories, the empty
// files and the links, sets every mode and time, and removes anything the
// manifest does not name. Throws failure(disk) naming the path it could not
// make, failure(bad_input) when a file is missing or of the wrong size.
void apply_manifest(const std::filesystem::path& staging, const std::vector<tree_entry>& entries);

}  // namespace murder
