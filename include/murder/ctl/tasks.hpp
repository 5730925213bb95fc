#pragma once
// murderctl's tasks (SPEC section 3): what each does on one host, which roles it
// runs on, and how `deploy` and the `murder:` synonyms expand.
//
// A task body sees one host through a host_call: it runs quoted commands there,
// uploads and downloads files, and throws murder::failure with a line naming the
// host when something fails. The runner (runner.hpp) runs bodies in parallel.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/deploy_layout.hpp"
#include "murder/ctl/bundle_sources.hpp"
#include "murder/ctl/config.hpp"
#include "murder/ctl/transport.hpp"

namespace murder::ctl {

// The values of one run: murder.toml's defaults overridden by key=value words
// (the Capistrano environment variables of the original).
struct deploy_values {
  std::string tag;               // tag=, else default_tag
  std::string files_path;        // files_path=, else default_seeder_files_path
  std::string destination_path;  // destination_path=, else default_destination_path
  std::string temp_path;         // temp_path=, else default_temp_path
  bool no_tag_directory = false;
  bool unsafe_please_delete = false;
  bool path_is_file = false;
  bool do_not_download_torrent = false;
  int stall_timeout = 0;         // stall_timeout=S: peers give up after S s without progress (0: client's 60)
  transfer_mode mode = transfer_mode::tree;  // transfer_mode=, else murder.toml's; path_is_file: always tgz
  std::string base_tag;          // base_tag=TAG: tree peers reuse destination_path/TAG (else they find one)
};

// Throws failure(usage) for an unknown key, naming it and listing the known ones.
deploy_values resolve_values(const murder_config& config, const std::map<std::string, std::string>& assignments);

// Where murder keeps its things on a host, under remote_murder_path.
struct remote_layout {
  std::string root;
  std::string program(std::string_view name) const { return root + "/bin/" + std::string(name); }
  // Where a torrent is handed to a tracker (its allowed_dir, core/deploy_layout.hpp);
  // the programs lay out the rest themselves from --home.
  std::string torrent_dir() const { return root + "/torrents"; }
};

// Everything the tasks of one run share. Read-only while tasks run.
struct task_env {
  task_env(const murder_config& c, deploy_values v, transport& t)
      : config(c), values(std::move(v)), layout{c.remote_murder_path}, hosts(t) {}

  const murder_config& config;
  deploy_values values;
  remote_layout layout;
  transport& hosts;
  std::filesystem::path bundle;  // for distribute_files
  std::string bundle_contents;   // read once by distribute_files' prepare
  std::string bundle_sha256;     // its SHA-256, which every host checks its copy against
  std::shared_ptr<bundle_sources> bundle_pool;  // where each host gets its copy (bundle_sources.hpp)
  std::string torrent_contents;  // the local .torrent, read once by peer's check
  // peer: the key each host reports its result under (tracker/peer_reports.hpp):
  // `report_run` (this run's), then the host's own 16 hex digits.
  std::string report_run;
  std::map<std::string, std::string> report_keys;
  std::chrono::seconds command_timeout{3600};

  // TEMP/TAG.tgz (tree: TEMP/TAG.tree) and its .torrent, on the hosts and on the workstation.
  bool tree() const { return values.mode == transfer_mode::tree && !values.path_is_file; }
  std::string payload_path() const { return values.temp_path + "/" + values.tag + (tree() ? ".tree" : ".tgz"); }
  std::string torrent_path() const { return payload_path() + ".torrent"; }
  std::filesystem::path local_torrent_path() const;
};

// Appends to one host's log (--log-dir); does nothing without a log dir.
class host_log {
 public:
  host_log() = default;
  explicit host_log(std::filesystem::path file) : file_(std::move(file)) {}
  void write(std::string_view text) const;

 private:
  std::filesystem::path file_;
};

// One host's share of one task.
class host_call {
 public:
  using bytes_sink = std::function<void(std::uint64_t done, std::uint64_t total)>;
  host_call(const task_env& env, std::string host, host_connection& connection, const host_log& log,
            bytes_sink on_bytes = {})
      : env_(env), host_(std::move(host)), connection_(connection), log_(log), on_bytes_(std::move(on_bytes)) {}

  const task_env& env() const { return env_; }
  const std::string& host() const { return host_; }
  host_connection& connection() { return connection_; }

  // Runs `command`; an exit status above `highest_ok` throws failure naming the
  // host and carrying the command's last error line, its exit status mapped to
  // murder's exit codes. `on_output`, when set, hears each line of standard
  // output as it arrives.
  command_result run(const std::string& command, int highest_ok = 0,
                     const std::function<void(std::string_view)>& on_output = {});

  void upload(std::string_view contents, const std::string& remote_path, unsigned mode);
  std::string download(const std::string& remote_path);
  void log(std::string_view text) const { log_.write(text); }
  // Passes a host's progress on to the display (as murder_client's progress events do).
  void report_bytes(std::uint64_t done, std::uint64_t total) const {
    if (on_bytes_) on_bytes_(done, total);
  }

 private:
  const task_env& env_;
  std::string host_;
  host_connection& connection_;
  const host_log& log_;
  bytes_sink on_bytes_;
};

// The last non-empty line of a command's output ("" when there is none).
std::string last_line(const std::string& text);

enum role : unsigned { tracker_role = 1, seeder_role = 2, peer_role = 4, all_roles = 7 };

// A host's result learnt without connecting to it (task::collect).
struct collected_result {
  bool ok = false;
  std::string note;   // ok
  std::string error;  // failed: the row's error line
  exit_code code = exit_code::failure;
};
using settle_fn = std::function<void(const std::string& host, const collected_result& result)>;

struct task {
  std::string_view name;
  std::string_view summary;
  unsigned roles;
  bool needs_tag;
  bool cleanup;  // still runs after an earlier task failed (the stop tasks)
  // On the workstation: `check` validates the run's values before any task
  // touches a host; `prepare` runs just before this task (it may need the work
  // of earlier tasks, as peer needs the torrent create_torrent fetched).
  std::function<void(const task_env&)> check;
  std::function<void(task_env&)> prepare;
  std::function<std::string(host_call&)> on_host;  // returns a note for the results
  // When set, runs on each host once `on_host` has run on every host, and its
  // note is the row's: a task that starts work everywhere first (the peer
  // task's downloads), then collects each host's result, so that the work is
  // not split into waves of `concurrency` hosts. An empty note keeps the
  // first phase's; a host whose finish uses no connection is not connected to.
  std::function<std::string(host_call&)> finish = {};
  // When set, and the task has more hosts than `concurrency` (so their first
  // connections are gone): runs once between the phases, over `on_tracker`
  // (a connection to the first tracker), and settles each host whose result
  // it learns there; only the others get `finish`, and a second connection.
  std::function<void(host_call& on_tracker, const std::vector<std::string>& hosts, const settle_fn& settle)> collect =
      {};
};

const std::vector<task>& all_tasks();

// Expands task words in order: "murder:X" is X, "deploy" is its pipeline.
// Throws failure(usage) naming an unknown task.
std::vector<const task*> expand_tasks(const std::vector<std::string>& words);

// The hosts a task runs on, each once, in role order.
std::vector<std::string> hosts_for(const task& t, const murder_config& config);

// `cap -T`-style list: one line per task.
std::string task_help();

}  // namespace murder::ctl
