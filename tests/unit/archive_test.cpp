#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <cstring>

#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "sandbox.hpp"

namespace fs = std::filesystem;
using murder::entry_type;
using murder::unsafe_entry_reason;

namespace {

class archive_test : public murder::testing::sandbox_test {
 protected:
  // A tree with nesting, a symlink, an empty file, an executable and .git noise.
  fs::path make_tree(const std::string& name) {
    fs::path dir = path(name);
    write(dir / "a/b/c.txt", "nested");
    write(dir / "empty", "");
    write(dir / "run.sh", "#!/bin/sh\n");
    fs::permissions(dir / "run.sh", fs::perms(0755));
    write(dir / ".git/HEAD", "ref");
    write(dir / ".gitignore", "x");
    fs::create_symlink("a/b/c.txt", dir / "link");
    for (auto& entry : fs::recursive_directory_iterator(dir)) {
      struct timespec times[2] = {{1700000000, 0}, {1700000000, 0}};
      ::utimensat(AT_FDCWD, entry.path().c_str(), times, AT_SYMLINK_NOFOLLOW);
    }
    return dir;
  }

  // Writes a raw tar with one entry, as a hostile sender could.
  void write_tar(const fs::path& out, const std::string& name, int type, const std::string& link = "",
                 bool hardlink = false) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, out.c_str());
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, static_cast<unsigned>(type));
    archive_entry_set_perm(e, 0644);
    if (hardlink) archive_entry_set_hardlink(e, link.c_str());
    else if (!link.empty()) archive_entry_set_symlink(e, link.c_str());
    archive_entry_set_size(e, type == AE_IFREG && !hardlink ? 3 : 0);
    archive_write_header(a, e);
    if (type == AE_IFREG && !hardlink) archive_write_data(a, "abc", 3);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
  }

  // Writes a raw tar of symbolic links (name, target) and empty files (name, ""),
  // in the order given.
  void write_links_tar(const fs::path& out, const std::vector<std::pair<std::string, std::string>>& entries) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, out.c_str());
    for (const auto& [name, target] : entries) {
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name.c_str());
      archive_entry_set_filetype(e, target.empty() ? AE_IFREG : AE_IFLNK);
      archive_entry_set_perm(e, 0644);
      if (!target.empty()) archive_entry_set_symlink(e, target.c_str());
      archive_entry_set_size(e, 0);
      archive_write_header(a, e);
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
  }

  std::vector<std::string> staging_dirs_in(const fs::path& dir) const {
    std::vector<std::string> found;
    for (auto& entry : fs::directory_iterator(dir)) {
      auto name = entry.path().filename().string();
      if (name.find("murder-partial") != std::string::npos) found.push_back(name);
    }
    return found;
  }
};

TEST_F(archive_test, packing_the_same_tree_twice_gives_identical_bytes) {
  fs::path tree = make_tree("tree");
  murder::pack_directory(tree, path("one.tgz"), {});
  murder::pack_directory(tree, path("two.tgz"), {});
  std::string one = slurp(path("one.tgz"));
  EXPECT_FALSE(one.empty());
  EXPECT_EQ(one, slurp(path("two.tgz")));
}

TEST_F(archive_test, copies_of_a_tree_with_equal_times_pack_identically) {
  fs::path a = make_tree("a");
  fs::path b = make_tree("b");  // created later, entries listed in another order
  murder::pack_directory(a, path("a.tgz"), {});
  murder::pack_directory(b, path("b.tgz"), {});
  EXPECT_EQ(slurp(path("a.tgz")), slurp(path("b.tgz")));
}

