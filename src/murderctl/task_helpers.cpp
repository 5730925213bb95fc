#include <cstdio>
#include <sstream>

#include "task_bodies.hpp"

namespace murder::ctl {

namespace {

// Reads `murder_client stop --json`: a "stop" event per pidfile. A seed's row
// carries the copies it uploaded.
std::string stop_note(const command_result& result) {
  int stopped = 0;
  std::string uploads;
  for_each_event(result.output, [&](const client::client_event& event) {
    const auto* stop = std::get_if<client::stop_event>(&event);
    if (!stop || stop->outcome == "not_running") return;
    ++stopped;
    if (!stop->figures || stop->figures->role != "seed") return;
    char text[96];
    std::snprintf(text, sizeof text, "%suploaded %.2f copies (%.1f MB)", uploads.empty() ? "; " : ", ",
                  stop->figures->copies_uploaded(), static_cast<double>(stop->figures->bytes_uploaded) / 1e6);
    uploads += text;
  });
  return (stopped ? "stopped " + std::to_string(stopped) + " process" + (stopped > 1 ? "es" : "") : "was not running") +
         uploads;
}

// Appends `--allow-peers NETWORKS` when murder.toml sets allowed_networks.
void add_peer_filter(const task_env& env, std::vector<std::string>& words) {
  if (env.config.allowed_networks.empty()) return;
  words.push_back("--allow-peers");
  words.push_back(env.config.allowed_networks);
}

}  // namespace

std::string stop_role(host_call& call, const std::string& role, const std::string& tag) {
  const auto& layout = call.env().layout;
  std::vector<std::string> words = {layout.program("murder_client"), "stop", "--json", "--home", layout.root, "--role", role};
  if (!tag.empty()) words.insert(words.end(), {"--tag", tag});
  return stop_note(call.run(shell_command(words)));
}

void add_client_settings(const task_env& env, const std::string& role, const std::string& tag,
                         std::vector<std::string>& words) {
  if (!env.config.metrics_dir.empty()) {
    // One file per role and tag: node-exporter's collector reads every *.prom in the directory.
    words.push_back("--metrics-file");
    words.push_back(env.config.metrics_dir + "/murder_" + role + "_" + tag + ".prom");
  }
  if (env.config.max_upload_rate > 0) words.insert(words.end(), {"--max_upload_rate", std::to_string(env.config.max_upload_rate)});
  if (env.config.max_download_rate > 0) {
    words.insert(words.end(), {"--max_download_rate", std::to_string(env.config.max_download_rate)});
  }
  for (const auto& setting : env.config.libtorrent_settings) {
    words.push_back("--setting");
    words.push_back(setting);
  }
  add_peer_filter(env, words);
}


void for_each_event(const std::string& output, const std::function<void(const client::client_event&)>& on_event) {
  std::istringstream lines(output);
  for (std::string line; std::getline(lines, line);) {
    if (auto event = client::parse_event_line(line)) on_event(*event);
  }
}


}  // namespace murder::ctl
