// murderctl's task layer over a recording transport (the unit seam) and the
// local transport: sequencing, failure handling, retries, quoting, roles.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <condition_variable>
#include <mutex>
#include <sstream>

#include "murder/core/error.hpp"
#include "murder/ctl/report.hpp"
#include "murder/ctl/runner.hpp"
#include "murder/ctl/ssh_config_file.hpp"
#include "sandbox.hpp"

namespace murder::ctl {
namespace {

// Records every command per host; answers with scripted exit statuses.
struct recording_transport : transport {
  struct connection : host_connection {
    recording_transport& owner;
    std::string host;
    connection(recording_transport& o, std::string h) : owner(o), host(std::move(h)) {}
    command_result run(const std::string& command, std::chrono::seconds, const line_sink& on_line) override {
      std::unique_lock<std::mutex> lock(owner.mutex);
      for (const auto& [needle, other] : owner.waits_for) {
        if (command.find(needle) == std::string::npos) continue;
        owner.waited[needle] = owner.ran.wait_for(lock, std::chrono::seconds(5), [&] { return owner.has_run(other); });
      }
      owner.commands.push_back(host + ": " + command);
      owner.ran.notify_all();
      for (const auto& [needle, status] : owner.fail_when) {
        if (command.find(needle) != std::string::npos) return {status, "", "boom on " + host};
      }
      std::string output = "fine\n";
      for (const auto& [needle, answer] : owner.answer_when) {
        if (command.find(needle) == std::string::npos) continue;
        output = answer;
        break;
      }
      // As the real transports do: each line to `on_line` as well.
      std::istringstream lines(output);
      for (std::string line; std::getline(lines, line);) {
        if (on_line) on_line(line, false);
      }
      return {0, output, ""};
    }
    void upload(std::string_view contents, const std::string& path, unsigned) override {
      std::lock_guard<std::mutex> lock(owner.mutex);
      if (owner.failing_uploads > 0) {
        --owner.failing_uploads;
        throw failure(exit_code::failure, host + ": cannot create " + path + ": No such file");
      }
      owner.commands.push_back(host + ": upload " + path + " (" + std::to_string(contents.size()) + " bytes)");
    }
    std::string download(const std::string&) override { return "d8:announce0:e"; }
  };
  std::unique_ptr<host_connection> connect(const std::string& host) override {
    std::lock_guard<std::mutex> lock(mutex);
    if (refuse_connects[host] > 0) {
      --refuse_connects[host];
      throw failure(exit_code::network, host + ": cannot connect: Connection refused");
    }
    return std::make_unique<connection>(*this, host);
  }
  std::vector<std::string> tasks_run_on(const std::string& host) const {
    std::vector<std::string> out;
    for (const auto& c : commands) {
      if (c.rfind(host + ": ", 0) == 0) out.push_back(c.substr(host.size() + 2));
    }
    return out;
  }
  bool has_run(const std::string& needle) const {
    return std::any_of(commands.begin(), commands.end(), [&](const auto& c) { return c.find(needle) != std::string::npos; });
  }
  std::mutex mutex;
  std::condition_variable ran;  // a command was recorded
  std::vector<std::string> commands;
  // Command substring -> one it waits (up to 5 s) to see run first; whether it did.
  std::map<std::string, std::string> waits_for;
  std::map<std::string, bool> waited;
  std::map<std::string, int> fail_when;  // command substring -> exit status
  std::map<std::string, std::string> answer_when;  // command substring -> its output
  std::map<std::string, int> refuse_connects;
  int failing_uploads = 0;  // the next N uploads fail (a missing directory)
};

struct quiet_observer : run_observer {
  void task_started(std::string_view, size_t) override {}
  void host_finished(bool) override {}
  void host_bytes(size_t, std::uint64_t, std::uint64_t) override {}
  void task_finished() override {}
};

class ctl_tasks : public testing::sandbox_test {
 protected:
  void SetUp() override {
    sandbox_test::SetUp();
    config_.peers = {"h1", "h2", "h3"};
    config_.default_temp_path = root_.string();
    config_.remote_murder_path = "/opt/murder";
    apply_role_defaults(config_);
  }
  std::vector<host_result> run(const std::vector<std::string>& words, std::map<std::string, std::string> values,
                               int retries = 0) {
    task_env env(config_, resolve_values(config_, values), transport_);
    run_options options;
    options.retries = retries;
    options.retry_delay = std::chrono::seconds(0);
    quiet_observer observer;
    return run_tasks(expand_tasks(words), env, options, observer);
  }
  // Every peer's status command answers: done, 10 bytes.
  void peers_say_done() {
    transport_.answer_when["'status' '--json'"] =
        R"({"event":"status","pidfile":"p","running":true,"pid":9,"figures":{"role":"peer","state":"done",)"
        R"("bytes_total":10,"bytes_uploaded":0,"bytes_done":10,"bytes_from_peers":10,"download_seconds":1,)"
        R"("deliver_seconds":0}})" "\n";
  }
  murder_config config_;
  recording_transport transport_;
};

std::vector<std::string> task_names(const std::vector<const task*>& plan) {
  std::vector<std::string> names;
  for (const task* t : plan) names.emplace_back(t->name);
  return names;
}

TEST(ctl_plan, deploy_expands_to_the_pipeline_and_synonyms_work) {
  EXPECT_EQ(task_names(expand_tasks({"deploy"})),
            (std::vector<std::string>{"start_tracker", "create_torrent", "start_seeding", "peer", "stop_peering",
                                      "stop_seeding", "stop_tracker", "clean_temp_files"}));
  EXPECT_EQ(task_names(expand_tasks({"murder:peer", "stop_all_seeding"})),
            (std::vector<std::string>{"peer", "stop_all_seeding"}));
  EXPECT_THROW(expand_tasks({"murder:nope"}), failure);
  EXPECT_THROW(expand_tasks({}), failure);
}

TEST(ctl_plan, roles_default_to_the_first_peer_and_hosts_appear_once) {
  murder_config config;
  config.peers = {"a", "b"};
  config.host_suffix = ".example.net";
  apply_role_defaults(config);
  auto plan = expand_tasks({"start_tracker", "peer", "distribute_files", "clean_temp_files"});
  EXPECT_EQ(hosts_for(*plan[0], config), (std::vector<std::string>{"a.example.net"}));
  EXPECT_EQ(hosts_for(*plan[1], config), (std::vector<std::string>{"a.example.net", "b.example.net"}));
  EXPECT_EQ(hosts_for(*plan[2], config), (std::vector<std::string>{"a.example.net", "b.example.net"}));
  config.seeder = "s.example.net";
  EXPECT_EQ(hosts_for(*plan[3], config), (std::vector<std::string>{"s.example.net", "a.example.net", "b.example.net"}));
}

TEST_F(ctl_tasks, a_deploy_runs_the_tracker_start_beside_the_packing_and_the_stops_side_by_side) {
  write(path("v1.tree.torrent"), "d8:announce0:e");
  peers_say_done();
  // Each of these waits for the other task of its pair: in order, it would
  // wait 5 s and find that the other had not run.
  transport_.waits_for["murder_tracker"] = "murder_make_torrent";
  transport_.waits_for["'stop' '--json' '--home' '/opt/murder' '--role' 'peer'"] = "'stop' '--json' '--home' '/opt/murder' '--role' 'seed'";
  transport_.waits_for["'stop' '--json' '--home' '/opt/murder' '--role' 'tracker'"] = "'rm' '-rf'";
  auto results = run({"deploy"}, {{"tag", "v1"}, {"files_path", "/srv/release"}, {"destination_path", "/srv/app"}});
  ASSERT_TRUE(std::all_of(results.begin(), results.end(), [](const auto& r) { return r.outcome == host_outcome::ok; }));
  EXPECT_TRUE(transport_.waited["murder_tracker"]);
  EXPECT_TRUE(transport_.waited["'stop' '--json' '--home' '/opt/murder' '--role' 'peer'"]);
  EXPECT_TRUE(transport_.waited["'stop' '--json' '--home' '/opt/murder' '--role' 'tracker'"]);
}

TEST_F(ctl_tasks, a_failed_start_skips_the_later_work_but_still_runs_the_stops) {
  write(path("v1.tgz.torrent"), "d8:announce0:e");
  transport_.fail_when["murder_tracker"] = 4;
  auto results = run({"deploy"}, {{"tag", "v1"}, {"files_path", "/srv/release"}, {"destination_path", "/srv/app"}});
  std::vector<std::string> summary;
  for (const auto& r : results) {
    summary.push_back(r.task + "@" + r.host + "=" +
                      (r.outcome == host_outcome::ok ? "ok" : r.outcome == host_outcome::failed ? "failed" : "skipped"));
  }
  EXPECT_EQ(summary, (std::vector<std::string>{
                         // create_torrent runs beside start_tracker (runner.cpp): it ran.
                         "start_tracker@h1=failed", "create_torrent@h1=ok", "start_seeding@*=skipped",
                         "peer@*=skipped", "stop_peering@h1=ok", "stop_peering@h2=ok", "stop_peering@h3=ok",
                         "stop_seeding@h1=ok", "stop_tracker@h1=ok", "clean_temp_files@h1=ok", "clean_temp_files@h2=ok",
                         "clean_temp_files@h3=ok"}));
  EXPECT_EQ(results[0].error, "h1: boom on h1");
  EXPECT_FALSE(all_ok(results));
}

TEST_F(ctl_tasks, peer_uploads_the_torrent_then_runs_the_client_with_every_value_quoted) {
  std::string tag = "v1'$(touch x)";
  write(path(tag + ".tree.torrent"), "d8:announce0:e");
  // The peers are started detached, then each one's status file is read.
  transport_.answer_when["'status' '--json'"] =
      R"({"event":"status","pidfile":"p","running":true,"pid":9,"figures":{"role":"peer","state":"done",)"
      R"("bytes_total":1000,"bytes_uploaded":0,"bytes_done":1000,"bytes_from_peers":900,"download_seconds":1.5,)"
      R"("deliver_seconds":0.25}})" "\n";
  auto results = run({"peer"}, {{"tag", tag}, {"destination_path", "/srv/my app"}, {"unsafe_please_delete", "1"},
                                {"base_tag", "v0 $(x)"}});
  ASSERT_TRUE(all_ok(results)) << results[0].error;
  EXPECT_EQ(results[1].note, "1000 bytes, 900 fetched from peers, 1.5 s, delivered in 0.25 s");
  auto commands = transport_.tasks_run_on("h2");
  ASSERT_EQ(commands.size(), 3u);
  std::string temp = root_.string();
  EXPECT_EQ(commands[0], "upload " + temp + "/" + tag + ".tree.torrent (14 bytes)");
  // murder_client lays out the pidfile, log, payload and target from --home,
  // --tag, --temp and --destination (core/deploy_layout.hpp).
  // Each host gets a key of its own to report its result under (32 hex digits).
  const std::string start = "'/opt/murder/bin/murder_client' 'peer' 'h2' '--home' '/opt/murder' '--tag' "
                            "'v1'\\''$(touch x)' '--temp' '" + temp + "' '--destination' '/srv/my app' "
                            "'--status-interval' '1' '--json' '--replace' '--tree' '--base-tag' 'v0 $(x)' "
                            "'--report-key' '";
  ASSERT_EQ(commands[1].substr(0, start.size()), start);
  const std::string key = commands[1].substr(start.size(), 32);
  EXPECT_EQ(key.find_first_not_of("0123456789abcdef"), std::string::npos) << key;
  EXPECT_EQ(commands[1].substr(start.size() + 32), "' '--detach'");
  EXPECT_EQ(transport_.tasks_run_on("h1")[1].find(key), std::string::npos) << "h1 has h2's key";
  EXPECT_EQ(commands[2], "'/opt/murder/bin/murder_client' 'status' '--json' '--home' '/opt/murder' '--role' 'peer' "
                         "'--tag' 'v1'\\''$(touch x)' '--wait' '30' '--progress'");
}

TEST_F(ctl_tasks, a_missing_temp_path_is_made_then_the_torrent_uploaded_again) {
  write(path("v1.tree.torrent"), "d8:announce0:e");
  peers_say_done();
  config_.peers = {"h1"};
  transport_.failing_uploads = 1;
  auto results = run({"peer"}, {{"tag", "v1"}, {"destination_path", "/srv/app"}});
  ASSERT_TRUE(all_ok(results)) << results[0].error;
  auto commands = transport_.tasks_run_on("h1");
  ASSERT_GE(commands.size(), 2u);
  EXPECT_EQ(commands[0], "'mkdir' '-p' '" + root_.string() + "'");
  EXPECT_EQ(commands[1], "upload " + root_.string() + "/v1.tree.torrent (14 bytes)");
}

TEST_F(ctl_tasks, max_connections_reaches_every_peer_and_not_the_seeder) {
  write(path("v1.tree.torrent"), "d8:announce0:e");
  peers_say_done();
  // The command that starts VERB ("peer" or "seed") on HOST.
  auto start_of = [&](const std::string& verb, const std::string& host) {
    for (const auto& c : transport_.tasks_run_on(host)) {
      if (c.find("'" + verb + "' '" + host + "'") != std::string::npos) return c;
    }
    return std::string("(none)");
  };
  config_.max_connections = 3;
  ASSERT_TRUE(all_ok(run({"start_seeding", "peer"}, {{"tag", "v1"}, {"destination_path", "/srv/app"}})));
  EXPECT_NE(start_of("peer", "h2").find("'--max_connections' '3'"), std::string::npos) << start_of("peer", "h2");
  EXPECT_NE(start_of("peer", "h1").find("'--max_connections' '3'"), std::string::npos) << start_of("peer", "h1");
  const std::string seed = start_of("seed", "h1");
  EXPECT_TRUE(seed != "(none)" && seed.find("--max_connections") == std::string::npos) << seed;
  transport_.commands.clear();
  config_.max_connections = -1;  // unset: murder_client's own default
  ASSERT_TRUE(all_ok(run({"peer"}, {{"tag", "v1"}, {"destination_path", "/srv/app"}})));
  const std::string peer = start_of("peer", "h2");
  EXPECT_TRUE(peer != "(none)" && peer.find("--max_connections") == std::string::npos) << peer;
}

TEST_F(ctl_tasks, the_transfer_mode_chooses_the_torrent_and_the_words_of_each_program) {
  auto words_of = [&](const std::string& mode) {
    transport_.commands.clear();
    auto results = run({"create_torrent", "start_seeding", "clean_temp_files"},
                       {{"tag", "v1"}, {"files_path", "/srv/r"}, {"transfer_mode", mode}});
    EXPECT_TRUE(all_ok(results)) << mode;
    return transport_.tasks_run_on("h1");
  };
  const std::string temp = root_.string();
  auto contains = [](const std::vector<std::string>& commands, const std::string& part) {
    return std::any_of(commands.begin(), commands.end(), [&](const std::string& c) { return c.find(part) != std::string::npos; });
  };
  auto tree = words_of("tree");
  EXPECT_TRUE(contains(tree, "'--tag' 'v1' '--temp' '" + temp + "' '--tree'"));
  EXPECT_TRUE(std::filesystem::exists(path("v1.tree.torrent")));  // fetched here
  EXPECT_TRUE(contains(tree, "'seed' 'h1' '--home' '/opt/murder' '--tag' 'v1' '--temp' '" + temp + "' '--daemon' "
                             "'--unless-running' '--tree' '--trust'"));
  EXPECT_TRUE(contains(tree, "'rm' '-rf' '--' '" + temp + "/v1.tree' '" + temp + "/v1.tree.torrent'"));
  auto tgz = words_of("tgz");
  EXPECT_FALSE(contains(tgz, "'--tree'"));
  EXPECT_TRUE(std::filesystem::exists(path("v1.tgz.torrent")));
  EXPECT_THROW(run({"create_torrent"}, {{"tag", "v1"}, {"files_path", "/srv/r"}, {"transfer_mode", "zip"}}), failure);
}

TEST_F(ctl_tasks, backup_trackers_are_in_the_torrent_and_each_tracker_gets_it) {
  config_.trackers = {"t1", "t2"};
  config_.super_seeding = true;
  auto results = run({"start_tracker", "create_torrent", "start_seeding"}, {{"tag", "v1"}, {"files_path", "/srv/r"}});
  ASSERT_TRUE(all_ok(results));
  auto on_seeder = transport_.tasks_run_on("h1");
  auto made = std::find_if(on_seeder.begin(), on_seeder.end(),
                           [](const std::string& c) { return c.find("murder_make_torrent") != std::string::npos; });
  ASSERT_NE(made, on_seeder.end());
  EXPECT_NE(made->find("'/srv/r' 't1:8998' '--tracker' 't2:8998' '--tag' 'v1' '--temp' '" + root_.string() + "'"),
            std::string::npos)
      << *made;
  for (const char* tracker : {"t1", "t2"}) {
    auto on_tracker = transport_.tasks_run_on(tracker);
    EXPECT_NE(std::find(on_tracker.begin(), on_tracker.end(), "upload /opt/murder/torrents/v1.torrent (14 bytes)"),
              on_tracker.end())
        << tracker;
    EXPECT_NE(on_tracker.front().find("murder_tracker"), std::string::npos) << tracker;
  }
  EXPECT_NE(on_seeder.back().find("'--super-seed'"), std::string::npos) << on_seeder.back();
}

TEST_F(ctl_tasks, peer_without_a_local_torrent_fails_once_without_touching_hosts) {
  auto results = run({"peer"}, {{"tag", "v9"}, {"destination_path", "/srv/app"}});
  ASSERT_EQ(results.size(), 1u);
  EXPECT_EQ(results[0].host, "*");
  EXPECT_NE(results[0].error.find("no torrent for tag 'v9'"), std::string::npos) << results[0].error;
  EXPECT_TRUE(transport_.commands.empty());
}

TEST_F(ctl_tasks, network_failures_are_retried_and_bad_values_are_not) {
  transport_.refuse_connects["h2"] = 2;
  auto results = run({"stop_all_peering"}, {}, 2);
  ASSERT_TRUE(all_ok(results));
  EXPECT_EQ(results[1].host, "h2");
  EXPECT_EQ(results[1].attempts, 3);
  EXPECT_EQ(results[0].attempts, 1);

  transport_.fail_when["stop"] = 2;  // exit 2: usage, which a retry cannot fix
  results = run({"stop_all_peering"}, {}, 3);
  EXPECT_EQ(results[0].outcome, host_outcome::failed);
  EXPECT_EQ(results[0].attempts, 1);
}

TEST_F(ctl_tasks, a_hung_host_times_out_and_the_rest_finish) {
  // The local transport runs real commands; host "slow" never answers in time.
  for (std::string host : {"fast", "slow"}) std::filesystem::create_directories(path("fleet") / host);
  write(path("fleet/slow/murder/bin/murder_client"), "#!/bin/sh\nexec sleep 30\n");
  write(path("fleet/fast/murder/bin/murder_client"),
        R"(#!/bin/sh
echo '{"event":"status","pidfile":"murder/run/tracker.pid","running":true,"pid":1}'
)");
  for (std::string host : {"fast", "slow"}) {
    std::filesystem::permissions(path("fleet") / host / "murder/bin/murder_client", std::filesystem::perms::owner_all);
  }
  murder_config config;
  config.peers = {"fast", "slow"};
  config.remote_murder_path = "murder";
  apply_role_defaults(config);
  auto local = make_local_transport(path("fleet"));
  task_env env(config, resolve_values(config, {}), *local);
  env.command_timeout = std::chrono::seconds(1);
  quiet_observer observer;
  auto started = std::chrono::steady_clock::now();
  auto results = run_tasks(expand_tasks({"status"}), env, run_options{}, observer);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].outcome, host_outcome::ok);
  EXPECT_EQ(results[0].note, "running: tracker");
  EXPECT_EQ(results[1].outcome, host_outcome::failed);
  EXPECT_EQ(results[1].error, "slow: command did not finish within 1 s");
}