TEST_F(archive_test, round_trip_keeps_files_links_modes_and_skips_git) {
  fs::path tree = make_tree("tree");
  for (auto method : {murder::compression::gzip, murder::compression::zstd, murder::compression::none}) {
    murder::pack_options options;
    options.method = method;
    fs::path out = path("out-" + std::to_string(static_cast<int>(method)));
    murder::pack_directory(tree, path("t.tar"), options);
    auto result = murder::extract_archive(path("t.tar"), out, {});
    EXPECT_EQ(result.entries, 6u);  // a, a/b, a/b/c.txt, empty, link, run.sh
    EXPECT_EQ(slurp(out / "a/b/c.txt"), "nested");
    EXPECT_TRUE(fs::exists(out / "empty"));
    EXPECT_EQ(fs::file_size(out / "empty"), 0u);
    EXPECT_EQ(fs::read_symlink(out / "link"), "a/b/c.txt");
    EXPECT_EQ(fs::status(out / "run.sh").permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
    EXPECT_FALSE(fs::exists(out / ".git"));
    EXPECT_FALSE(fs::exists(out / ".gitignore"));
  }
}

// Hands out an archive a few bytes at a time, as a download's verified front
// does, and stops with a failure after `fail_after` bytes when asked to.
class trickle_source final : public murder::byte_source {
 public:
  trickle_source(std::string bytes, std::size_t step, std::size_t fail_after = std::string::npos)
      : bytes_(std::move(bytes)), step_(step), fail_after_(fail_after) {}
  std::size_t read(char* buffer, std::size_t size) override {
    if (at_ >= fail_after_) throw murder::failure(murder::exit_code::network, "the download stalled");
    std::size_t n = std::min({size, step_, bytes_.size() - at_, fail_after_ - at_});
    std::memcpy(buffer, bytes_.data() + at_, n);
    at_ += n;
    ++reads_;
    return n;
  }
  int reads() const { return reads_; }

 private:
  std::string bytes_;
  std::size_t step_;
  std::size_t fail_after_;
  std::size_t at_ = 0;
  int reads_ = 0;
};

TEST_F(archive_test, a_tarball_read_as_it_arrives_extracts_like_the_file) {
  fs::path tree = make_tree("tree");
  write(tree / "big", std::string(300000, 'y'));
  murder::pack_directory(tree, path("t.tgz"), {});
  trickle_source source(slurp(path("t.tgz")), 997);
  auto result = murder::extract_archive(source, "t.tgz", path("dest"), {});
  EXPECT_EQ(result.entries, 7u);
  EXPECT_GT(source.reads(), 1) << "the source was read in pieces";
  EXPECT_EQ(slurp(path("dest/big")), std::string(300000, 'y'));
  EXPECT_EQ(fs::read_symlink(path("dest/link")), "a/b/c.txt");
  EXPECT_EQ(fs::status(path("dest/run.sh")).permissions() & fs::perms::owner_exec, fs::perms::owner_exec);
}

TEST_F(archive_test, a_download_that_fails_mid_archive_leaves_nothing_and_says_why) {
  fs::path tree = make_tree("tree");
  std::string noise(1 << 20, '\0');  // incompressible, so that half the archive is half the entries
  std::uint32_t x = 2463534242u;
  for (char& c : noise) c = static_cast<char>(x ^= x << 13, x ^= x >> 17, x ^= x << 5);
  write(tree / "big", noise);
  murder::pack_directory(tree, path("t.tgz"), {});
  std::string bytes = slurp(path("t.tgz"));
  trickle_source source(bytes, 4096, bytes.size() / 2);
  try {
    murder::extract_archive(source, "t.tgz", path("dest"), {});
    FAIL() << "extraction went on past the failure";
  } catch (const murder::failure& e) {
    EXPECT_EQ(e.code(), murder::exit_code::network);
    EXPECT_STREQ(e.what(), "the download stalled");
  }
  EXPECT_FALSE(fs::exists(path("dest")));
  for (auto& entry : fs::directory_iterator(root_)) {
    EXPECT_EQ(entry.path().filename().string().find("murder-partial"), std::string::npos) << entry.path();
  }
}

TEST_F(archive_test, refuses_a_non_empty_target_unless_replacing) {
  fs::path tree = make_tree("tree");
  murder::pack_directory(tree, path("t.tgz"), {});
  write(path("dest/old.txt"), "old");
  EXPECT_THROW(murder::extract_archive(path("t.tgz"), path("dest"), {}), murder::failure);
  EXPECT_EQ(slurp(path("dest/old.txt")), "old");
  murder::extract_archive(path("t.tgz"), path("dest"), {true, ""});
  EXPECT_FALSE(fs::exists(path("dest/old.txt")));
  EXPECT_EQ(slurp(path("dest/a/b/c.txt")), "nested");
}

TEST_F(archive_test, a_corrupt_archive_leaves_no_partial_target_and_no_staging) {
  fs::path tree = make_tree("tree");
  write(tree / "big", std::string(1 << 20, 'x'));
  murder::pack_directory(tree, path("t.tgz"), {});
  std::string bytes = slurp(path("t.tgz"));
  write(path("cut.tgz"), bytes.substr(0, bytes.size() / 2));
  EXPECT_THROW(murder::extract_archive(path("cut.tgz"), path("dest"), {}), murder::failure);
  EXPECT_FALSE(fs::exists(path("dest")));
  for (auto& entry : fs::directory_iterator(root_)) {
    EXPECT_EQ(entry.path().filename().string().find("murder-partial"), std::string::npos) << entry.path();
  }
}

TEST_F(archive_test, hostile_entries_are_refused_and_nothing_is_written_outside) {
  struct hostile {
    std::string name;
    int type;
    std::string link;
    bool hardlink;
  };
  std::vector<hostile> cases = {
      {"../escape.txt", AE_IFREG, "", false},
      {"/tmp/absolute.txt", AE_IFREG, "", false},
      {"ok/../../escape.txt", AE_IFREG, "", false},
      {"link", AE_IFLNK, "../../etc/passwd", false},
      {"link", AE_IFLNK, "/etc/passwd", false},
      {"hard", AE_IFREG, "../outside", true},
      {"dev", AE_IFCHR, "", false},
      {"fifo", AE_IFIFO, "", false},
      {std::string(300, 'n'), AE_IFREG, "", false},
  };
  for (size_t i = 0; i < cases.size(); ++i) {
    const auto& c = cases[i];
    fs::path tar = path("hostile" + std::to_string(i) + ".tar");
    write_tar(tar, c.name, c.type, c.link, c.hardlink);
    fs::path dest = path("jail/dest" + std::to_string(i));
    try {
      murder::extract_archive(tar, dest, {});
      ADD_FAILURE() << "extracted hostile entry " << c.name.substr(0, 40);
    } catch (const murder::failure& e) {
      EXPECT_NE(std::string(e.what()).find("refusing entry"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dest));
  }
  EXPECT_FALSE(fs::exists(path("jail/escape.txt")));
  EXPECT_FALSE(fs::exists(path("escape.txt")));
}

// Production layouts put releases behind links (/srv -> /data/srv): the link
// must survive, the release must land in the real directory, and no staging
// directory may be left behind.
TEST_F(archive_test, extracting_through_a_symlinked_parent_keeps_the_link) {
  fs::path tree = make_tree("tree");
  murder::pack_directory(tree, path("t.tgz"), {});
  fs::create_directories(path("x/real"));
  fs::create_directory_symlink("real", path("x/link"));

  murder::extract_archive(path("t.tgz"), path("x/link/app"), {});
  EXPECT_TRUE(fs::is_symlink(path("x/link")));
  EXPECT_EQ(slurp(path("x/real/app/a/b/c.txt")), "nested");
  EXPECT_EQ(fs::read_symlink(path("x/real/app/link")), "a/b/c.txt");
  EXPECT_TRUE(staging_dirs_in(path("x/real")).empty());
  EXPECT_TRUE(staging_dirs_in(path("x")).empty());

  murder::extract_archive(path("t.tgz"), path("x/link/app"), {true, ""});  // replaced through the link too
  EXPECT_TRUE(fs::is_symlink(path("x/link")));
  EXPECT_EQ(slurp(path("x/real/app/a/b/c.txt")), "nested");
  EXPECT_TRUE(staging_dirs_in(path("x/real")).empty());
}

// no_tag_directory with a destination that is itself a link to a directory:
// the link stays and the directory it names receives the release.
TEST_F(archive_test, a_target_that_is_a_link_to_a_directory_is_followed_and_kept) {
  fs::path tree = make_tree("tree");
  murder::pack_directory(tree, path("t.tgz"), {});
  fs::create_directories(path("data/www"));
  write(path("data/www/old.txt"), "old");
  fs::create_directory_symlink("data/www", path("www"));
  murder::extract_archive(path("t.tgz"), path("www"), {true, ""});
  EXPECT_TRUE(fs::is_symlink(path("www")));
  EXPECT_EQ(slurp(path("data/www/a/b/c.txt")), "nested");
  EXPECT_FALSE(fs::exists(path("data/www/old.txt")));
  EXPECT_TRUE(staging_dirs_in(path("data")).empty());
}

// A link that is safe on its own can climb out through an earlier link:
// b/c -> .. then d/e -> ../b/c/.. ends above the root. Either order is refused.
TEST_F(archive_test, link_chains_that_climb_out_through_another_link_are_refused) {
  std::vector<std::vector<std::pair<std::string, std::string>>> chains = {
      {{"b/c", ".."}, {"d/e", "../b/c/.."}},
      {{"d/e", "../b/c/.."}, {"b/c", ".."}},
      {{"b/c", "."}, {"b/c/f", ""}},
      {{"up", "."}, {"x", "up/up/.."}},
  };
  for (size_t i = 0; i < chains.size(); ++i) {
    fs::path tar = path("chain" + std::to_string(i) + ".tar");
    write_links_tar(tar, chains[i]);
    fs::path dest = path("jail/dest" + std::to_string(i));
    try {
      murder::extract_archive(tar, dest, {});
      ADD_FAILURE() << "extracted link chain " << i;
    } catch (const murder::failure& e) {
      EXPECT_NE(std::string(e.what()).find("refusing entry"), std::string::npos) << e.what();
    }
    EXPECT_FALSE(fs::exists(dest));
  }
  // Links to links that stay inside are fine.
  write_links_tar(path("fine.tar"), {{"a/f", ""}, {"b", "a"}, {"c", "b/f"}, {"d/e", "../c"}});
  murder::extract_archive(path("fine.tar"), path("fine"), {});
  EXPECT_TRUE(fs::exists(path("fine/d/e")));
}

// With protected_hardlinks=0 a local user can link any root-owned file to the
// payload's predictable name; a file with other links is never written.
TEST_F(archive_test, a_payload_file_with_other_hard_links_is_refused) {
  fs::path victim = path("victim");
  write(victim, "precious");
  fs::path planted = path("planted.tgz");
  fs::create_hard_link(victim, planted);
  try {
    murder::claim_payload_file(planted);
    ADD_FAILURE() << "accepted a file with two links";
  } catch (const murder::failure& e) {
    EXPECT_NE(std::string(e.what()).find("hard link"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(victim), "precious");
}

// The payload goes to a predictable name in a shared temp directory: what
// someone planted there must never be written through.
TEST_F(archive_test, a_payload_file_is_created_exclusively_and_never_through_a_link) {
  fs::path fresh = path("fresh.tgz");
  murder::claim_payload_file(fresh);
  ASSERT_TRUE(fs::is_regular_file(fresh));
  EXPECT_EQ(fs::file_size(fresh), 0u);
  murder::claim_payload_file(fresh);  // our own partial download: resumed

  fs::path victim = path("victim");
  write(victim, "precious");
  fs::path planted = path("planted.tgz");
  fs::create_symlink(victim, planted);
  try {
    murder::claim_payload_file(planted);
    ADD_FAILURE() << "accepted a symbolic link";
  } catch (const murder::failure& e) {
    EXPECT_NE(std::string(e.what()).find("symbolic link"), std::string::npos) << e.what();
  }
  EXPECT_EQ(slurp(victim), "precious");

  fs::create_directory(path("dir.tgz"));
  EXPECT_THROW(murder::claim_payload_file(path("dir.tgz")), murder::failure);

  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  fs::path theirs = path("theirs.tgz");
  write(theirs, "");
  ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
  try {
    murder::claim_payload_file(theirs);
    ADD_FAILURE() << "accepted another user's file";
  } catch (const murder::failure& e) {
    EXPECT_NE(std::string(e.what()).find("belongs to uid 65534"), std::string::npos) << e.what();
  }
}

// The workstation's .torrent decides what every host installs: on a shared
// machine nobody else may choose it.
TEST_F(archive_test, a_torrent_read_for_the_fleet_must_be_our_own_private_file) {
  fs::path own = path("own.torrent");
  write(own, "d4:infoe");
  fs::permissions(own, fs::perms(0644));
  EXPECT_EQ(murder::read_private_file(own), "d4:infoe");

  auto refused = [&](const fs::path& p, const std::string& why) {
    try {
      murder::read_private_file(p);
      ADD_FAILURE() << "read " << p;
    } catch (const murder::failure& e) {
      EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
    }
  };
  fs::create_symlink(own, path("planted.torrent"));
  refused(path("planted.torrent"), "symbolic link");
  write(path("open.torrent"), "d4:infoe");
  fs::permissions(path("open.torrent"), fs::perms(0666));
  refused(path("open.torrent"), "others may write it (mode 0666)");
  fs::permissions(path("open.torrent"), fs::perms(0664));
  refused(path("open.torrent"), "others may write it (mode 0664)");

  if (::geteuid() != 0) GTEST_SKIP() << "giving a file to another user needs root";
  ASSERT_EQ(::chown(own.c_str(), 65534, 65534), 0);
  refused(own, "belongs to uid 65534");
}

TEST(entry_safety, accepts_ordinary_entries_and_inside_links) {
  EXPECT_EQ(unsafe_entry_reason("a/b/c", entry_type::file, ""), "");
  EXPECT_EQ(unsafe_entry_reason("./a/b/", entry_type::directory, ""), "");
  EXPECT_EQ(unsafe_entry_reason("a/b/link", entry_type::symlink, "../c"), "");
  EXPECT_EQ(unsafe_entry_reason("a/link", entry_type::symlink, "../x"), "");
  EXPECT_EQ(unsafe_entry_reason("hard", entry_type::hardlink, "a/b"), "");
}

TEST(entry_safety, names_the_reason_for_each_unsafe_entry) {
  EXPECT_EQ(unsafe_entry_reason("/etc/x", entry_type::file, ""), "absolute path");
  EXPECT_EQ(unsafe_entry_reason("a/../../x", entry_type::file, ""), "'..' in path");
  EXPECT_EQ(unsafe_entry_reason("link", entry_type::symlink, "../x"), "symbolic link pointing outside the target");
  EXPECT_EQ(unsafe_entry_reason("link", entry_type::symlink, "/x"), "symbolic link to an absolute path");
  EXPECT_EQ(unsafe_entry_reason("dev", entry_type::special, ""), "device node, FIFO or socket");
  EXPECT_EQ(unsafe_entry_reason("h", entry_type::hardlink, "/etc/shadow"), "hard link source: absolute path");
  EXPECT_EQ(unsafe_entry_reason("", entry_type::file, ""), "empty name");
  EXPECT_NE(unsafe_entry_reason(std::string(5000, 'a'), entry_type::file, ""), "");
}

}  // namespace
