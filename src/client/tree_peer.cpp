#include "murder/client/tree_peer.hpp"

#include <chrono>
#include <future>
#include <optional>

#include "murder/client/reuse_base.hpp"
#include "murder/core/release_tree.hpp"
#include "murder/core/torrent_file.hpp"

namespace murder::client {

namespace fs = std::filesystem;

namespace {

// One thread reads and hashes the base: four took twice as long as one when
// 20 hosts shared two cores (threads creating files in one directory contend
// for its lock), and one reuses 128 MiB in about 0.25 s.
constexpr int reuse_threads = 1;

double megabytes(std::uint64_t bytes) { return static_cast<double>(bytes) / 1e6; }

// Copies what `base` holds of the release into `staging`; the pieces now in
// place (none without a base).
std::vector<bool> reuse(const libtorrent::torrent_info& info, const std::optional<fs::path>& base,
                        const fs::path& staging, progress_reporter& progress, spdlog::logger& log) {
  if (!base) return {};
  auto started = std::chrono::steady_clock::now();
  // murderctl sees the reuse move, as it sees a download.
  transfer_status moving;
  moving.name = info.name();
  moving.bytes_total = payload_bytes(info);
  moving.checking = true;
  auto reused = reuse_base(info, *base, staging, reuse_threads, [&](std::uint64_t bytes) {
    moving.bytes_done = bytes;
    progress.update(moving);
  });
  log.info("reused {:.1f} MB ({} files) from {} in {:.2f} s", megabytes(reused.bytes), reused.files, base->string(),
           std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  return std::move(reused.have_pieces);
}

}  // namespace

std::unique_ptr<transfer> deliver_release_tree(const peer_job& job, const fs::path& target, const extract_options& options,
                                               progress_reporter& progress, std::shared_ptr<spdlog::logger> log) {
  auto info = job.transfer.info ? job.transfer.info : load_torrent(job.transfer.torrent);
  auto manifest = tree_manifest(*info, job.transfer.torrent.string());
  std::unique_ptr<transfer> t;
  deliver_directory(target, options, [&](const fs::path& staging) {
    transfer_options how = job.transfer;
    how.saveas = staging;
    // On the seeder's own host the snapshot it serves is this very release.
    std::error_code ec;
    const bool snapshot = job.extract_to && job.transfer.saveas != target && fs::is_directory(job.transfer.saveas, ec);
    auto base = snapshot ? std::optional<fs::path>(job.transfer.saveas) : job.base;
    if (!base && job.find_base) base = find_base(manifest, target);
    if (!base) log->info("no earlier release to reuse beside {}: fetching every file", target.string());
    // libtorrent's session starts while the base is read.
    how.torrent_later = true;
    auto session = std::async(std::launch::async, [&how, &log] { return std::make_unique<transfer>(how, log); });
    try {
      const auto have = reuse(*info, base, staging, progress, *log);
      t = session.get();
      t->add_torrent(have);
      t->download(progress);
      t->set_aside();
      apply_manifest(staging, manifest);
    } catch (...) {
      t.reset();  // libtorrent writes nothing more before the staging directory goes
      throw;      // (a session still starting is waited for and ended with `session`)
    }
  });
  t->serve_from(target);
  return t;
}

}  // namespace murder::client
