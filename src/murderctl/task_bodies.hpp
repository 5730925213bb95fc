#pragma once
// The bodies of the tasks, one file per family; task_list.cpp puts them in the
// table with their roles and help lines.

#include <functional>
#include <string>
#include <vector>

#include "murder/client/status_events.hpp"
#include "murder/ctl/remote_quote.hpp"
#include "murder/ctl/tasks.hpp"

namespace murder::ctl {

// Shared by the bodies. Stops murder's `role` process of `tag` on the host
// (every one of the role with no tag; the tracker with role "tracker"):
// murder_client finds the pidfiles under remote_murder_path. Returns the note
// for the results.
std::string stop_role(host_call& call, const std::string& role, const std::string& tag);
// Calls `on_event` for each murder_client event line (--json) in `output`,
// skipping any other line.
void for_each_event(const std::string& output, const std::function<void(const client::client_event&)>& on_event);
// Appends to a murder_client seed or peer command line (ROLE "seed" or
// "peer", for TAG): murder.toml's metrics_dir (`--metrics-file
// DIR/murder_ROLE_TAG.prom`), its rate caps, its [libtorrent] settings
// (`--setting NAME=VALUE` each) and, when it sets allowed_networks,
// `--allow-peers NETWORKS`.
void add_client_settings(const task_env& env, const std::string& role, const std::string& tag,
                         std::vector<std::string>& words);

// tasks_tracker.cpp
std::string start_tracker(host_call& call);
std::string stop_tracker(host_call& call);

// tasks_seeder.cpp
void check_files_path(const task_env& env);
std::string create_torrent(host_call& call);
std::string download_torrent(host_call& call);
std::string start_seeding(host_call& call);
std::string stop_seeding(host_call& call);
std::string stop_all_seeding(host_call& call);

// tasks_peer.cpp
void check_destination(const task_env& env);
void prepare_peer(task_env& env);
std::string peer(host_call& call);
std::string finish_peer(host_call& call);
void collect_peers(host_call& on_tracker, const std::vector<std::string>& hosts, const settle_fn& settle);
std::string stop_peering(host_call& call);
std::string stop_all_peering(host_call& call);

// tasks_files.cpp
void check_bundle(const task_env& env);
void prepare_bundle(task_env& env);
std::string distribute_files(host_call& call);
std::string finish_distribute(host_call& call);
std::string clean_temp_files(host_call& call);
std::string status(host_call& call);
std::string check_install(host_call& call);

}  // namespace murder::ctl
