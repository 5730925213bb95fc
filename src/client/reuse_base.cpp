#include "murder/client/reuse_base.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/parallel.hpp"

namespace murder::client {

namespace fs = std::filesystem;
namespace lt = libtorrent;

namespace {

constexpr std::int64_t most_read = 1 << 20;  // bytes a file is read in at once (at least a piece)

// Opens regular files below a directory without following any link on the
// way, keeping the last directory open: a release's files come directory by
// directory.
class beneath {
 public:
  explicit beneath(int root) : root_(root) {}
  ~beneath() { forget(); }
  beneath(const beneath&) = delete;
  beneath& operator=(const beneath&) = delete;

  // The file `rel` opened for reading; -1 when there is no such regular file.
  int open(const std::string& rel) {
    const auto slash = rel.rfind('/');
    const std::string dir = slash == std::string::npos ? std::string() : rel.substr(0, slash);
    if (dir != dir_path_ || dir_fd_ < 0) {
      forget();
      dir_fd_ = walk(dir);
      dir_path_ = dir;
      if (dir_fd_ < 0) return -1;
    }
    int fd = ::openat(dir_fd_, rel.c_str() + (slash == std::string::npos ? 0 : slash + 1),
                      O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    struct stat st {};
    if (fd >= 0 && (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))) {
      ::close(fd);
      return -1;
    }
    return fd;
  }

 private:
  // The directory `dir` below the root, each component opened without following a link.
  int walk(const std::string& dir) const {
    int at = ::dup(root_);
    for (std::size_t start = 0; at >= 0 && start < dir.size();) {
      std::size_t end = dir.find('/', start);
      if (end == std::string::npos) end = dir.size();
      int next = ::openat(at, dir.substr(start, end - start).c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      ::close(at);
      at = next;
      start = end + 1;
    }
    return at;
  }
  void forget() {
    if (dir_fd_ >= 0) ::close(dir_fd_);
    dir_fd_ = -1;
  }

  int root_;
  std::string dir_path_;
  int dir_fd_ = -1;
};

// Reuses one file: each of its pieces read from the base that hashes right
// is written at the same place in the staging file. A small file takes one
// read and one write (a release holds thousands of them, and 20 hosts on one
// machine feel every system call).
class file_reuser {
 public:
  file_reuser(const lt::torrent_info& info, int base_root, const fs::path& staging, std::vector<char>& have)
      : info_(info), base_(base_root), staging_(staging), have_(have),
        chunk_(std::max<std::int64_t>(1, most_read / info.piece_length()) * info.piece_length()),
        buffer_(static_cast<size_t>(chunk_)), zeros_(static_cast<size_t>(info.piece_length()), '\0') {}
  ~file_reuser() { close_output(); }
  file_reuser(const file_reuser&) = delete;
  file_reuser& operator=(const file_reuser&) = delete;

  std::uint64_t reuse(lt::file_index_t index, const std::string& rel) {
    const auto& files = info_.files();
    const std::int64_t size = files.file_size(index);
    const lt::peer_request first = files.map_file(index, 0, 0);
    if (first.start != 0) return 0;  // not piece-aligned: its pieces are shared with other files
    int in = base_.open(rel);
    if (in < 0) return 0;
    fd_closer close_in(in);
    std::uint64_t reused = 0;
    const std::int64_t piece_length = info_.piece_length();
    for (std::int64_t chunk = 0; chunk < size; chunk += chunk_) {
      const std::int64_t want = std::min(chunk_, size - chunk);
      const std::int64_t got = pread_fully(in, buffer_.data(), want, chunk);
      // The pieces that hash right, written a run of them at a time.
      std::int64_t run = -1;
      for (std::int64_t at = 0; at < want; at += piece_length) {
        const std::int64_t bytes = std::min(piece_length, want - at);
        const lt::piece_index_t piece{static_cast<int>(first.piece) + static_cast<int>((chunk + at) / piece_length)};
        if (at + bytes <= got && hashes_right(piece, at, bytes)) {
          have_[static_cast<size_t>(static_cast<int>(piece))] = 1;
          reused += static_cast<std::uint64_t>(bytes);
          if (run < 0) run = at;
          continue;
        }
        if (run >= 0) write_all(rel, size, run, at - run, chunk + run);
        run = -1;
      }
      if (run >= 0) write_all(rel, size, run, want - run, chunk + run);
      if (got < want) break;  // the base's file is shorter
    }
    close_output();
    return reused;
  }

 private:
  void close_output() {
    if (out_ >= 0) ::close(out_);
    out_ = -1;
  }

