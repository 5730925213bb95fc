#include <algorithm>
#include <cstdio>

#include "murder/core/error.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

const std::vector<task>& all_tasks() {
  //  name, help line, roles, needs a tag, cleanup, check, prepare, host body
  static const std::vector<task> tasks = {
      {"distribute_files",
       "install the murder bundle (programs and libraries) in remote_murder_path: uploaded to bundle_uploads hosts, "
       "passed on host to host, checked by its SHA-256",
       all_roles, false, false, check_bundle, prepare_bundle, distribute_files, finish_distribute},
      {"start_tracker", "start the tracker daemon (no-op when it runs)", tracker_role, false, false, {}, {}, start_tracker},
      {"stop_tracker", "stop the tracker daemon", tracker_role, false, true, {}, {}, stop_tracker},
      {"create_torrent", "snapshot files_path as TEMP/TAG.tree (tgz mode: pack TEMP/TAG.tgz), make its .torrent, fetch it here, tell the tracker",
       seeder_role, true, false, check_files_path, {}, create_torrent},
      {"download_torrent", "fetch the .torrent (TEMP/TAG.tree.torrent, or TAG.tgz.torrent) from the seeder again", seeder_role, true, false, {}, {},
       download_torrent},
      {"start_seeding", "seed TAG until stopped (returns once the tracker has answered)", seeder_role, true, false, {}, {},
       start_seeding},
      {"stop_seeding", "stop seeding TAG", seeder_role, true, true, {}, {}, stop_seeding},
      {"stop_all_seeding", "stop every seeding process of ours", seeder_role, false, true, {}, {}, stop_all_seeding},
      {"peer", "download TAG, verify it, deliver it into destination_path/TAG/ (atomically), reusing an earlier release", peer_role, true, false,
       check_destination, prepare_peer, peer, finish_peer, collect_peers},
      {"stop_peering", "stop the background seeding of finished peers for TAG", peer_role, true, true, {}, {},
       stop_peering},
      {"stop_all_peering", "stop every peer process of ours", peer_role, false, true, {}, {}, stop_all_peering},
      {"clean_temp_files", "remove TEMP/TAG.tree (or TAG.tgz) and its .torrent", peer_role | seeder_role, true, true, {}, {},
       clean_temp_files},
      {"status", "list the murder daemons running on each host", all_roles, false, false, {}, {}, status},
      {"check_install", "check that every host has this murderctl's version installed (for package installs)",
       all_roles, false, false, {}, {}, check_install},
  };
  return tasks;
}

namespace {

const std::vector<std::string_view> deploy_pipeline = {"start_tracker", "create_torrent", "start_seeding",
                                                       "peer",          "stop_peering",   "stop_seeding",
                                                       "stop_tracker",  "clean_temp_files"};

const task* find(std::string_view name) {
  for (const auto& t : all_tasks()) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

}  // namespace

std::vector<const task*> expand_tasks(const std::vector<std::string>& words) {
  std::vector<const task*> plan;
  for (std::string_view word : words) {
    if (word.substr(0, 7) == "murder:") word.remove_prefix(7);
    if (word == "deploy") {
      for (auto name : deploy_pipeline) plan.push_back(find(name));
    } else if (const task* t = find(word)) {
      plan.push_back(t);
    } else {
      throw failure(exit_code::usage, "unknown task '" + std::string(word) + "' (murderctl --help lists them)");
    }
  }
  if (plan.empty()) throw failure(exit_code::usage, "no task given (murderctl --help lists them)");
  return plan;
}

std::vector<std::string> hosts_for(const task& t, const murder_config& config) {
  std::vector<std::string> hosts;
  auto add = [&](const std::string& host) {
    if (std::find(hosts.begin(), hosts.end(), host) == hosts.end()) hosts.push_back(host);
  };
  if (t.roles & tracker_role) {
    for (const auto& host : config.trackers) add(host);
  }
  if (t.roles & seeder_role) add(config.seeder);
  if (t.roles & peer_role) {
    for (const auto& host : config.peers) add(host);
  }
  return hosts;
}

std::string task_help() {
  std::string text =
      "Tasks (run in the order given, but start_tracker beside create_torrent, stop_peering beside stop_seeding and\n"
      "stop_tracker beside clean_temp_files; murder:NAME is accepted for each):\n";
  char line[256];
  for (const auto& t : all_tasks()) {
    std::snprintf(line, sizeof line, "  %-18s # %s\n", std::string(t.name).c_str(), std::string(t.summary).c_str());
    text += line;
  }
  std::snprintf(line, sizeof line, "  %-18s # %s\n", "deploy",
                "all of it: start_tracker create_torrent start_seeding peer stop_peering stop_seeding stop_tracker "
                "clean_temp_files");
  return text + line;
}

}  // namespace murder::ctl
