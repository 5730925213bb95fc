#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libtorrent/bencode.hpp>
#include <libtorrent/create_torrent.hpp>
#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <iterator>
#include <map>

#include "murder/client/reuse_base.hpp"
#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/release_tree.hpp"
#include "murder/core/torrent_file.hpp"
#include "sandbox.hpp"

namespace fs = std::filesystem;
namespace lt = libtorrent;

namespace {

constexpr int piece = 16 * 1024;

class release_tree_test : public murder::testing::sandbox_test {
 protected:
  // Files of a piece and less, several pieces, none; a link, an empty
  // directory, unusual modes, and .git noise.
  fs::path make_release(const std::string& name) {
    fs::path dir = path(name);
    write(dir / "small.txt", "small");
    write(dir / "lib/big.bin", pattern(3 * piece + 100, 'a'));
    write(dir / "lib/exact.bin", pattern(piece, 'e'));
    write(dir / "empty", "");
    write(dir / ".git/HEAD", "ref");
    fs::create_directories(dir / "logs");
    fs::create_symlink("lib/big.bin", dir / "current");
    fs::permissions(dir / "small.txt", fs::perms(0600));
    fs::permissions(dir / "lib", fs::perms(0750));
    touch_all(dir, 1700000000);
    return dir;
  }

  static std::string pattern(std::size_t size, char seed) {
    std::string s(size, '\0');
    for (std::size_t i = 0; i < size; ++i) s[i] = static_cast<char>(seed + static_cast<char>(i % 23));
    return s;
  }

