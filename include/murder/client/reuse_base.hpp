#pragma once
// Reusing an earlier release for a tree torrent (release_tree.hpp): a peer
// copies into its staging directory every piece of the new release that the
// base release already holds, at the same path, and downloads only the rest.
//
// The base is only a hint. Each piece read from it is hashed and kept only when
// it matches the new torrent's piece hash, so a base that is missing, partly
// deleted or tampered with costs bytes on the wire, never correctness. The
// base is only read: opened without following any link below its root (a
// link there could point anywhere on the host), and never written or linked
// to, so the release it belongs to stays exactly as it was.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <vector>

#include "murder/core/release_tree.hpp"

namespace libtorrent {
class torrent_info;
}

namespace murder::client {

struct reuse_result {
  std::vector<bool> have_pieces;  // by piece index: copied and verified
  std::uint64_t bytes = 0;        // file bytes reused
  std::uint64_t files = 0;        // files reused whole or in part
};

// Copies the pieces `base` holds into `staging` (which the download then
// completes), on up to `threads` threads. A file that cannot be read below
// `base` is simply not reused. Throws failure(disk) when `staging` cannot be
// written.
// `on_bytes`, when set, hears the bytes reused so far after each file (from
// one thread at a time): a long reuse shows progress.
reuse_result reuse_base(const libtorrent::torrent_info& info, const std::filesystem::path& base,
                        const std::filesystem::path& staging, int threads,
                        const std::function<void(std::uint64_t)>& on_bytes = {});

// The earlier release a peer delivering to `target` reuses when none is named:
// of the directories beside `target` (and `target` itself, which a replacing
// deploy swaps out), the one holding the most bytes of the release's files at
// their paths with their sizes, among the 5 most recently changed; none when
// no candidate holds any.
std::optional<std::filesystem::path> find_base(const std::vector<tree_entry>& manifest,
                                               const std::filesystem::path& target);

}  // namespace murder::client
