#include <cstdio>

#include "murder/core/error.hpp"
#include "murder/ctl/config.hpp"
#include "murder/ctl/remote_quote.hpp"
#include "sandbox.hpp"

namespace fs = std::filesystem;
using namespace murder::ctl;

namespace {

class ctl_config_test : public murder::testing::sandbox_test {};

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const murder::failure& e) {
    return e.what();
  }
  return "(no error)";
}

// Runs `sh -c "printf '%s\n' <quoted words>"` and returns what the shell printed.
std::string through_shell(const std::vector<std::string>& words) {
  std::string command = "printf '%s\\n' " + shell_command(words);
  std::string outer = "sh -c " + shell_quote(command);
  FILE* pipe = ::popen(outer.c_str(), "r");
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
  ::pclose(pipe);
  return out;
}

TEST_F(ctl_config_test, hostile_values_reach_the_remote_shell_literally) {
  fs::path canary = path("pwned");
  std::vector<std::string> words = {"$(touch " + canary.string() + ")", "`touch " + canary.string() + "`",
                                    "a; touch " + canary.string(), "it's \"quoted\"", "back\\slash", "new\nline",
                                    "| touch " + canary.string(), "*", "~root", ""};
  std::string expected;
  for (const auto& w : words) expected += w + "\n";
  EXPECT_EQ(through_shell(words), expected);
  EXPECT_FALSE(fs::exists(canary));
}

TEST_F(ctl_config_test, reads_every_setting) {
  write(path("hosts.dat"), "# fleet\nweb1\n  web2  \n\nweb3 # spare\n");
  auto config = parse_config(R"(
user = "deploy"
host_suffix = ".example"
remote_murder_path = "/opt/m"
default_temp_path = "/var/tmp"
default_tag = "T1"
default_seeder_files_path = "~/files"
default_destination_path = "/srv/app"
metrics_dir = "/var/lib/prometheus/node-exporter"
tracker_port = 9000
max_connections = 12
[roles]
tracker = "t1"
peer_file = "hosts.dat"
[ssh]
port = 2222
identity = "~/.ssh/deploy"
connect_timeout = 5
concurrency = 50
strict_host_key_checking = "accept-new"
)",
                             "murder.toml", root_);
  EXPECT_EQ(config.user, "deploy");
  EXPECT_EQ(config.remote_murder_path, "/opt/m");
  EXPECT_EQ(config.default_temp_path, "/var/tmp");
  EXPECT_EQ(config.default_tag, "T1");
  EXPECT_EQ(config.default_seeder_files_path, "~/files");
  EXPECT_EQ(config.default_destination_path, "/srv/app");
  EXPECT_EQ(config.metrics_dir, "/var/lib/prometheus/node-exporter");
  EXPECT_EQ(config.tracker_port, 9000);
  EXPECT_EQ(config.max_connections, 12);
  EXPECT_EQ(config.ssh.port, 2222);
  EXPECT_EQ(config.ssh.identity, "~/.ssh/deploy");
  EXPECT_EQ(config.ssh.connect_timeout, 5);
  EXPECT_EQ(config.ssh.concurrency, 50);
  EXPECT_EQ(config.ssh.strict_host_key_checking, "accept-new");
  EXPECT_EQ(config.peers, (std::vector<std::string>{"web1", "web2", "web3"}));
  apply_role_defaults(config);
  EXPECT_EQ(config.trackers, (std::vector<std::string>{"t1.example"}));
  EXPECT_EQ(config.seeder, "web1.example");
  EXPECT_EQ(config.peers.back(), "web3.example");
}

TEST(config, defaults_follow_the_original) {
  auto config = parse_config("[roles]\npeer = [\"h1\", \"h2\"]\n", "murder.toml", ".");
  EXPECT_EQ(config.default_temp_path, "/tmp");
  EXPECT_EQ(config.tracker_port, 8998);
  EXPECT_EQ(config.ssh.strict_host_key_checking, "");
  EXPECT_EQ(config.ssh.concurrency, 100);
  EXPECT_EQ(config.max_connections, -1);  // murder_client's own default
  apply_role_defaults(config);
  EXPECT_EQ(config.trackers, (std::vector<std::string>{"h1"}));
  EXPECT_EQ(config.seeder, "h1");
}

TEST(config, a_tracker_list_names_backup_trackers) {
  auto config = parse_config("host_suffix = \".dc\"\n[roles]\ntracker = [\"t1\", \"t2\"]\npeer = [\"h1\"]\n",
                             "murder.toml", ".");
  apply_role_defaults(config);
  EXPECT_EQ(config.trackers, (std::vector<std::string>{"t1.dc", "t2.dc"}));
}

