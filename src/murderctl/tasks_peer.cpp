#include <cstdio>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

namespace {

std::string peer_name(const task_env& env) { return "peer-" + env.values.tag; }

// Where the payload ends up: DEST/TAG/ (extracted), DEST/ with
// no_tag_directory, or DEST/<file name> with path_is_file.
std::string delivery_target(const task_env& env) {
  const auto& v = env.values;
  if (v.path_is_file) {
    std::string name = v.files_path.empty() ? v.tag : std::filesystem::path(v.files_path).filename().string();
    return v.destination_path + "/" + name;
  }
  return v.no_tag_directory ? v.destination_path : v.destination_path + "/" + v.tag;
}

}  // namespace

void check_destination(const task_env& env) {
  if (env.values.destination_path.empty()) {
    throw failure(exit_code::usage,
                  "you must specify a 'destination_path' parameter with the directory in which to place (and "
                  "extract) the transferred files; a directory named by the tag is made inside it unless "
                  "no_tag_directory=1 (destination_path=DIR or default_destination_path)");
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
}

std::string peer(host_call& call) {
  const auto& env = call.env();
  const auto& layout = env.layout;
  call.run(shell_command({"mkdir", "-p", env.values.temp_path, layout.run_dir(), layout.log_dir()}));
  call.upload(env.torrent_contents, env.torrent_path(), 0644);
  std::vector<std::string> words = {layout.program("murder_client"), "peer", env.torrent_path(), env.payload_path(),
                                    call.host(), env.values.path_is_file ? "--copy-to" : "--extract",
                                    delivery_target(env), "--pidfile", layout.pidfile(peer_name(env)),
                                    "--logfile", layout.logfile(peer_name(env)), "--status-interval", "1", "--json"};
  if (env.values.unsafe_please_delete) words.push_back("--replace");
  add_client_settings(env, words);
  if (env.values.stall_timeout > 0) {
    words.push_back("--stall-timeout");
    words.push_back(std::to_string(env.values.stall_timeout));
  }
  std::string detail = "complete";
  for_each_event(call.run(shell_command(words)).output, [&](const client::client_event& event) {
    const auto* done = std::get_if<client::done_event>(&event);
    if (!done) return;
    char text[160];
    std::snprintf(text, sizeof text, "%llu bytes, %llu fetched from peers, %.1f s, delivered in %.2f s",
                  static_cast<unsigned long long>(done->bytes), static_cast<unsigned long long>(done->bytes_from_peers),
                  done->download_seconds, done->deliver_seconds);
    detail = text;
  });
  return detail;
}

std::string stop_peering(host_call& call) { return stop_named(call, peer_name(call.env())); }

std::string stop_all_peering(host_call& call) { return stop_all_named(call, "peer"); }

}  // namespace murder::ctl
