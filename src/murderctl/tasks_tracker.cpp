#include "task_bodies.hpp"

namespace murder::ctl {

std::string start_tracker(host_call& call) {
  const auto& env = call.env();
  const auto& layout = env.layout;
  std::vector<std::string> words = {layout.program("murder_tracker"), "--daemon", "--pidfile", layout.pidfile("tracker"),
                                    "--port", std::to_string(env.config.tracker_port), "--allowed_dir",
                                    layout.torrent_dir(), "--dfile", layout.run_dir() + "/tracker.state",
                                    "--logfile", layout.logfile("tracker")};
  if (!env.config.allowed_networks.empty()) {
    // The tracker's own host too: its seeder reaches it over loopback when the
    // tracker's name resolves to 127.0.1.1 there (it announces its outward
    // address with ip=, which must be inside allowed_networks).
    words.push_back("--allowed_cidrs");
    words.push_back(env.config.allowed_networks + ",127.0.0.0/8");
  }
  std::string start = shell_command(words);
  return last_line(call.run(start_unless_running(layout, layout.pidfile("tracker"), start)).output);
}

std::string stop_tracker(host_call& call) { return stop_named(call, "tracker"); }

}  // namespace murder::ctl