TEST_F(ctl_tasks, local_transport_runs_in_the_host_directory_and_keeps_both_streams) {
  std::filesystem::create_directories(path("fleet/127.0.0.5"));
  auto local = make_local_transport(path("fleet"));
  auto host = local->connect("127.0.0.5");
  std::vector<std::string> lines;
  auto r = host->run("pwd; echo oops >&2; exit 7", std::chrono::seconds(5),
                     [&](std::string_view line, bool err) { lines.push_back((err ? "E " : "O ") + std::string(line)); });
  EXPECT_EQ(r.exit_status, 7);
  EXPECT_EQ(r.output, path("fleet/127.0.0.5").string() + "\n");
  EXPECT_EQ(r.errors, "oops\n");
  EXPECT_EQ(lines.size(), 2u);
  // Like SFTP, an upload does not create directories.
  EXPECT_THROW(host->upload("payload", "~/sub/file", 0640), failure);
  host->run("mkdir sub", std::chrono::seconds(5), {});
  host->upload("payload", "~/sub/file", 0640);
  EXPECT_EQ(slurp(path("fleet/127.0.0.5/sub/file")), "payload");
  EXPECT_EQ(host->download("sub/file"), "payload");
  EXPECT_THROW(local->connect("missing"), failure);
}

TEST(ctl_values, unknown_keys_are_refused_and_flags_follow_the_original) {
  murder_config config;
  config.default_tag = "from-config";
  auto v = resolve_values(config, {{"path_is_file", "1"}, {"no_tag_directory", "0"}});
  EXPECT_EQ(v.tag, "from-config");
  EXPECT_TRUE(v.path_is_file);
  EXPECT_FALSE(v.no_tag_directory);
  EXPECT_EQ(resolve_values(config, {{"tag", "cli"}}).tag, "cli");
  EXPECT_THROW(resolve_values(config, {{"tga", "x"}}), failure);
}