TEST(config, errors_name_the_key_and_the_line) {
  auto parse = [](const char* text) { return error_of([&] { parse_config(text, "murder.toml", "."); }); };
  EXPECT_EQ(parse("user = \"u\"\ntraker_port = 1\n"), "murder.toml line 2: traker_port is not a known setting");
  EXPECT_EQ(parse("super_seeding = \"yes\"\n"), "murder.toml line 1: super_seeding must be true or false");
  EXPECT_EQ(parse("[ssh]\n\nstrict_host_key_checking = \"maybe\"\n"),
            "murder.toml line 3: ssh.strict_host_key_checking must be \"yes\", \"accept-new\" or \"no\"");
  EXPECT_EQ(parse("tracker_port = 70000\n"), "murder.toml line 1: tracker_port must be a whole number from 1 to 65535");
  EXPECT_EQ(parse("[roles]\npeers = [\"a\"]\n"), "murder.toml line 2: roles.peers is not a known setting");
  EXPECT_EQ(parse("max_connections = 1\n"), "murder.toml line 1: max_connections must be 0 (no limit) or at least 2");
  EXPECT_NE(parse("user = \n").find("murder.toml line 1:"), std::string::npos);
  EXPECT_EQ(error_of([] {
              murder_config empty;
              apply_role_defaults(empty);
            }),
            "no peer hosts: set [roles] peer, peer_file or --hosts");
}

// Tuning for measurements: libtorrent settings by name and the piece size,
// checked when the file is read, passed to every murder_client as given.
TEST(config, libtorrent_settings_and_piece_size) {
  auto config = parse_config("piece_size = 262144\n[libtorrent]\nrequest_queue_time = 3\nenable_dht = false\n"
                             "user_agent = \"m\"\n[roles]\npeer = [\"h1\"]\n",
                             "murder.toml", ".");
  EXPECT_EQ(config.piece_size, 262144);
  EXPECT_EQ(config.libtorrent_settings,
            (std::vector<std::string>{"enable_dht=false", "request_queue_time=3", "user_agent=m"}));
  auto parse = [](const char* text) { return error_of([&] { parse_config(text, "murder.toml", "."); }); };
  EXPECT_EQ(parse("[libtorrent]\nrequest_queue_tme = 3\n"),
            "murder.toml line 2: libtorrent.request_queue_tme libtorrent setting 'request_queue_tme=3': libtorrent "
            "has no setting called request_queue_tme");
  EXPECT_EQ(parse("[libtorrent]\nenable_dht = \"maybe\"\n"),
            "murder.toml line 2: libtorrent.enable_dht libtorrent setting 'enable_dht=maybe': must be true or false");
  EXPECT_EQ(parse("piece_size = 100000\n"), "murder.toml line 1: piece_size must be a power of two");
}

// [locations]: each name with its ranges, in the words murder_tracker --location takes.
TEST(config, locations_table) {
  auto config = parse_config("[locations]\ndc1 = [\"198.18.1.0/24\", \"10.1.0.0/16\"]\ndc2 = \"198.18.2.0/24\"\n",
                             "murder.toml", ".");
  EXPECT_EQ(config.locations, (std::vector<std::string>{"dc1=198.18.1.0/24,10.1.0.0/16", "dc2=198.18.2.0/24"}));
  auto parse = [](const char* text) { return error_of([&] { parse_config(text, "murder.toml", "."); }); };
  EXPECT_EQ(parse("[locations]\ndc1 = \"10.0.0.0/33\"\n"),
            "murder.toml line 2: locations.dc1 address range '10.0.0.0/33' is not valid: bad prefix length");
  EXPECT_EQ(parse("[locations]\n\"d c\" = \"10.0.0.0/8\"\n"),
            "murder.toml line 2: locations.d c location name 'd c' must be letters, digits, '-', '_' or '.', and "
            "not 'elsewhere'");
}

TEST(assignments, split_key_value_words) {
  auto values = parse_assignments({"tag=Deploy1", "files_path=~/files", "x=a=b", "empty="});
  EXPECT_EQ(values.at("tag"), "Deploy1");
  EXPECT_EQ(values.at("x"), "a=b");
  EXPECT_EQ(values.at("empty"), "");
  EXPECT_EQ(error_of([] { parse_assignments({"deploi"}); }), "'deploi' is neither a task nor key=value");
}

}  // namespace
