#pragma once
// Where a deploy's files live on a host. The front ends (murderctl, the
// Capistrano plugin) give the programs only murder's directory (--home), the
// tag and the paths an operator chose; the programs lay out the rest, so the
// layout is written once, here:
//
//   HOME/bin, HOME/lib              the installed bundle
//   HOME/run/NAME.pid               NAME: tracker, seed-TAG, peer-TAG, bundle
//   HOME/run/bundle.tgz             the bundle a host passes on during
//                                   distribute_files (serve_bundle.hpp)
//   HOME/run/tracker.state          the tracker's state file
//   HOME/log/NAME.log
//   HOME/torrents/TAG.torrent       the tracker's allowed_dir
//   TEMP/TAG.tgz, TEMP/TAG.tgz.torrent   a tgz transfer's payload and its torrent
//   TEMP/TAG.tree/, TEMP/TAG.tree.torrent  a tree transfer's (release_tree.hpp):
//                                   the seeder's snapshot of the release
//
// and a peer delivers to DEST/TAG (extracted), DEST itself (no tag
// directory), or DEST/NAME (a single file).

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace murder {

// The tag names files and, for a peer, a directory that --replace may empty.
// Throws failure(usage) unless it is usable: not empty, no '/', no NUL byte,
// not "." or "..", at most 200 bytes. The first two messages are the original
// Murder's words ("You must specify a 'tag' parameter to identify the
// transfer", "Tag cannot contain a / character").
void validate_tag(std::string_view tag);

struct host_layout {
  std::filesystem::path home;

  std::filesystem::path run_dir() const { return home / "run"; }
  std::filesystem::path log_dir() const { return home / "log"; }
  std::filesystem::path torrent_dir() const { return home / "torrents"; }
  std::filesystem::path pidfile(const std::string& name) const { return run_dir() / (name + ".pid"); }
  std::filesystem::path logfile(const std::string& name) const { return log_dir() / (name + ".log"); }
  std::filesystem::path state_file() const { return run_dir() / "tracker.state"; }
  // Makes run/, log/ and torrents/ (and home). Throws failure(disk) naming the directory.
  void make_dirs() const;
};

// "seed-TAG", "peer-TAG": the names of a transfer's pidfile and log.
std::string process_name(std::string_view role, std::string_view tag);

// How a release travels: as one tarball (the original's way), or as its files
// in a piece-aligned torrent that lets a host reuse an earlier release's
// unchanged files (release_tree.hpp).
enum class transfer_mode { tgz, tree };
// Parses "tree" or "tgz"; throws failure(usage) otherwise.
transfer_mode parse_transfer_mode(std::string_view name);
const char* transfer_mode_name(transfer_mode mode);

struct transfer_files {
  std::filesystem::path payload;  // TEMP/TAG.tgz (tree: the directory TEMP/TAG.tree)
  std::filesystem::path torrent;  // TEMP/TAG.tgz.torrent (tree: TEMP/TAG.tree.torrent)
};
transfer_files transfer_files_for(const std::filesystem::path& temp, const std::string& tag,
                                  transfer_mode mode = transfer_mode::tgz);

// A peer's delivery target: DEST/TAG, DEST with `no_tag_directory`, or
// DEST/`file_name` for a single file.
std::filesystem::path delivery_target(const std::filesystem::path& destination, const std::string& tag,
                                      bool no_tag_directory, const std::optional<std::string>& file_name);

}  // namespace murder
