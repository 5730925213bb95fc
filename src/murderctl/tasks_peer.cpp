#include <cstdio>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
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
}

std::string peer(host_call& call) {
  const auto& env = call.env();
  const auto& v = env.values;
  call.run(shell_command({"mkdir", "-p", v.temp_path}));
  call.upload(env.torrent_contents, env.torrent_path(), 0644);
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

std::string stop_peering(host_call& call) { return stop_role(call, "peer", call.env().values.tag); }

std::string stop_all_peering(host_call& call) { return stop_role(call, "peer", ""); }

}  // namespace murder::ctl
