#pragma once
// The payload of a download read front to back while it arrives, for
// extraction that keeps pace with the download: read() hands out only bytes of
// pieces that have passed their hash check, waiting for the next one as needed.
// Pieces arrive rarest first, so the verified front grows unevenly; preferring
// earlier pieces (priority bands) was tried and made the swarm slower than the
// extraction it saved (docs/BENCHMARKS.md, "Tried and not taken").

#include <atomic>
#include <cstdint>
#include <filesystem>

#include "murder/client/transfer.hpp"
#include "murder/core/archive.hpp"

namespace murder::client {

class verified_stream final : public byte_source {
 public:
  // `abandon` set: read() throws instead of waiting (the download failed).
  verified_stream(const transfer& t, const std::filesystem::path& payload, const std::atomic<bool>& abandon);
  ~verified_stream() override;
  verified_stream(const verified_stream&) = delete;
  verified_stream& operator=(const verified_stream&) = delete;

  std::size_t read(char* buffer, std::size_t size) override;

 private:
  const transfer& transfer_;
  std::filesystem::path payload_;
  const std::atomic<bool>& abandon_;
  int fd_ = -1;
  std::uint64_t position_ = 0;
  std::uint64_t verified_end_ = 0;  // the pieces before this offset passed their check
};

}  // namespace murder::client