TEST(ctl_ssh_config, strict_host_key_checking_is_looked_up_like_openssh) {
  const char* text =
      "Host bastion\n  StrictHostKeyChecking no\n"
      "Host *.lab !db.lab\n  StrictHostKeyChecking accept-new\n"
      "Host *\n  StrictHostKeyChecking=yes\n";
  EXPECT_EQ(strict_host_key_checking_for(text, "bastion"), "no");
  EXPECT_EQ(strict_host_key_checking_for(text, "web.lab"), "accept-new");
  EXPECT_EQ(strict_host_key_checking_for(text, "db.lab"), "yes");
  EXPECT_EQ(strict_host_key_checking_for("Host other\n StrictHostKeyChecking no\n", "web"), std::nullopt);
}

TEST(ctl_report, json_escapes_and_counts_failed_hosts) {
  std::vector<host_result> rows(2);
  rows[0] = {"peer", "h1", host_outcome::ok, 1.5, 1, "", "done"};
  rows[1] = {"peer", "h\"2", host_outcome::failed, 0.25, 2, "h\"2: bad\nline", ""};
  char* buffer = nullptr;
  size_t size = 0;
  std::FILE* out = ::open_memstream(&buffer, &size);
  print_json(out, rows, 2.0);
  std::fclose(out);
  std::string json(buffer, size);
  std::free(buffer);
  EXPECT_NE(json.find("\"ok\": false, \"seconds\": 2.000, \"hosts\": 2, \"failed_hosts\": [\"h\\\"2\"]"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find("\"error\": \"h\\\"2: bad\\nline\""), std::string::npos) << json;
}

}  // namespace
}  // namespace murder::ctl
