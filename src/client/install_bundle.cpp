#include <cstdio>
#include <set>
#include <string>
#include <vector>
#include <system_error>

#include "murder/client/control.hpp"
#include "murder/core/error.hpp"

namespace murder::client {

namespace fs = std::filesystem;

namespace {

constexpr const char* staging_name = ".bundle-new";
constexpr const char* tarball_name = ".bundle.tgz";

// Whether `home` holds at least `limit` entries besides murder's own (the
// bundle, unpacked or installed, and the daemons' run/, log/ and torrents/,
// which grow with every deploy). A walk that fails part-way counts as full:
// the guard must not let a mistake through.
bool holds_at_least(const fs::path& home, size_t limit) {
  static const std::set<std::string> murders_own = {"bin",         "libexec",     "lib",          "run",
                                                    "log",         "torrents",    staging_name,   tarball_name,
                                                    ".bin-old",    ".lib-old",    ".libexec-old"};
  size_t count = 0;
  std::error_code ec;
  fs::recursive_directory_iterator it(home, fs::directory_options::skip_permission_denied, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    if (it.depth() == 0 && murders_own.count(it->path().filename().string())) {
      it.disable_recursion_pending();
      continue;
    }
    if (++count >= limit) return true;
  }
  return static_cast<bool>(ec);
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
  // The unpacked bundle's own program: bin/ run directly, or libexec/ through
  // the bundle's loader in lib/ (which /proc/self/exe then names).
  const fs::path self = fs::canonical("/proc/self/exe", ec);
  if (ec || self.parent_path().parent_path() != fs::canonical(staging, ec)) {
    throw failure(exit_code::usage, "install-bundle runs as " + (staging / "bin/murder_client").string() +
                                        ", from the bundle unpacked there");
  }
  for (const char* part : {"lib", "libexec"}) {
    if (!fs::is_directory(staging / part)) {
      throw failure(exit_code::bad_input, std::string("the unpacked bundle has no ") + part + "/");
    }
  }
  // The original's guard: a directory this full is more likely a mistake
  // (/usr, a home directory) than an old murder install.
  if (holds_at_least(home, 1000)) {
    remove_leftovers(home);
    throw failure(exit_code::usage, "Cowardly refusing to remove files! Check the remote_murder_path. (" +
                                        home.string() + " holds 1000 files or more)");
  }
  // Old bin/, libexec/ and lib/ step aside, the new ones move in (renames
  // within HOME); only when all are in are the old ones deleted. A failure
  // puts back what had moved, so an install is never half old, half new.
  const char* parts[] = {"bin", "libexec", "lib"};
  auto aside = [&](const char* part) { return home / (std::string(".") + part + "-old"); };
  std::vector<const char*> set_aside, moved_in;
  auto undo = [&] {
    std::error_code back;
    for (const char* part : moved_in) fs::rename(home / part, staging / part, back);
    for (const char* part : set_aside) fs::rename(aside(part), home / part, back);
  };
  for (const char* part : parts) {
    fs::remove_all(aside(part), ec);
    if (ec) throw failure(exit_code::disk, "cannot remove " + aside(part).string() + ": " + ec.message());
  }
  for (const char* part : parts) {
    if (!fs::exists(fs::symlink_status(home / part))) continue;
    fs::rename(home / part, aside(part), ec);
    if (ec) {
      undo();
      throw failure(exit_code::disk, "cannot move " + (home / part).string() + " aside: " + ec.message());
    }
    set_aside.push_back(part);
  }
  for (const char* part : parts) {
    fs::rename(staging / part, home / part, ec);
    if (ec) {
      undo();
      throw failure(exit_code::disk, "cannot put " + (home / part).string() + " in place: " + ec.message());
    }
    moved_in.push_back(part);
  }
  for (const char* part : set_aside) fs::remove_all(aside(part), ec);
  remove_leftovers(home);
  std::printf("murder %s in %s\n", MURDER_VERSION, home.c_str());
  return 0;
}

}  // namespace murder::client
