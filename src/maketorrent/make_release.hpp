#pragma once
// What murder_make_torrent does once its command line is read: lays out a
// tagged transfer's files, packs a directory (tgz mode) or snapshots it (tree
// mode) or copies a file, writes the .torrent, and prints what it made.

#include <string>
#include <vector>

#include "murder/core/archive.hpp"
#include "murder/core/torrent_file.hpp"

namespace murder::maketorrent {

struct release_words {
  std::string payload, tracker, target, archive, copy_to, compression = "gzip", tag, temp = "/tmp", snapshot;
  std::vector<std::string> more_trackers;
  torrent_spec spec;
  pack_options pack;
  bool keep_git = false;
  bool tree = false;
};

// Throws failure(usage) for words that do not go together, and what packing
// and hashing throw (archive.hpp, torrent_file.hpp).
void make_release(release_words w);

}  // namespace murder::maketorrent
