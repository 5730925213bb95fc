#include "murder/core/torrent_file.hpp"

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/error_code.hpp>
#include <libtorrent/settings_pack.hpp>
#include <libtorrent/torrent_info.hpp>

#include <iterator>
#include <thread>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"

namespace murder {
namespace fs = std::filesystem;
namespace lt = libtorrent;

int piece_size_for(std::uint64_t payload_bytes) {
  constexpr int smallest = 256 * 1024;
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
  lt::settings_pack settings;
  settings.set_int(lt::settings_pack::hashing_threads, threads);
  settings.set_int(lt::settings_pack::aio_threads, threads);
  lt::error_code hash_error;
  lt::set_piece_hashes(torrent, payload.parent_path().string(), settings, [](lt::piece_index_t) {}, hash_error);
  if (hash_error) {
    throw failure(exit_code::bad_input, "cannot hash " + payload.string() + ": " + hash_error.message());
  }
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
  if (info->num_files() != 1) {
    throw failure(exit_code::bad_input, "torrent " + path.string() + " has " + std::to_string(info->num_files()) +
                                            " files; murder torrents carry exactly one");
  }
  return info;
}

torrent_summary summarize(const lt::torrent_info& info) {
  torrent_summary s;
  s.info_hash = to_hex(std::string_view(info.info_hashes().v1.data(), info.info_hashes().v1.size()));
  s.name = info.name();
  s.total_size = static_cast<std::uint64_t>(info.total_size());
  s.piece_size = info.piece_length();
  s.num_pieces = info.num_pieces();
  s.is_private = info.priv();
  for (const auto& t : info.trackers()) s.trackers.push_back(t.url);
  return s;
}

}  // namespace murder
