// The on-host layout and the tag rules, written once (core/deploy_layout.hpp)
// and applied by the programs: murder_client's deploy form resolves a front
// end's words into the same paths the front ends used to spell out.
#include <fstream>
#include <functional>

#include "murder/client/deploy_form.hpp"
#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "sandbox.hpp"

namespace fs = std::filesystem;
using namespace murder;
using namespace murder::client;

namespace {

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const failure& e) {
    EXPECT_EQ(e.code(), exit_code::usage);
    return e.what();
  }
  return "no error";
}

TEST(tag_rules, the_original_words_for_the_original_rules) {
  EXPECT_NO_THROW(validate_tag("Deploy20100101"));
  EXPECT_NO_THROW(validate_tag("a*b c'd"));  // shell characters are characters
  EXPECT_EQ(error_of([] { validate_tag(""); }), "You must specify a 'tag' parameter to identify the transfer");
  EXPECT_EQ(error_of([] { validate_tag("a/b"); }), "Tag cannot contain a / character");
  EXPECT_EQ(error_of([] { validate_tag(std::string("a\0b", 3)); }), "Tag cannot contain a NUL byte");
  EXPECT_EQ(error_of([] { validate_tag(".."); }), "Tag cannot be '..': it is not a usable name");
  EXPECT_EQ(error_of([] { validate_tag(std::string(201, 'x')); }), "Tag cannot be longer than 200 bytes (it has 201)");
}

TEST(layout, paths_and_targets) {
  host_layout layout{"/srv/murder"};
  EXPECT_EQ(layout.pidfile(process_name("seed", "T1")), "/srv/murder/run/seed-T1.pid");
  EXPECT_EQ(layout.logfile(process_name("peer", "T1")), "/srv/murder/log/peer-T1.log");
  EXPECT_EQ(layout.state_file(), "/srv/murder/run/tracker.state");
  EXPECT_EQ(layout.torrent_dir(), "/srv/murder/torrents");
  auto files = transfer_files_for("/tmp", "T1");
  EXPECT_EQ(files.payload, "/tmp/T1.tgz");
  EXPECT_EQ(files.torrent, "/tmp/T1.tgz.torrent");
  EXPECT_EQ(delivery_target("/srv/app", "T1", false, std::nullopt), "/srv/app/T1");
  EXPECT_EQ(delivery_target("/srv/app", "T1", true, std::nullopt), "/srv/app");
  EXPECT_EQ(delivery_target("/srv/app", "T1", false, std::string("app.jar")), "/srv/app/app.jar");
}

class deploy_form_test : public murder::testing::sandbox_test {};

TEST_F(deploy_form_test, a_front_ends_words_become_the_layouts_paths) {
  deploy_words words;
  words.args = {"198.18.0.2"};
  words.home = path("murder").string();
  words.tag = "T1";
  words.temp = path("tmp").string();
  words.destination = "/srv/app";
  auto peer = resolve_transfer(words, "peer", "", "", std::nullopt, std::nullopt);
  EXPECT_EQ(peer.torrent, path("tmp/T1.tgz.torrent"));
  EXPECT_EQ(peer.saveas, path("tmp/T1.tgz"));
  EXPECT_EQ(peer.ip, "198.18.0.2");
  EXPECT_EQ(peer.pidfile, path("murder/run/peer-T1.pid").string());
  EXPECT_EQ(peer.logfile, path("murder/log/peer-T1.log").string());
  EXPECT_EQ(peer.extract_to, fs::path("/srv/app/T1"));
  EXPECT_FALSE(peer.copy_to);
  EXPECT_TRUE(fs::is_directory(path("murder/run")));
  EXPECT_TRUE(fs::is_directory(path("murder/torrents")));

  words.file_name = "app.jar";
  auto file = resolve_transfer(words, "peer", "/elsewhere.pid", "", std::nullopt, std::nullopt);
  EXPECT_EQ(file.copy_to, fs::path("/srv/app/app.jar"));
  EXPECT_EQ(file.pidfile, "/elsewhere.pid");  // given explicitly: kept

  // The original's positional form: nothing laid out.
  deploy_words plain;
  plain.args = {"a.torrent", "a.tgz", "127.0.0.5"};
  auto seed = resolve_transfer(plain, "seed", "", "", std::nullopt, std::nullopt);
  EXPECT_EQ(seed.torrent, "a.torrent");
  EXPECT_TRUE(seed.pidfile.empty());
}

TEST_F(deploy_form_test, refused_words_leave_nothing_behind) {
  deploy_words words;
  words.args = {"198.18.0.2"};
  words.home = path("murder").string();
  words.tag = "T1";
  words.destination = "/srv/app";
  words.file_name = "../etc";
  EXPECT_EQ(error_of([&] { resolve_transfer(words, "peer", "", "", std::nullopt, std::nullopt); }),
            "--file-name '../etc' is not a plain file name");
  words.file_name.reset();
  words.tag = "..";
  EXPECT_EQ(error_of([&] { resolve_transfer(words, "peer", "", "", std::nullopt, std::nullopt); }),
            "Tag cannot be '..': it is not a usable name");
  words.tag = "";
  EXPECT_EQ(error_of([&] { resolve_transfer(words, "peer", "", "", std::nullopt, std::nullopt); }),
            "peer takes TORRENT SAVEAS IP, or IP with --tag");
  EXPECT_FALSE(fs::exists(path("murder")));
}

TEST_F(deploy_form_test, stop_and_status_find_pidfiles_by_role_and_tag_never_by_pattern) {
  host_layout layout{path("murder")};
  layout.make_dirs();
  for (const char* name : {"tracker", "seed-a", "seed-a*", "seed-b", "peer-a", "sshd", "crond"}) {
    std::ofstream(layout.pidfile(name)) << "1\n";
  }
  auto names = [](const std::vector<fs::path>& files) {
    std::string joined;
    for (const auto& f : files) joined += (joined.empty() ? "" : " ") + f.filename().string();
    return joined;
  };
  EXPECT_EQ(names(select_pidfiles(path("murder"), "seed", "")), "seed-a*.pid seed-a.pid seed-b.pid");
  EXPECT_EQ(names(select_pidfiles(path("murder"), "seed", "a*")), "seed-a*.pid");
  EXPECT_EQ(names(select_pidfiles(path("murder"), "tracker", "")), "tracker.pid");
  // Never anyone else's: HOME/run may be /run by mistake.
  EXPECT_EQ(names(select_pidfiles(path("murder"), "", "")), "peer-a.pid seed-a*.pid seed-a.pid seed-b.pid tracker.pid");
  EXPECT_EQ(select_pidfiles(path("nowhere"), "peer", "").size(), 0u);
  EXPECT_EQ(error_of([&] { select_pidfiles(path("murder"), "leech", ""); }), "--role must be tracker, seed or peer, not 'leech'");
  EXPECT_EQ(error_of([&] { select_pidfiles(path("murder"), "", "a"); }), "--tag needs --role seed or peer");
  EXPECT_EQ(error_of([&] { select_pidfiles(path("murder"), "tracker", "a"); }),
            "--tag goes with --role seed or peer, not tracker");
}

}  // namespace
