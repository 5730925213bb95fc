#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <cerrno>
#include <iterator>
#include <thread>
#include <vector>

#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/parallel.hpp"
#include "murder/core/release_tree.hpp"
#include "murder/core/torrent_file.hpp"

namespace murder {
namespace fs = std::filesystem;
namespace lt = libtorrent;

namespace {

// Copies one file of the release into the snapshot, hashing its pieces on the
// way (a file starts on a piece boundary; the rest of its last piece is pad,
// zeros).
class file_copier {
 public:
  file_copier(const lt::create_torrent& torrent, const fs::path& source, const fs::path& snapshot,
              std::vector<lt::sha1_hash>& hashes)
      : torrent_(torrent), source_(source), snapshot_(snapshot), hashes_(hashes),
        buffer_(static_cast<size_t>(torrent.piece_length())), zeros_(buffer_.size(), '\0') {}

  void copy(lt::file_index_t index, const std::string& rel) {
    const auto& files = torrent_.files();
    const std::int64_t size = files.file_size(index);
    const fs::path from = source_ / rel, to = snapshot_ / rel;
    int in = ::open(from.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (in < 0) throw failure(exit_code::bad_input, "cannot read " + from.string() + ": " + errno_text(errno));
    fd_closer close_in(in);
    struct stat st {};
    if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) changed(from);
    int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (out < 0) throw failure(exit_code::disk, "cannot write " + to.string() + ": " + errno_text(errno));
    fd_closer close_out(out);
    ::posix_fadvise(in, 0, 0, POSIX_FADV_SEQUENTIAL);
    const std::int64_t piece_length = torrent_.piece_length();
    lt::piece_index_t piece = files.map_file(index, 0, 0).piece;
    for (std::int64_t offset = 0; offset < size; offset += piece_length, ++piece) {
      const std::int64_t want = std::min(piece_length, size - offset);
      if (pread_fully(in, buffer_.data(), want, offset) != want) changed(from);
      lt::hasher hash(buffer_.data(), static_cast<int>(want));
      const int pad = torrent_.piece_size(piece) - static_cast<int>(want);
      if (pad > 0) hash.update(zeros_.data(), pad);
      hashes_[static_cast<size_t>(static_cast<int>(piece))] = hash.final();
      const char* at = buffer_.data();
      for (std::int64_t left = want; left > 0;) {
        ssize_t n = ::pwrite(out, at, static_cast<size_t>(left), offset + (want - left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) throw failure(exit_code::disk, "cannot write " + to.string() + ": " + errno_text(errno));
        left -= n;
        at += n;
      }
    }
    char extra;
    if (pread_fully(in, &extra, 1, size) != 0) changed(from);
  }

 private:
  [[noreturn]] static void changed(const fs::path& path) {
    throw failure(exit_code::bad_input, "file " + path.string() + " changed while it was being sent");
  }

  const lt::create_torrent& torrent_;
  const fs::path& source_;
  const fs::path& snapshot_;
  std::vector<lt::sha1_hash>& hashes_;
  std::vector<char> buffer_;
  std::vector<char> zeros_;
};

// Copies every file on `threads` threads; the first failure is thrown.
void copy_all(const lt::create_torrent& torrent, const fs::path& source, const fs::path& snapshot, int threads,
              std::vector<lt::sha1_hash>& hashes) {
  std::vector<lt::file_index_t> work;
  for (auto i : torrent.files().file_range()) {
    if (!torrent.files().pad_file_at(i) && torrent.files().file_size(i) > 0) work.push_back(i);
  }
  for_each_on_threads(
      work.size(), threads, [&] { return file_copier(torrent, source, snapshot, hashes); },
      [&](file_copier& copier, std::size_t at) {
        std::string path = torrent.files().file_path(work[at]);
        copier.copy(work[at], path.substr(path.find('/') + 1));
      });
}

}  // namespace

int tree_piece_size(const std::vector<tree_entry>& entries) {
  std::uint64_t bytes = 0;
  for (const auto& e : entries) bytes += e.type == tree_entry::kind::file ? e.size : 0;
  constexpr int smallest = 16 * 1024;
  for (int size = piece_size_for(bytes); size > smallest; size /= 2) {
    std::uint64_t pad = 0;
    for (const auto& e : entries) {
      const auto piece = static_cast<std::uint64_t>(size);
      if (e.type == tree_entry::kind::file && e.size % piece != 0) pad += piece - e.size % piece;
    }
    if (pad * 4 <= bytes) return size;
  }
  return smallest;
}

namespace {

// The snapshot is replaced whole: it must be neither the source, nor in it,
// nor hold it, and whatever is at its place must be a directory (an earlier
// snapshot).
void check_snapshot_place(const fs::path& source, const fs::path& snapshot) {
  std::error_code ec;
  const fs::path src = fs::weakly_canonical(source, ec), snap = fs::weakly_canonical(snapshot, ec);
  auto within = [](const fs::path& inner, const fs::path& outer) {
    const auto rel = inner.lexically_relative(outer);
    return !rel.empty() && *rel.begin() != "..";
  };
  if (within(snap, src) || within(src, snap)) {
    throw failure(exit_code::usage, "the snapshot " + snapshot.string() + " would replace the source " + source.string() +
                                        " or a part of it: give --snapshot another place (or --tag)");
  }
  auto st = fs::symlink_status(snapshot, ec);
  if (fs::exists(st) && !fs::is_directory(st)) {
    throw failure(exit_code::usage, "the snapshot's place " + snapshot.string() + " holds something else than a directory");
  }
}

// A tree whose names libtorrent would not keep as they are (names differing
// only in case, invalid UTF-8, names over 240 bytes) is refused here, before
// any host is touched, rather than by every peer.
void check_names_kept(const std::vector<char>& bytes, const fs::path& source) {
  lt::error_code ec;
  lt::torrent_info made(lt::span<char const>(bytes.data(), static_cast<std::ptrdiff_t>(bytes.size())), ec, lt::from_span);
  try {
    if (ec) throw failure(exit_code::bad_input, ec.message());
    tree_manifest(made, source.string());
  } catch (const failure& e) {
    throw failure(exit_code::bad_input, "cannot send " + source.string() + " as a tree (" + e.what() +
                                            "); send it as a tgz instead (transfer_mode=tgz)");
  }
}

}  // namespace

tree_torrent_summary make_tree_torrent(const tree_torrent_spec& spec, const fs::path& out) {
  const fs::path source = fs::absolute(spec.torrent.payload);
  check_snapshot_place(source, spec.snapshot);
  auto entries = scan_tree(source, spec.skip_git);
  lt::file_storage storage;
  tree_torrent_summary summary;
  summary.entries = entries.size();
  for (const auto& e : entries) {
    if (e.type != tree_entry::kind::file) continue;
    storage.add_file(spec.name + "/" + e.path, static_cast<std::int64_t>(e.size));
    ++summary.files;
  }
  if (storage.total_size() == 0) {
    throw failure(exit_code::bad_input, "cannot send " + source.string() +
                                            " in tree mode: it holds no file data (send it as a tgz instead)");
  }
  const int piece_size = spec.torrent.piece_size > 0 ? spec.torrent.piece_size : tree_piece_size(entries);
  lt::create_torrent torrent(storage, piece_size, lt::create_torrent::v1_only | lt::create_torrent::canonical_files);
  torrent.set_priv(true);
  torrent.set_creator("murder");
  torrent.set_creation_date(0);
  if (!spec.torrent.comment.empty()) torrent.set_comment(spec.torrent.comment.c_str());
  int tier = 0;
  for (const auto& url : spec.torrent.trackers) torrent.add_tracker(url, tier++);

  // The snapshot is filled beside its place and swapped in whole.
  std::error_code ec;
  fs::create_directories(spec.snapshot.parent_path(), ec);
  fs::path staging = make_staging_dir(spec.snapshot);
  try {
    for (const auto& e : entries) {
      if (e.type == tree_entry::kind::directory && ::mkdir((staging / e.path).c_str(), 0700) != 0) {
        throw failure(exit_code::disk, "cannot make " + (staging / e.path).string() + ": " + errno_text(errno));
      }
    }
    std::vector<lt::sha1_hash> hashes(static_cast<size_t>(torrent.num_pieces()));
    int threads = spec.torrent.hash_threads > 0 ? spec.torrent.hash_threads
                                                : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    copy_all(torrent, source, staging, threads, hashes);
    for (size_t i = 0; i < hashes.size(); ++i) torrent.set_hash(lt::piece_index_t(static_cast<int>(i)), hashes[i]);
    lt::entry generated = torrent.generate();
    generated["info"]["murder tree"] = manifest_entry(entries);
    std::vector<char> bytes;
    lt::bencode(std::back_inserter(bytes), generated);
    check_names_kept(bytes, source);
    fs::path parent = fs::canonical(spec.snapshot.parent_path());
    swap_into_place(parent, staging, parent / spec.snapshot.filename());
    write_file_atomically(out, std::string_view(bytes.data(), bytes.size()));
  } catch (...) {
    fs::remove_all(staging, ec);
    throw;
  }
  summary.torrent = summarize(*load_torrent(out));
  return summary;
}

}  // namespace murder
