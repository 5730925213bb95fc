#include <nlohmann/json.hpp>

#include <cstdio>
#include <sstream>

#include "task_bodies.hpp"

namespace murder::ctl {

namespace {

// Reads `murder_client stop --json`: one object per pidfile (client/control.hpp).
// A seed's row carries the copies it uploaded.
std::string stop_note(const command_result& result) {
  int stopped = 0;
  std::string uploads;
  std::istringstream lines(result.output);
  for (std::string line; std::getline(lines, line);) {
    auto stop = nlohmann::json::parse(line, nullptr, false);
    if (stop.is_discarded() || !stop.is_object()) continue;
    if (stop.value("outcome", "") == "not_running") continue;
    ++stopped;
    const auto& figures = stop["figures"];
    if (!figures.is_object() || figures.value("role", "") != "seed") continue;
    char text[96];
    std::snprintf(text, sizeof text, "%suploaded %.2f copies (%.1f MB)", uploads.empty() ? "; " : ", ",
                  figures.value("copies_uploaded", 0.0), static_cast<double>(figures.value("bytes_uploaded", 0ULL)) / 1e6);
    uploads += text;
  }
  return (stopped ? "stopped " + std::to_string(stopped) + " process" + (stopped > 1 ? "es" : "") : "was not running") +
         uploads;
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

void add_peer_filter(const task_env& env, std::vector<std::string>& words) {
  if (env.config.allowed_networks.empty()) return;
  words.push_back("--allow-peers");
  words.push_back(env.config.allowed_networks);
}

std::string start_unless_running(const remote_layout& layout, const std::string& pidfile, const std::string& start) {
  std::string status = shell_command({layout.program("murder_client"), "status", pidfile});
  return shell_command({"mkdir", "-p", layout.run_dir(), layout.log_dir(), layout.torrent_dir()}) + " && if " +
         status + " >/dev/null 2>&1; then echo \"already running\"; else " + start + "; fi";
}

}  // namespace murder::ctl
