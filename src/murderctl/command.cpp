#include "murder/ctl/command.hpp"

#include <libssh/libssh.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/process.hpp"
#include "murder/ctl/connection_pool.hpp"
#include "murder/ctl/report.hpp"
#include "murder/ctl/runner.hpp"

namespace murder::ctl {

namespace fs = std::filesystem;

namespace {

murder_config load_config(const command_options& options) {
  std::string path = options.config_path;
  std::error_code ec;
  if (path.empty() && fs::is_regular_file("murder.toml", ec)) path = "murder.toml";
  murder_config config;
  if (!path.empty()) {
    if (!fs::is_regular_file(path, ec)) throw failure(exit_code::usage, "config file " + path + " does not exist");
    config = parse_config(read_file(path), path, fs::path(path).parent_path());
  }
  if (!options.hosts_file.empty()) config.peers = parse_hosts(read_file(options.hosts_file));
  apply_role_defaults(config);
  if (options.concurrency > 0) config.ssh.concurrency = options.concurrency;
  if (options.timeout > 0) config.ssh.command_timeout = options.timeout;
  return config;
}

// libssh's global state, for the life of a run.
struct ssh_library {
  ssh_library() { ssh_init(); }
  ~ssh_library() { ssh_finalize(); }
};

}  // namespace

std::string default_bundle_path() {
  std::error_code ec;
  fs::path exe = fs::read_symlink("/proc/self/exe", ec).parent_path();
  for (fs::path candidate : {exe / "murder-bundle.tar.gz", exe.parent_path() / "share/murder/murder-bundle.tar.gz"}) {
    if (fs::is_regular_file(candidate, ec)) return candidate.string();
  }
  return (exe / "murder-bundle.tar.gz").string();
}

int run_command(const command_options& options) {
  std::vector<std::string> task_words, assignments;
  for (const auto& word : options.words) {
    (word.find('=') == std::string::npos ? task_words : assignments).push_back(word);
  }
  murder_config config = load_config(options);
  auto plan = expand_tasks(task_words);

  ssh_library ssh;
  // SSH sessions stay open from task to task, as many as are worked on at once.
  const auto kept = static_cast<std::size_t>(std::max(1, config.ssh.concurrency));
  auto hosts = options.local_root.empty() ? make_reusing_transport(make_ssh_transport(config.ssh, config.user), kept)
                                          : make_local_transport(options.local_root);
  task_env env(config, resolve_values(config, parse_assignments(assignments)), *hosts);
  env.bundle = options.bundle.empty() ? default_bundle_path() : options.bundle;
  env.command_timeout = std::chrono::seconds(config.ssh.command_timeout);

  run_options run;
  run.concurrency = config.ssh.concurrency;
  // Per host at once (at most `concurrency`, at most every host): its SSH
  // socket (or the local transport's pipes), and its log; and as many idle
  // sessions kept open.
  constexpr std::uint64_t files_per_host = 5, files_besides = 64;
  const std::uint64_t host_count = config.peers.size() + config.trackers.size() + 1;
  const std::uint64_t at_once = std::min<std::uint64_t>(static_cast<std::uint64_t>(run.concurrency), host_count);
  ensure_open_files(at_once * files_per_host + files_besides, std::to_string(at_once) + " hosts at once");
  run.retries = options.retries;
  run.retry_delay = std::chrono::seconds(options.retry_delay);
  run.log_dir = options.log_dir;

  auto started = std::chrono::steady_clock::now();
  std::vector<host_result> results;
  {
    auto progress = make_progress_display(stderr);
    results = run_tasks(plan, env, run, *progress);
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  if (options.format == "json") print_json(stdout, results, seconds);
  else print_table(stdout, results, seconds);
  std::fflush(stdout);
  return all_ok(results) ? 0 : 1;
}

}  // namespace murder::ctl
