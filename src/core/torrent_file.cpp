#include "murder/core/torrent_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <thread>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"
#include "murder/core/release_tree.hpp"

namespace murder {
namespace fs = std::filesystem;
namespace lt = libtorrent;

namespace {

// Hashes every piece of `payload` on `threads` threads, each reading its own
// contiguous run of pieces in large blocks straight from the file. (libtorrent's
// set_piece_hashes goes through its disk-I/O machinery and measured about 13%
// slower than mktorrent; see docs/BENCHMARKS.md.) Throws failure(bad_input)
// naming the file if it cannot be read whole.
std::vector<lt::sha1_hash> hash_pieces(const fs::path& payload, std::int64_t size, int piece_size, int threads) {
  const std::int64_t pieces = (size + piece_size - 1) / piece_size;
  std::vector<lt::sha1_hash> hashes(static_cast<size_t>(pieces));
  const std::int64_t workers = std::max<std::int64_t>(1, std::min<std::int64_t>(threads, pieces));
  std::vector<int> errors(static_cast<size_t>(workers), 0);
  auto work = [&](std::int64_t worker) {
    const std::int64_t first = pieces * worker / workers, last = pieces * (worker + 1) / workers;
    int fd = ::open(payload.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      errors[static_cast<size_t>(worker)] = errno;
      return;
    }
    constexpr std::int64_t block_bytes = 8 << 20;
    const std::int64_t per_block = std::max<std::int64_t>(1, block_bytes / piece_size);
    std::vector<char> block(static_cast<size_t>(per_block * piece_size));
    for (std::int64_t piece = first; piece < last; piece += per_block) {
      const std::int64_t offset = piece * piece_size;
      const std::int64_t want = std::min(size, std::min(last, piece + per_block) * piece_size) - offset;
      std::int64_t got = 0;
      while (got < want) {
        ssize_t n = ::pread(fd, block.data() + got, static_cast<size_t>(want - got), offset + got);
        if (n <= 0) {
          errors[static_cast<size_t>(worker)] = n < 0 ? errno : EIO;  // EIO: the file shrank under us
          ::close(fd);
          return;
        }
        got += n;
      }
      for (std::int64_t at = 0; at < want; at += piece_size) {
        const std::int64_t length = std::min<std::int64_t>(piece_size, want - at);
        hashes[static_cast<size_t>(piece + at / piece_size)] =
            lt::hasher(block.data() + at, static_cast<int>(length)).final();
      }
    }
    ::close(fd);
  };
  std::vector<std::thread> pool;
  for (std::int64_t w = 1; w < workers; ++w) pool.emplace_back(work, w);
  work(0);
  for (auto& t : pool) t.join();
  for (int e : errors) {
    if (e != 0) throw failure(exit_code::bad_input, "cannot read " + payload.string() + ": " + std::strerror(e));
  }
  return hashes;
}

}  // namespace

int piece_size_for(std::uint64_t payload_bytes) {
  constexpr int smallest = 64 * 1024;
  constexpr int largest = 16 * 1024 * 1024;
  constexpr std::uint64_t max_pieces = 8192;
  int size = smallest;
  while (size < largest && (payload_bytes + static_cast<std::uint64_t>(size) - 1) / static_cast<std::uint64_t>(size) > max_pieces) {
    size *= 2;
  }
  return size;
}

std::string announce_url(const std::string& tracker) {
  if (tracker.rfind("http://", 0) == 0 || tracker.rfind("https://", 0) == 0) return tracker;
  auto colon = tracker.rfind(':');
  bool port_ok = colon != std::string::npos && colon > 0 && colon + 1 < tracker.size() &&
                 tracker.find_first_not_of("0123456789", colon + 1) == std::string::npos;
  if (!port_ok || tracker.find_first_of("/?# ") != std::string::npos) {
    throw failure(exit_code::usage, "tracker '" + tracker + "' is not host:port or an http:// URL");
  }
  return "http://" + tracker + "/announce";
}

torrent_summary make_torrent_file(const torrent_spec& spec, const fs::path& out) {
  std::error_code ec;
  auto status = fs::status(spec.payload, ec);
  if (!fs::exists(status)) throw failure(exit_code::bad_input, "payload " + spec.payload.string() + " does not exist");
  if (!fs::is_regular_file(status)) {
    throw failure(exit_code::bad_input, "payload " + spec.payload.string() + " is not a regular file");
  }
  fs::path payload = fs::absolute(spec.payload);
  lt::file_storage files;
  files.add_file(payload.filename().string(), static_cast<std::int64_t>(fs::file_size(payload)));
  std::uint64_t total = static_cast<std::uint64_t>(files.total_size());
  int piece_size = spec.piece_size > 0 ? spec.piece_size : piece_size_for(total);
  lt::create_torrent torrent(files, piece_size, lt::create_torrent::v1_only);
  torrent.set_priv(true);
  torrent.set_creator("murder");
  torrent.set_creation_date(0);
  if (!spec.comment.empty()) torrent.set_comment(spec.comment.c_str());
  int tier = 0;
  for (const auto& url : spec.trackers) torrent.add_tracker(url, tier++);

  int threads = spec.hash_threads > 0 ? spec.hash_threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto hashes = hash_pieces(payload, files.total_size(), piece_size, threads);
  for (size_t i = 0; i < hashes.size(); ++i) torrent.set_hash(lt::piece_index_t(static_cast<int>(i)), hashes[i]);
  std::vector<char> bytes;
  lt::bencode(std::back_inserter(bytes), torrent.generate());
  write_file_atomically(out, std::string_view(bytes.data(), bytes.size()));
  return summarize(*load_torrent(out));
}

std::shared_ptr<const lt::torrent_info> load_torrent(const fs::path& path) {
  std::string bytes = read_file(path);
  lt::error_code ec;
  auto info = std::make_shared<lt::torrent_info>(bytes, ec, lt::from_span);
  if (ec) throw failure(exit_code::bad_input, "torrent " + path.string() + " is not valid: " + ec.message());
  // A tree torrent's manifest is checked against its files here, once.
  if (!tree_manifest(*info, path.string()).empty()) return info;
  if (info->num_files() != 1) {
    throw failure(exit_code::bad_input, "torrent " + path.string() + " has " + std::to_string(info->num_files()) +
                                            " files and no tree manifest; murder torrents carry one file or a release tree");
  }
  return info;
}

std::uint64_t payload_bytes(const lt::torrent_info& info) {
  const auto& files = info.files();
  std::uint64_t bytes = 0;
  for (auto i : files.file_range()) {
    if (!files.pad_file_at(i)) bytes += static_cast<std::uint64_t>(files.file_size(i));
  }
  return bytes;
}

torrent_summary summarize(const lt::torrent_info& info) {
  torrent_summary s;
  s.info_hash = to_hex(std::string_view(info.info_hashes().v1.data(), info.info_hashes().v1.size()));
  s.name = info.name();
  s.total_size = payload_bytes(info);
  s.piece_size = info.piece_length();
  s.num_pieces = info.num_pieces();
  s.is_private = info.priv();
  for (const auto& t : info.trackers()) s.trackers.push_back(t.url);
  return s;
}

}  // namespace murder
