// murder_make_torrent: pack a release (when given a directory) and write its .torrent.
#include <CLI/CLI.hpp>

#include <utility>

#include "make_release.hpp"
#include "murder/core/command_line.hpp"
#include "murder/core/program.hpp"

int main(int argc, char** argv) {
  return murder::run_program("murder_make_torrent", [&] {
    murder::maketorrent::release_words w;
    auto& [payload, tracker, target, archive, copy_to, compression, tag, temp, snapshot, more_trackers, spec, pack,
           keep_git, tree] = w;
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
    murder::maketorrent::make_release(std::move(w));
    return 0;
  });
}
