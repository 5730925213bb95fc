// libFuzzer target: extracting an archive a peer received. Whatever the bytes,
// extraction either succeeds inside the target or fails with nothing left
// behind, and nothing is ever written outside the target.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"

namespace fs = std::filesystem;

namespace {

// A private directory per process, ROOT/a/b, holding in.tgz and out/: an
// entry climbing out of out/ with "../" lands in b, a or ROOT, where only the
// expected names may be.
const fs::path& root() {
  static const fs::path dir = [] {
    std::string pattern = (fs::temp_directory_path() / "murder-fuzz-XXXXXX").string();
    if (!::mkdtemp(pattern.data())) std::abort();
    fs::create_directories(fs::path(pattern) / "a" / "b");
    return fs::path(pattern);
  }();
  return dir;
}

void expect_only(const fs::path& dir, const std::string& allowed_a, const std::string& allowed_b) {
  for (const auto& entry : fs::directory_iterator(dir)) {
    const auto name = entry.path().filename().string();
    if (name != allowed_a && name != allowed_b) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const fs::path dir = root() / "a" / "b";
  const fs::path archive = dir / "in.tgz";
  const fs::path target = dir / "out";
  {
    std::ofstream out(archive, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  bool extracted = false;
  try {
    murder::extract_archive(archive, target, murder::extract_options{});
    extracted = true;
  } catch (const murder::failure&) {
  }
  // Beside out/ only in.tgz; above it only the directories on the way down.
  expect_only(dir, "in.tgz", extracted ? "out" : "in.tgz");
  expect_only(root() / "a", "b", "b");
  expect_only(root(), "a", "a");
  std::error_code ec;
  fs::remove_all(target, ec);
  return 0;
}
