#include <algorithm>
#include <chrono>
#include <optional>
#include <cstdio>
#include <map>
#include <random>
#include <thread>

#include <libtorrent/torrent_info.hpp>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

void check_destination(const task_env& env) {
  if (env.values.destination_path.empty()) {
    throw failure(exit_code::usage,
                  "You must specify a 'destination_path' parameter with the directory in which to place transferred "
                  "(and extract) files. Note that inside this directory, a new directory named by the tag will be "
                  "created. It is inside of this second diectory that the files which the torrent was created from "
                  "will be placed. To not create this second directory, pass in parameter 'no_tag_directory=1' "
                  "(destination_path=DIR or default_destination_path)");
  }
}

void prepare_peer(task_env& env) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::symlink_status(env.local_torrent_path(), ec))) {
    throw failure(exit_code::bad_input, "no torrent for tag '" + env.values.tag + "' at " +
                                            env.local_torrent_path().string() +
                                            ": run create_torrent (or download_torrent) first");
  }
  env.torrent_contents = read_private_file(env.local_torrent_path());
  // A key a host, drawn afresh for each run: 16 hex digits naming the run
  // (the tracker keeps earlier runs' reports of the same torrent), then 16 of
  // the host's own, which no other host sees, so none can write its row.
  std::random_device random;
  auto draw = [&] {
    char digits[17];
    std::snprintf(digits, sizeof digits, "%08x%08x", static_cast<unsigned>(random()), static_cast<unsigned>(random()));
    return std::string(digits);
  };
  env.report_run = draw();
  env.report_keys.clear();
  for (const auto& host : env.config.peers) env.report_keys[host] = env.report_run + draw();
}

std::string peer(host_call& call) {
  const auto& env = call.env();
  const auto& v = env.values;
  // temp_path nearly always exists: it is made (and the upload tried again)
  // only when the upload fails, which saves a command on every host.
  try {
    call.upload(env.torrent_contents, env.torrent_path(), 0644);
  } catch (const failure&) {
    call.run(shell_command({"mkdir", "-p", v.temp_path}));
    call.upload(env.torrent_contents, env.torrent_path(), 0644);
  }
  // murder_client lays out the rest: its pidfile and log under --home, the
  // payload beside the torrent, the release in destination/TAG (or the
  // destination itself, or destination/NAME for a single file).
  std::vector<std::string> words = {env.layout.program("murder_client"), "peer", call.host(), "--home", env.layout.root,
                                    "--tag", v.tag, "--temp", v.temp_path, "--destination", v.destination_path,
                                    "--status-interval", "1", "--json"};
  if (v.path_is_file) {
    words.push_back("--file-name");
    words.push_back(v.files_path.empty() ? v.tag : std::filesystem::path(v.files_path).filename().string());
  } else if (v.no_tag_directory) {
    words.push_back("--no-tag-directory");
  }
  if (v.unsafe_please_delete) words.push_back("--replace");
  if (env.tree()) words.push_back("--tree");
  if (env.tree() && !v.base_tag.empty()) words.insert(words.end(), {"--base-tag", v.base_tag});
  add_client_settings(env, "peer", v.tag, words);
  if (env.config.max_connections >= 0) {
    words.insert(words.end(), {"--max_connections", std::to_string(env.config.max_connections)});
  }
  if (env.values.stall_timeout > 0) {
    words.push_back("--stall-timeout");
    words.push_back(std::to_string(env.values.stall_timeout));
  }
  if (auto key = env.report_keys.find(call.host()); key != env.report_keys.end()) {
    words.insert(words.end(), {"--report-key", key->second});
  }
  // Started detached: the swarm forms on every host at once, whatever the SSH
  // concurrency; collect_peers and finish_peer learn each host's result.
  words.push_back("--detach");
  call.run(shell_command(words));
  return "started";
}