  static void touch_all(const fs::path& dir, time_t when) {
    for (auto& entry : fs::recursive_directory_iterator(dir)) {
      struct timespec times[2] = {{when, 0}, {when, 0}};
      ::utimensat(AT_FDCWD, entry.path().c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
  }

  murder::tree_torrent_summary make(const fs::path& source, const std::string& name) {
    murder::tree_torrent_spec spec;
    spec.torrent.payload = source;
    spec.torrent.trackers = {"http://127.0.0.1:1/announce"};
    spec.torrent.piece_size = piece;
    spec.snapshot = path(name + ".tree");
    spec.name = name;
    return murder::make_tree_torrent(spec, path(name + ".torrent"));
  }

  // Type, mode, time, link target and content of every entry below `dir`.
  static std::map<std::string, std::string> listing(const fs::path& dir) {
    std::map<std::string, std::string> out;
    for (auto& entry : fs::recursive_directory_iterator(dir)) {
      struct stat st {};
      ::lstat(entry.path().c_str(), &st);
      std::string what = std::to_string(st.st_mode) + " " + std::to_string(st.st_mtim.tv_sec);
      if (S_ISLNK(st.st_mode)) what += " -> " + fs::read_symlink(entry.path()).string();
      if (S_ISREG(st.st_mode)) what += " " + slurp(entry.path());
      out[entry.path().lexically_relative(dir).string()] = what;
    }
    return out;
  }

  // The release's regular files as the snapshot holds them, in a fresh staging directory.
  fs::path stage_files_of(const std::string& name) {
    fs::path staging = path(name + ".staging");
    fs::copy(path(name + ".tree"), staging, fs::copy_options::recursive);
    return staging;
  }
};

TEST_F(release_tree_test, a_tree_torrent_carries_each_file_from_a_piece_boundary_and_the_manifest) {
  auto made = make(make_release("r1"), "r1");
  EXPECT_EQ(made.files, 4u);
  EXPECT_EQ(made.entries, 7u);  // lib, logs, current, empty, small.txt, big.bin, exact.bin; no .git
  auto info = murder::load_torrent(path("r1.torrent"));
  ASSERT_TRUE(murder::is_tree_torrent(*info));
  EXPECT_TRUE(info->priv());
  EXPECT_EQ(murder::payload_bytes(*info), 5u + 3 * piece + 100 + piece);
  for (int i = 0; i < info->num_files(); ++i) {
    if (murder::release_path(*info, i).empty()) continue;  // a pad file
    EXPECT_EQ(info->files().map_file(lt::file_index_t{i}, 0, 0).start, 0) << murder::release_path(*info, i);
  }
  auto manifest = murder::tree_manifest(*info, "r1.torrent");
  auto link = std::find_if(manifest.begin(), manifest.end(), [](const auto& e) { return e.path == "current"; });
  ASSERT_NE(link, manifest.end());
  EXPECT_EQ(link->type, murder::tree_entry::kind::symlink);
  EXPECT_EQ(link->target, "lib/big.bin");
  auto small = std::find_if(manifest.begin(), manifest.end(), [](const auto& e) { return e.path == "small.txt"; });
  ASSERT_NE(small, manifest.end());
  EXPECT_EQ(small->mode, 0600u);
  EXPECT_EQ(small->mtime, 1700000000);
  EXPECT_EQ(slurp(path("r1.tree/lib/big.bin")), slurp(path("r1/lib/big.bin")));
  EXPECT_FALSE(fs::exists(path("r1.tree/.git")));
}

TEST_F(release_tree_test, the_manifest_over_the_files_is_the_tree_a_tgz_deploy_extracts) {
  fs::path source = make_release("r1");
  make(source, "r1");
  fs::path staging = stage_files_of("r1");
  write(staging / "left-behind", "x");  // anything the manifest does not name goes
  murder::apply_manifest(staging, murder::tree_manifest(*murder::load_torrent(path("r1.torrent")), "r1"));
  murder::pack_directory(source, path("r1.tgz"), {});
  murder::extract_archive(path("r1.tgz"), path("extracted"), {});
  EXPECT_EQ(listing(staging), listing(path("extracted")));
}

TEST_F(release_tree_test, a_missing_or_short_file_is_refused_not_delivered) {
  make(make_release("r1"), "r1");
  auto manifest = murder::tree_manifest(*murder::load_torrent(path("r1.torrent")), "r1");
  fs::path staging = stage_files_of("r1");
  fs::resize_file(staging / "lib/big.bin", 10);
  EXPECT_THROW(murder::apply_manifest(staging, manifest), murder::failure);
}

// A torrent whose manifest says `entries`, over one file "f" of 3 bytes.
std::string torrent_with_manifest(const lt::entry& entries) {
  lt::file_storage files;
  files.add_file("r/f", 3);
  lt::create_torrent torrent(files, piece, lt::create_torrent::v1_only | lt::create_torrent::canonical_files);
  torrent.set_hash(lt::piece_index_t{0}, lt::hasher("abc", 3).final());
  lt::entry e = torrent.generate();
  e["info"]["murder tree"] = entries;
  std::string bytes;
  lt::bencode(std::back_inserter(bytes), e);
  return bytes;
}

lt::entry manifest_of(std::vector<murder::tree_entry> entries) { return murder::manifest_entry(entries); }

TEST_F(release_tree_test, a_manifest_that_escapes_the_release_or_disagrees_with_the_files_is_refused) {
  using kind = murder::tree_entry::kind;
  const murder::tree_entry file{"f", kind::file, 0644, 0, 0, ""};
  auto refused = [&](std::vector<murder::tree_entry> entries, const std::string& says) {
    murder::write_file_atomically(path("bad.torrent"), torrent_with_manifest(manifest_of(std::move(entries))));
    try {
      murder::load_torrent(path("bad.torrent"));
      ADD_FAILURE() << "accepted; expected: " << says;
    } catch (const murder::failure& e) {
      EXPECT_EQ(e.code(), murder::exit_code::bad_input);
      EXPECT_NE(std::string(e.what()).find(says), std::string::npos) << e.what();
    }
  };
  refused({file, {"up", kind::symlink, 0777, 0, 0, "../../etc"}}, "outside the target");
  refused({file, {"abs", kind::symlink, 0777, 0, 0, "/etc"}}, "absolute path");
  refused({file, {"up", kind::symlink, 0777, 0, 0, std::string("../..\0x", 7)}}, "NUL byte");
  refused({file, {"d/../../x", kind::directory, 0755, 0, 0, ""}}, "entry name");
  refused({file, {"l", kind::symlink, 0777, 0, 0, "."}, {"l/x", kind::file, 0644, 0, 0, ""}}, "directory is not in");
  refused({file, file}, "named twice");
  refused({{"d", kind::directory, 0755, 0, 0, ""}}, "files its tree manifest does not name");
  refused({file, {"g", kind::file, 0644, 0, 0, ""}}, "a file the torrent does not carry");
  murder::write_file_atomically(path("good.torrent"), torrent_with_manifest(manifest_of({file})));
  EXPECT_NO_THROW(murder::load_torrent(path("good.torrent")));
}

TEST_F(release_tree_test, reuse_keeps_only_pieces_that_hash_right_and_never_reads_through_a_link) {
  fs::path r1 = make_release("r1");
  fs::path r2 = path("r2");
  fs::copy(r1, r2, fs::copy_options::recursive | fs::copy_options::copy_symlinks);
  std::string big = slurp(r1 / "lib/big.bin");
  big[piece + 5] = 'X';  // release 2 changes the second piece of big.bin
  write(r2 / "lib/big.bin", big);
  write(r2 / "added.txt", "new");
  fs::remove(r2 / "empty");
  make(r2, "r2");
  auto info = murder::load_torrent(path("r2.torrent"));

  // The base: release 1, its exact.bin swapped for a link to a copy elsewhere
  // (which holds the right bytes, and must not be read), its small.txt tampered.
  write(path("elsewhere/exact.bin"), slurp(r1 / "lib/exact.bin"));
  fs::remove(r1 / "lib/exact.bin");
  fs::create_symlink(path("elsewhere/exact.bin"), r1 / "lib/exact.bin");
  write(r1 / "small.txt", "smell");
  auto before = listing(r1);

  fs::create_directories(path("staging"));
  auto reused = murder::client::reuse_base(*info, r1, path("staging"), 2);
  EXPECT_EQ(reused.files, 1u);  // big.bin only
  EXPECT_EQ(reused.bytes, 2u * piece + 100);  // its first, third and last (100 bytes) pieces
  EXPECT_EQ(std::count(reused.have_pieces.begin(), reused.have_pieces.end(), true), 3);
  EXPECT_FALSE(fs::exists(path("staging/lib/exact.bin")));
  EXPECT_FALSE(fs::exists(path("staging/small.txt")));
  std::string staged = slurp(path("staging/lib/big.bin"));
  ASSERT_EQ(staged.size(), big.size());
  EXPECT_EQ(staged.substr(0, piece), big.substr(0, piece));
  EXPECT_EQ(staged.substr(2 * piece), big.substr(2 * piece));
  EXPECT_EQ(listing(r1), before);  // the base is only read
}

TEST_F(release_tree_test, the_base_found_is_the_sibling_holding_most_of_the_release) {
  fs::path r1 = make_release("releases/r1");
  make(r1, "r1");
  auto manifest = murder::tree_manifest(*murder::load_torrent(path("r1.torrent")), "r1");
  write(path("releases/other/small.txt"), "small");
  write(path("releases/.r2.murder-partial-x/lib/big.bin"), slurp(r1 / "lib/big.bin"));
  EXPECT_EQ(murder::client::find_base(manifest, path("releases/r2")), r1);
  fs::remove_all(r1);
  EXPECT_EQ(murder::client::find_base(manifest, path("releases/r2")), path("releases/other"));
  fs::remove_all(path("releases/other"));
  EXPECT_EQ(murder::client::find_base(manifest, path("releases/r2")), std::nullopt);
}

}  // namespace
