#include "murder/client/verified_stream.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "murder/core/error.hpp"

namespace murder::client {

verified_stream::verified_stream(const transfer& t, const std::filesystem::path& payload,
                                 const std::atomic<bool>& abandon)
    : transfer_(t), payload_(std::filesystem::absolute(payload)), abandon_(abandon) {}

verified_stream::~verified_stream() {
  if (fd_ >= 0) ::close(fd_);
}

std::size_t verified_stream::read(char* buffer, std::size_t size) {
  const std::uint64_t total = transfer_.total_size();
  const std::uint64_t piece_length = transfer_.piece_length();
  while (position_ >= verified_end_ && verified_end_ < total) {
    if (transfer_.have_piece(static_cast<int>(verified_end_ / piece_length))) {
      verified_end_ = std::min(total, verified_end_ + piece_length);
      continue;
    }
    if (abandon_) throw failure(exit_code::failure, "the download of " + payload_.string() + " was abandoned");
    // A piece takes milliseconds to arrive on a fast link: a short wait costs
    // less than waking on every piece the session finishes.
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (position_ >= total) return 0;
  if (fd_ < 0) {
    // Opened once its first piece is verified: libtorrent creates the file.
    fd_ = ::open(payload_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd_ < 0) throw failure(exit_code::disk, "cannot read " + payload_.string() + ": " + std::strerror(errno));
  }
  auto want = static_cast<std::size_t>(std::min<std::uint64_t>(size, verified_end_ - position_));
  ssize_t got = ::pread(fd_, buffer, want, static_cast<off_t>(position_));
  if (got <= 0) {
    throw failure(exit_code::disk, "cannot read " + payload_.string() + ": " +
                                       (got < 0 ? std::strerror(errno) : std::string("it is shorter than its torrent")));
  }
  position_ += static_cast<std::uint64_t>(got);
  return static_cast<std::size_t>(got);
}

}  // namespace murder::client
