#include "task_bodies.hpp"

namespace murder::ctl {

std::string start_tracker(host_call& call) {
  const auto& env = call.env();
  // --home: murder_tracker keeps its pidfile, log, state file and allowed dir there.
  std::vector<std::string> words = {env.layout.program("murder_tracker"), "--home", env.layout.root,
                                    "--port", std::to_string(env.config.tracker_port), "--daemon", "--unless-running"};
  if (!env.config.allowed_networks.empty()) {
    // The tracker's own host too: its seeder reaches it over loopback when the
    // tracker's name resolves to 127.0.1.1 there (it announces its outward
    // address with ip=, which must be inside allowed_networks).
    words.push_back("--allowed_cidrs");
    words.push_back(env.config.allowed_networks + ",127.0.0.0/8");
  }
  for (const auto& location : env.config.locations) {
    words.push_back("--location");
    words.push_back(location);
  }
  return last_line(call.run(shell_command(words)).output);
}

std::string stop_tracker(host_call& call) { return stop_role(call, "tracker", ""); }

}  // namespace murder::ctl