  // Whether `bytes` at `at` in the buffer, then the pad's zeros, are piece `piece`.
  bool hashes_right(lt::piece_index_t piece, std::int64_t at, std::int64_t bytes) {
    lt::hasher hash(buffer_.data() + at, static_cast<int>(bytes));
    const int pad = info_.piece_size(piece) - static_cast<int>(bytes);
    if (pad > 0) hash.update(zeros_.data(), pad);
    return hash.final() == info_.hash_for_piece(piece);
  }

  int open_output(const std::string& rel, std::int64_t size) {
    const fs::path path = staging_ / rel;
    if (path.parent_path() != made_) {  // the directories are made once, for the first file reused in them
      std::error_code ec;
      fs::create_directories(path.parent_path(), ec);
      made_ = path.parent_path();
    }
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    // Its full size at once, as libtorrent makes the files it writes: the pieces
    // the base lacks land in place later.
    if (fd < 0 || ::ftruncate(fd, size) != 0) {
      const int err = errno;
      if (fd >= 0) ::close(fd);
      throw failure(exit_code::disk, "cannot write " + path.string() + ": " + errno_text(err));
    }
    return fd;
  }

  // Writes `size` bytes of the buffer from `at` to `offset` in the staging file.
  void write_all(const std::string& rel, std::int64_t file_size, std::int64_t at, std::int64_t size, std::int64_t offset) {
    if (out_ < 0) out_ = open_output(rel, file_size);
    for (std::int64_t done = 0; done < size;) {
      ssize_t n = ::pwrite(out_, buffer_.data() + at + done, static_cast<size_t>(size - done), offset + done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw failure(exit_code::disk, "cannot write " + (staging_ / rel).string() + ": " + errno_text(errno));
      done += n;
    }
  }

  const lt::torrent_info& info_;
  beneath base_;
  const fs::path& staging_;
  fs::path made_;
  std::vector<char>& have_;  // one byte a piece: threads write different pieces
  std::int64_t chunk_;       // bytes read at once: whole pieces
  std::vector<char> buffer_;
  std::vector<char> zeros_;
  int out_ = -1;  // the staging file, once a piece is to be written
};

}  // namespace

reuse_result reuse_base(const lt::torrent_info& info, const fs::path& base, const fs::path& staging, int threads,
                        const std::function<void(std::uint64_t)>& on_bytes) {
  reuse_result result;
  int root = ::open(base.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return result;
  fd_closer close_root(root);
  std::vector<lt::file_index_t> work;
  std::vector<std::string> paths;
  for (auto i : info.files().file_range()) {
    if (info.files().pad_file_at(i) || info.files().file_size(i) == 0) continue;
    work.push_back(i);
    paths.push_back(release_path(info, static_cast<int>(i)));
  }
  std::vector<char> have(static_cast<size_t>(info.num_pieces()), 0);
  std::atomic<std::uint64_t> bytes{0}, files{0};
  std::mutex telling;  // on_bytes hears one thread at a time
  for_each_on_threads(
      work.size(), threads, [&] { return std::make_unique<file_reuser>(info, root, staging, have); },
      [&](std::unique_ptr<file_reuser>& reuser, std::size_t at) {
        const auto reused = reuser->reuse(work[at], paths[at]);
        if (reused == 0) return;
        const std::uint64_t so_far = bytes += reused;
        ++files;
        if (on_bytes) {
          std::lock_guard<std::mutex> hold(telling);
          on_bytes(so_far);
        }
      });
  result.have_pieces.assign(have.begin(), have.end());
  result.bytes = bytes;
  result.files = files;
  return result;
}

std::optional<fs::path> find_base(const std::vector<tree_entry>& manifest, const fs::path& target) {
  constexpr std::size_t most_candidates = 5;
  std::vector<std::pair<fs::file_time_type, fs::path>> candidates;
  std::error_code ec;
  const fs::path dir = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (name.empty() || name.front() == '.' || !it->is_directory(type_ec)) continue;  // staging directories start with '.'
    candidates.emplace_back(it->last_write_time(type_ec), it->path());
  }
  std::sort(candidates.begin(), candidates.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
  if (candidates.size() > most_candidates) candidates.resize(most_candidates);
  std::optional<fs::path> best;
  std::uint64_t best_bytes = 0;
  for (const auto& [when, candidate] : candidates) {
    std::uint64_t bytes = 0;
    for (const auto& e : manifest) {
      struct stat st {};
      if (e.type == tree_entry::kind::file && e.size > 0 && ::lstat((candidate / e.path).c_str(), &st) == 0 &&
          S_ISREG(st.st_mode) && static_cast<std::uint64_t>(st.st_size) == e.size) {
        bytes += e.size;
      }
    }
    if (bytes > best_bytes) {
      best_bytes = bytes;
      best = candidate;
    }
  }
  return best;
}

}  // namespace murder::client
