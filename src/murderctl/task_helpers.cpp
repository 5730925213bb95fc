#include "task_bodies.hpp"

namespace murder::ctl {

namespace {

std::string stop_note(const command_result& result) {
  int stopped = 0;
  for (size_t at = 0; (at = result.output.find("stopped pid", at)) != std::string::npos; ++at) ++stopped;
  for (size_t at = 0; (at = result.output.find("killed pid", at)) != std::string::npos; ++at) ++stopped;
  return stopped ? "stopped " + std::to_string(stopped) + " process" + (stopped > 1 ? "es" : "")
                 : "was not running";
}

}  // namespace

std::string stop_named(host_call& call, const std::string& name) {
  const auto& layout = call.env().layout;
  return stop_note(call.run(shell_command({layout.program("murder_client"), "stop", layout.pidfile(name)})));
}

std::string stop_all_named(host_call& call, const std::string& prefix) {
  const auto& layout = call.env().layout;
  // The glob is ours and constant; only the directory comes from settings.
  return stop_note(call.run(shell_command({layout.program("murder_client"), "stop"}) + " " +
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
