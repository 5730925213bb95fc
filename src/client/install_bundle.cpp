#include <cstdio>
#include <system_error>

#include "murder/client/control.hpp"
#include "murder/core/error.hpp"

namespace murder::client {

namespace fs = std::filesystem;

namespace {

constexpr const char* staging_name = ".bundle-new";
constexpr const char* tarball_name = ".bundle.tgz";

// Whether `home` holds at least `limit` entries outside the unpacked bundle.
bool holds_at_least(const fs::path& home, size_t limit) {
  size_t count = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(home, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() == 0 && it->path().filename() == staging_name) {
      it.disable_recursion_pending();
      continue;
    }
    if (++count >= limit) return true;
  }
  return false;
}

void remove_leftovers(const fs::path& home) {
  std::error_code ec;
  fs::remove_all(home / staging_name, ec);
  fs::remove(home / tarball_name, ec);
}

}  // namespace

int run_install_bundle(const fs::path& home_arg) {
  std::error_code ec;
  const fs::path home = fs::canonical(home_arg, ec);
  if (ec) throw failure(exit_code::usage, "--home " + home_arg.string() + ": " + ec.message());
  const fs::path staging = home / staging_name;
  const fs::path self = fs::canonical("/proc/self/exe", ec);
  if (ec || self.parent_path() != fs::canonical(staging / "bin", ec)) {
    throw failure(exit_code::usage, "install-bundle runs as " + (staging / "bin/murder_client").string() +
                                        ", from the bundle unpacked there");
  }
  if (!fs::is_directory(staging / "lib")) throw failure(exit_code::bad_input, "the unpacked bundle has no lib/");
  // The original's guard: a directory this full is more likely a mistake
  // (/usr, a home directory) than an old murder install.
  if (holds_at_least(home, 1000)) {
    remove_leftovers(home);
    throw failure(exit_code::usage, "Cowardly refusing to remove files! Check the remote_murder_path. (" +
                                        home.string() + " holds 1000 files or more)");
  }
  // Old bin/ and lib/ step aside, the new ones move in (renames within HOME),
  // then the old ones go; run/, log/ and torrents/ are not touched.
  for (const char* part : {"bin", "lib"}) {
    const fs::path current = home / part, old = home / (std::string(".") + part + "-old");
    fs::remove_all(old, ec);
    if (fs::exists(fs::symlink_status(current, ec))) {
      fs::rename(current, old, ec);
      if (ec) throw failure(exit_code::disk, "cannot move " + current.string() + " aside: " + ec.message());
    }
    fs::rename(staging / part, current, ec);
    if (ec) {
      std::error_code back;
      fs::rename(old, current, back);
      throw failure(exit_code::disk, "cannot put " + current.string() + " in place: " + ec.message());
    }
    fs::remove_all(old, ec);
  }
  remove_leftovers(home);
  std::printf("murder %s in %s\n", MURDER_VERSION, home.c_str());
  return 0;
}

}  // namespace murder::client
