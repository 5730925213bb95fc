#pragma once
// murderctl as a whole, after option parsing: load the configuration, expand the
// tasks, run them on the hosts, print the results.

#include <string>
#include <vector>

namespace murder::ctl {

struct command_options {
  std::string config_path;   // empty: ./murder.toml when it exists
  std::string hosts_file;    // --hosts: the peer role from a hosts file
  std::string local_root;    // --local: hosts are directories here, not SSH hosts
  std::string bundle;        // --bundle: what distribute_files installs
  std::string log_dir;
  std::string format = "table";
  int retries = 0;
  int retry_delay = 5;
  int concurrency = 0;       // 0: [ssh] concurrency
  int timeout = 0;           // 0: [ssh] command_timeout
  std::vector<std::string> words;  // tasks, then key=value settings
};

// The murder bundle built beside the murderctl executable, or installed under
// its prefix (share/murder/).
std::string default_bundle_path();

// Returns the exit status: 0 only when every host succeeded.
int run_command(const command_options& options);

}  // namespace murder::ctl
