// murder_make_torrent: pack a release (when given a directory) and write its .torrent.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <filesystem>

#include "murder/core/archive.hpp"
#include "murder/core/command_line.hpp"
#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/program.hpp"
#include "murder/core/torrent_file.hpp"

namespace fs = std::filesystem;

namespace {

void print_summary(const std::string& target, const murder::torrent_summary& summary,
                   std::chrono::steady_clock::time_point started) {
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("wrote %s: %llu bytes in %d pieces of %d KiB, %.2f s\ninfo-hash: %s\n", target.c_str(),
              static_cast<unsigned long long>(summary.total_size), summary.num_pieces, summary.piece_size / 1024,
              seconds, summary.info_hash.c_str());
}

}  // namespace

int main(int argc, char** argv) {
  return murder::run_program("murder_make_torrent", [&] {
    std::string payload, tracker, target, archive, copy_to, compression = "gzip", tag, temp = "/tmp";
    std::vector<std::string> more_trackers;
    murder::torrent_spec spec;
    murder::pack_options pack;
    bool keep_git = false, tree = false;
    std::string snapshot;
    CLI::App app{"murder_make_torrent: pack a directory into a tarball and write a private .torrent for it"};
    app.set_version_flag("--version", MURDER_VERSION);
    app.add_option("file", payload, "payload file, or a directory to pack")->required();
    app.add_option("tracker", tracker, "tracker as host:port or an http:// announce URL")->required();
    app.add_option("target", target, "the .torrent to write (with --tag: TEMP/TAG.tgz.torrent)");
    app.add_option("--tag", tag, "the transfer's tag: write TEMP/TAG.tgz (packed, or a copy of a file) and its .torrent");
    app.add_option("--temp", temp, "where TAG.tgz and TAG.tgz.torrent go, with --tag")->capture_default_str();
    app.add_option("--archive", archive, "where a packed directory goes (default: target without .torrent)");
    app.add_option("--copy-to", copy_to,
                   "a payload file is first copied here (created privately, then renamed into place) and the "
                   "torrent made of the copy");
    app.add_option("--compression", compression, "gzip, zstd or none")->capture_default_str();
    app.add_option("--level", pack.level, "compression level (0: the compressor's default)");
    app.add_flag("--keep-git", keep_git, "pack .git* entries too (skipped by default)");
    app.add_flag("--tree", tree,
                 "send a directory as its files, not a tarball, so hosts holding an earlier release fetch only "
                 "what changed (with --tag: a snapshot in TEMP/TAG.tree and TEMP/TAG.tree.torrent)");
    app.add_option("--snapshot", snapshot, "with --tree: where the copy the seeder serves goes (default: TARGET without .torrent)");
    // One value per --tracker: the positional arguments may follow it.
    app.add_option("--tracker", more_trackers, "another tracker, as a backup tier (repeatable)")->allow_extra_args(false);
    app.add_option("--piece-size", spec.piece_size, "piece size in bytes (default: see README)");
    app.add_option("--threads", spec.hash_threads, "hashing threads (default: one per core)");
    if (auto done = murder::parse_command_line(app, argc, argv)) return *done;
    if (tree && !fs::is_directory(payload)) {
      throw murder::failure(murder::exit_code::usage, "--tree sends a directory, and " + payload + " is not one");
    }
    const auto mode = tree ? murder::transfer_mode::tree : murder::transfer_mode::tgz;
    if (!tag.empty()) {
      murder::validate_tag(tag);
      std::error_code ec;
      auto files = murder::transfer_files_for(temp, tag, mode);
      if (tree && snapshot.empty()) snapshot = files.payload.string();
      if (target.empty()) target = files.torrent.string();
      if (archive.empty() && fs::is_directory(payload)) archive = files.payload.string();
      // A file already at TEMP/TAG.tgz (uploaded there) is the payload as it is.
      if (copy_to.empty() && !fs::is_directory(payload) && !fs::equivalent(payload, files.payload, ec)) {
        copy_to = files.payload.string();
      }
    }
    if (target.empty()) throw murder::failure(murder::exit_code::usage, "target is required (or --tag) (see --help)");
    spec.trackers.push_back(murder::announce_url(tracker));
    for (const auto& t : more_trackers) spec.trackers.push_back(murder::announce_url(t));
    spec.payload = payload;
    if (!tag.empty() && fs::exists(payload)) {  // last, once the words are known good
      std::error_code ec;
      fs::create_directories(temp, ec);
      if (ec) throw murder::failure(murder::exit_code::disk, "cannot make " + temp + ": " + ec.message());
    }
    auto started = std::chrono::steady_clock::now();
    if (!copy_to.empty() && fs::is_directory(payload)) {
      throw murder::failure(murder::exit_code::usage, "--copy-to takes a file, and " + payload + " is a directory");
    }
    if (tree) {
      if (snapshot.empty()) snapshot = fs::path(target).replace_extension().string();
      murder::tree_torrent_spec tree_spec{spec, fs::absolute(snapshot), tag.empty() ? fs::absolute(payload).filename().string() : tag, !keep_git};
      auto made = murder::make_tree_torrent(tree_spec, target);
      print_summary(target, made.torrent, started);
      std::printf("tree: %llu entries, %llu files; the seeder serves %s\n", static_cast<unsigned long long>(made.entries),
                  static_cast<unsigned long long>(made.files), snapshot.c_str());
      return 0;
    }
    if (fs::is_directory(payload)) {
      pack.method = murder::parse_compression(compression);
      pack.skip_git = !keep_git;
      if (archive.empty()) {
        archive = fs::path(target).extension() == ".torrent" ? fs::path(target).replace_extension().string() : target + ".tgz";
      }
      auto packed = murder::pack_directory(payload, archive, pack);
      std::printf("packed %llu entries (%llu bytes) into %s (%llu bytes)\n",
                  static_cast<unsigned long long>(packed.entries), static_cast<unsigned long long>(packed.content_bytes),
                  archive.c_str(), static_cast<unsigned long long>(packed.archive_bytes));
      spec.payload = archive;
    } else if (!copy_to.empty()) {
      // Seeded from a name in a shared temp directory: never through a file
      // someone else made there first.
      murder::copy_file_atomically(payload, copy_to, 0755);
      spec.payload = copy_to;
    }
    print_summary(target, murder::make_torrent_file(spec, target), started);
    return 0;
  });
}