std::string finish_peer(host_call& call) {
  const auto& env = call.env();
  // One command follows the download on the host for up to 30 s: it prints
  // the peer's figures every second (the display moves) and answers at once
  // when the peer is done or has failed. Each command costs the host a shell
  // and a process start, which 20 hosts sharing two cores notice.
  const long follow = std::min<long>(30, std::max<long>(1, static_cast<long>(env.command_timeout.count()) / 2));
  const auto status = shell_command({env.layout.program("murder_client"), "status", "--json", "--home", env.layout.root,
                                     "--role", "peer", "--tag", env.values.tag, "--wait", std::to_string(follow),
                                     "--progress"});
  // murder_client fails by itself after stall_timeout without progress; a
  // peer that stops counting without saying so (stopped, hung) is given up
  // this long after its last progress.
  const auto patience = std::chrono::seconds(std::max(env.values.stall_timeout, 60) + 30);
  auto last_change = std::chrono::steady_clock::now();
  std::uint64_t last_done = 0;
  for (;;) {
    std::optional<client::status_event> seen;
    call.run(status, 1, [&](std::string_view line) {
      auto event = client::parse_event_line(line);
      const auto* s = event ? std::get_if<client::status_event>(&*event) : nullptr;
      if (!s) return;
      seen = *s;
      if (s->figures && s->figures->state == "downloading") call.report_bytes(s->figures->bytes_done, s->figures->bytes_total);
    });
    if (!seen || !seen->figures) throw failure(exit_code::failure, call.host() + ": the peer left no status (was it started?)");
    const auto& f = *seen->figures;
    if (f.state == "done") {
      call.report_bytes(f.bytes_total, f.bytes_total);
      return client::describe({"", f.bytes_total, f.bytes_from_peers, f.download_seconds, f.deliver_seconds});
    }
    if (f.state == "failed") {
      throw failure(f.exit_code > 0 && f.exit_code < 6 ? static_cast<exit_code>(f.exit_code) : exit_code::failure,
                    call.host() + ": " + f.error);
    }
    if (!seen->running) {
      throw failure(exit_code::failure, call.host() + ": the peer ended without finishing, at " +
                                            std::to_string(f.bytes_done) + " of " + std::to_string(f.bytes_total) +
                                            " bytes (killed?)");
    }
    auto now = std::chrono::steady_clock::now();
    if (f.bytes_done != last_done) {
      last_done = f.bytes_done;
      last_change = now;
    } else if (now - last_change > patience) {
      throw failure(exit_code::network, call.host() + ": the peer made no progress for " +
                                            std::to_string(patience.count()) + " s and said nothing");
    }
  }
}

void collect_peers(host_call& on_tracker, const std::vector<std::string>& hosts, const settle_fn& settle) {
  const auto& env = on_tracker.env();
  lt::error_code ec;
  lt::torrent_info info(env.torrent_contents.data(), static_cast<int>(env.torrent_contents.size()), ec);
  if (ec) throw failure(exit_code::bad_input, "the torrent does not parse: " + ec.message());
  const auto hash = info.info_hashes().v1;
  std::map<std::string, std::string> host_of;
  for (const auto& host : hosts) {
    if (auto key = env.report_keys.find(host); key != env.report_keys.end()) host_of[key->second] = host;
  }
  // Reports come as they arrive; it ends when every host has reported, or
  // when no peer downloads any more and none has reported for 30 s (the
  // rest then get a session each, which tells a killed peer from a slow one).
  const long wait = std::max<long>(1, static_cast<long>(env.command_timeout.count()) - 60);
  on_tracker.run(shell_command({env.layout.program("murder_client"), "reports", "--port",
                                std::to_string(env.config.tracker_port), "--info-hash",
                                to_hex(std::string_view(hash.data(), hash.size())), "--run", env.report_run, "--count",
                                std::to_string(host_of.size()), "--wait", std::to_string(wait), "--quiet", "30"}),
                 0, [&](std::string_view line) {
                   auto space = line.find(' ');
                   if (space == std::string_view::npos) return;
                   auto host = host_of.find(std::string(line.substr(0, space)));
                   if (host == host_of.end()) return;
                   auto event = client::parse_event_line(line.substr(space + 1));
                   if (!event) return;
                   if (const auto* done = std::get_if<client::done_event>(&*event)) {
                     settle(host->second, {true, client::describe(*done), "", exit_code::ok});
                   } else if (const auto* failed = std::get_if<client::failed_event>(&*event)) {
                     const auto code = failed->exit_code > 0 && failed->exit_code < 6 ? static_cast<exit_code>(failed->exit_code)
                                                                            : exit_code::failure;
                     settle(host->second, {false, "", host->second + ": " + failed->message, code});
                   }
                 });
}

std::string stop_peering(host_call& call) { return stop_role(call, "peer", call.env().values.tag); }

std::string stop_all_peering(host_call& call) { return stop_role(call, "peer", ""); }

}  // namespace murder::ctl
