#pragma once
// murder_client's deploy form: what the front ends send instead of spelling out
// murder's on-host layout themselves.
//
//   murder_client peer IP --home H --tag T [--temp DIR] --destination D
//                         [--no-tag-directory | --file-name NAME]
//                         [--tree [--base-tag B | --base DIR | --no-base]]
//   murder_client seed IP --home H --tag T [--temp DIR] [--tree] --daemon --unless-running
//   murder_client stop|status --home H [--role tracker|seed|peer] [--tag T]
//
// The tag is checked (deploy_layout.hpp's rules); the torrent and payload are
// TEMP/T.tgz.torrent and TEMP/T.tgz (with --tree: TEMP/T.tree.torrent and, for
// the seed, the directory TEMP/T.tree), the pidfile and log H/run/ROLE-T.pid and
// H/log/ROLE-T.log, a peer's target D/T, D or D/NAME. The original's positional
// form (TORRENT SAVEAS IP with explicit paths) still works; an explicit
// --pidfile or --logfile wins over the layout's, and --destination excludes
// --extract and --copy-to.

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace murder::client {

struct deploy_words {
  std::vector<std::string> args;  // the positional words: TORRENT SAVEAS IP, or IP with a tag
  std::string home;               // --home: murder's directory on this host
  std::string tag;                // --tag
  std::string temp = "/tmp";      // --temp: where TAG.tgz and its torrent live
  std::string destination;        // --destination (peer)
  bool no_tag_directory = false;  // --no-tag-directory (peer)
  std::optional<std::string> file_name;  // --file-name (peer): a single file, placed as DEST/NAME
  bool tree = false;              // --tree: TEMP/T.tree.torrent, and a seed's payload is the directory TEMP/T.tree
  std::string base_tag;           // --base-tag (peer): reuse DEST/BASE_TAG
};

struct transfer_places {
  std::filesystem::path torrent;
  std::filesystem::path saveas;
  std::string ip;
  std::string pidfile;  // empty: none
  std::string logfile;  // empty: stderr
  std::optional<std::filesystem::path> extract_to;
  std::optional<std::filesystem::path> copy_to;
  std::optional<std::filesystem::path> base;  // --base-tag's DEST/BASE_TAG
};

// Resolves the words of a `role` ("peer" or "seed") run. `pidfile`,
// `logfile`, `extract_to` and `copy_to` are what the command line gave
// explicitly (empty or none when not), and are kept. Makes HOME's run/, log/
// and torrents/ when a home is given. Throws failure(usage) naming what is
// wrong: a bad tag, a missing word, a destination without a tag.
transfer_places resolve_transfer(const deploy_words& words, const std::string& role, const std::string& pidfile,
                                 const std::string& logfile, const std::optional<std::filesystem::path>& extract_to,
                                 const std::optional<std::filesystem::path>& copy_to);

// The pidfiles `stop` and `status` work on under HOME/run: the tracker's;
// ROLE-TAG.pid; every ROLE-*.pid when no tag is given (matched by prefix, never
// as a pattern: a '*' in a tag is a character); with no role, tracker.pid,
// bundle.pid (serve-bundle) and every seed-*.pid and peer-*.pid, nothing else.
// Sorted; none when HOME/run does not exist. Throws failure(usage) for an
// unknown role or a bad tag.
std::vector<std::filesystem::path> select_pidfiles(const std::filesystem::path& home, const std::string& role,
                                                   const std::string& tag);

}  // namespace murder::client
