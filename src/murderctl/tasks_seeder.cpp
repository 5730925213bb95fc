#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

namespace {

// Puts the torrent in the tracker's allowed_dir on `on_tracker`'s host. The
// directory nearly always exists (start_tracker makes it): it is made, and
// the upload tried again, only when the upload fails.
void place_torrent(host_call& on_tracker, const std::string& torrent) {
  const auto& env = on_tracker.env();
  const std::string target = env.layout.torrent_dir() + "/" + env.values.tag + ".torrent";
  try {
    on_tracker.upload(torrent, target, 0644);
  } catch (const failure&) {
    on_tracker.run(shell_command({"mkdir", "-p", env.layout.torrent_dir()}));
    on_tracker.upload(torrent, target, 0644);
  }
}

// Makes the torrent known to each tracker: a tracker's allowed_dir holds every
// torrent it serves. A tracker on the seeder's own host (the usual layout) is
// reached over this task's connection, without a second SSH handshake.
void register_with_trackers(host_call& call, const std::string& torrent) {
  const auto& env = call.env();
  for (const auto& tracker : env.config.trackers) {
    call.log("registering " + env.values.tag + " with the tracker on " + tracker);
    if (tracker == call.host()) {
      place_torrent(call, torrent);
      continue;
    }
    auto connection = env.hosts.connect(tracker);
    host_log no_log;
    host_call on_tracker(env, tracker, *connection, no_log);
    place_torrent(on_tracker, torrent);
  }
}

std::string save_torrent_locally(host_call& call) {
  const auto& env = call.env();
  std::string torrent = call.download(env.torrent_path());
  auto local = env.local_torrent_path();
  std::error_code ec;
  if (local.has_parent_path()) std::filesystem::create_directories(local.parent_path(), ec);
  write_file_atomically(local, torrent);
  return torrent;
}

}  // namespace

void check_files_path(const task_env& env) {
  if (env.values.files_path.empty()) {
    throw failure(exit_code::usage,
                  "You must specify a 'files_path' parameter with the directory on the seeder which contains the "
                  "files to distribute (files_path=DIR or default_seeder_files_path)");
  }
}

std::string create_torrent(host_call& call) {
  const auto& env = call.env();
  const auto& v = env.values;
  const auto& trackers = env.config.trackers;
  std::string port = ":" + std::to_string(env.config.tracker_port);
  std::vector<std::string> words = {env.layout.program("murder_make_torrent"), v.files_path, trackers.front() + port};
  for (std::size_t i = 1; i < trackers.size(); ++i) {
    words.push_back("--tracker");
    words.push_back(trackers[i] + port);
  }
  // murder_make_torrent lays out TEMP/TAG.tgz and its torrent, writing each
  // into a private temporary file then renaming it: nothing planted in
  // temp_path is written through.
  words.insert(words.end(), {"--tag", v.tag, "--temp", v.temp_path});
  if (env.tree()) words.push_back("--tree");
  if (env.config.piece_size > 0) {
    words.push_back("--piece-size");
    words.push_back(std::to_string(env.config.piece_size));
  }
  std::string make = shell_command(words);
  std::string note = last_line(call.run(make).output);
  std::string torrent = v.do_not_download_torrent ? call.download(env.torrent_path()) : save_torrent_locally(call);
  register_with_trackers(call, torrent);
  return note;
}

std::string download_torrent(host_call& call) {
  save_torrent_locally(call);
  return "saved " + call.env().local_torrent_path().string();
}

std::string start_seeding(host_call& call) {
  const auto& env = call.env();
  std::vector<std::string> words = {env.layout.program("murder_client"), "seed", call.host(), "--home", env.layout.root,
                                    "--tag", env.values.tag, "--temp", env.values.temp_path, "--daemon",
                                    "--unless-running"};
  // The snapshot murder_make_torrent has just written and hashed is served as
  // it is; libtorrent still checks each piece before it first sends it.
  if (env.tree()) words.insert(words.end(), {"--tree", "--trust"});
  add_client_settings(env, "seed", env.values.tag, words);
  if (env.config.super_seeding) words.push_back("--super-seed");
  if (env.config.seed_every_request) words.push_back("--every-request");
  return last_line(call.run(shell_command(words)).output);
}

std::string stop_seeding(host_call& call) { return stop_role(call, "seed", call.env().values.tag); }

std::string stop_all_seeding(host_call& call) { return stop_role(call, "seed", ""); }

}  // namespace murder::ctl
