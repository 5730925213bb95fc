#pragma once
// A peer's run for a tree torrent (release_tree.hpp): the release's files are
// downloaded straight into a staging directory beside the target, after the
// pieces an earlier release already holds have been copied there
// (reuse_base.hpp); the manifest is laid over them and the directory swapped
// into place atomically, as a tgz extraction is.

#include <spdlog/logger.h>

#include <filesystem>
#include <memory>

#include "murder/client/client.hpp"
#include "murder/core/archive.hpp"

namespace murder::client {

// Delivers the release to `target` and returns its transfer, serving the
// release from there. The base is the seeder's snapshot when the job's SAVEAS
// is one on this host (TEMP/TAG.tree), else the job's base, else (with
// find_base) the best of the target's siblings. On any failure (a stall, a
// stop signal, a full disk) the target and the base are as they were and
// nothing is left beside them.
std::unique_ptr<transfer> deliver_release_tree(const peer_job& job, const std::filesystem::path& target,
                                               const extract_options& options, progress_reporter& progress,
                                               std::shared_ptr<spdlog::logger> log);

}  // namespace murder::client
