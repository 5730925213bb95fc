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

std::string stop_named(host_call& call, const std::string& name) {
  const auto& layout = call.env().layout;
  return stop_note(call.run(shell_command({layout.program("murder_client"), "stop", "--json", layout.pidfile(name)})));
}

std::string stop_all_named(host_call& call, const std::string& prefix) {
  const auto& layout = call.env().layout;
  // The glob is ours and constant; only the directory comes from settings.
  return stop_note(call.run(shell_command({layout.program("murder_client"), "stop", "--json"}) + " " +
                            shell_quote_path(layout.run_dir()) + "/" + prefix + "-*.pid"));
}

void add_client_settings(const task_env& env, std::vector<std::string>& words) {
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

std::string start_unless_running(const remote_layout& layout, const std::string& pidfile, const std::string& start) {
  std::string status = shell_command({layout.program("murder_client"), "status", pidfile});
  return shell_command({"mkdir", "-p", layout.run_dir(), layout.log_dir(), layout.torrent_dir()}) + " && if " +
         status + " >/dev/null 2>&1; then echo \"already running\"; else " + start + "; fi";
}

}  // namespace murder::ctl
