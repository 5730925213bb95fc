#include "make_release.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"

namespace murder::maketorrent {

namespace fs = std::filesystem;

namespace {

void print_summary(const std::string& target, const torrent_summary& summary,
                   std::chrono::steady_clock::time_point started) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("wrote %s: %llu bytes in %d pieces of %d KiB, %.2f s\ninfo-hash: %s\n", target.c_str(),
              static_cast<unsigned long long>(summary.total_size), summary.num_pieces, summary.piece_size / 1024,
              seconds, summary.info_hash.c_str());
}

}  // namespace

void make_release(release_words w) {
  auto& [payload, tracker, target, archive, copy_to, compression, tag, temp, snapshot, more_trackers, spec, pack, keep_git,
         tree] = w;
  if (tree && !fs::is_directory(payload)) {
    throw failure(exit_code::usage, "--tree sends a directory, and " + payload + " is not one");
  }
  const auto mode = tree ? transfer_mode::tree : transfer_mode::tgz;
  if (!tag.empty()) {
    validate_tag(tag);
    std::error_code ec;
    auto files = transfer_files_for(temp, tag, mode);
    if (tree && snapshot.empty()) snapshot = files.payload.string();
    if (target.empty()) target = files.torrent.string();
    if (archive.empty() && fs::is_directory(payload)) archive = files.payload.string();
    // A file already at TEMP/TAG.tgz (uploaded there) is the payload as it is.
    if (copy_to.empty() && !fs::is_directory(payload) && !fs::equivalent(payload, files.payload, ec)) {
      copy_to = files.payload.string();
    }
  }
  if (target.empty()) throw failure(exit_code::usage, "target is required (or --tag) (see --help)");
  spec.trackers.push_back(announce_url(tracker));
  for (const auto& t : more_trackers) spec.trackers.push_back(announce_url(t));
  spec.payload = payload;
  if (!tag.empty() && fs::exists(payload)) {  // last, once the words are known good
    std::error_code ec;
    fs::create_directories(temp, ec);
    if (ec) throw failure(exit_code::disk, "cannot make " + temp + ": " + ec.message());
  }
  auto started = std::chrono::steady_clock::now();
  if (!copy_to.empty() && fs::is_directory(payload)) {
    throw failure(exit_code::usage, "--copy-to takes a file, and " + payload + " is a directory");
  }
  if (tree) {
    if (snapshot.empty()) snapshot = fs::path(target).replace_extension().string();
    tree_torrent_spec tree_spec{spec, fs::absolute(snapshot), tag.empty() ? fs::absolute(payload).filename().string() : tag, !keep_git};
    auto made = make_tree_torrent(tree_spec, target);
    print_summary(target, made.torrent, started);
    std::printf("tree: %llu entries, %llu files; the seeder serves %s\n", static_cast<unsigned long long>(made.entries),
                static_cast<unsigned long long>(made.files), snapshot.c_str());
    return;
  }
  if (fs::is_directory(payload)) {
    pack.method = parse_compression(compression);
    pack.skip_git = !keep_git;
    if (archive.empty()) {
      archive = fs::path(target).extension() == ".torrent" ? fs::path(target).replace_extension().string() : target + ".tgz";
    }
    auto packed = pack_directory(payload, archive, pack);
    std::printf("packed %llu entries (%llu bytes) into %s (%llu bytes)\n",
                static_cast<unsigned long long>(packed.entries), static_cast<unsigned long long>(packed.content_bytes),
                archive.c_str(), static_cast<unsigned long long>(packed.archive_bytes));
    spec.payload = archive;
  } else if (!copy_to.empty()) {
    // Seeded from a name in a shared temp directory: never through a file
    // someone else made there first.
    copy_file_atomically(payload, copy_to, 0755);
    spec.payload = copy_to;
  }
  print_summary(target, make_torrent_file(spec, target), started);
}

}  // namespace murder::maketorrent
