#include "murder/ctl/runner.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <functional>
#include <map>
#include <system_error>
#include <thread>

#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "murder/ctl/remote_quote.hpp"
#include "murder/ctl/transport.hpp"

namespace murder::ctl {

namespace fs = std::filesystem;
using clock_type = std::chrono::steady_clock;

bool worth_retrying(exit_code code) { return code == exit_code::network || code == exit_code::failure; }

namespace {

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

std::string log_name(const std::string& host) {
  std::string name = host;
  std::replace(name.begin(), name.end(), '/', '_');
  return name + ".log";
}

// A host's connection, opened when a body first uses it: a finish phase
// with nothing to do on a host does not connect to it.
class connect_on_use : public host_connection {
 public:
  connect_on_use(transport& hosts, const std::string& host) : hosts_(hosts), host_(host) {}
  command_result run(const std::string& command, std::chrono::seconds timeout, const line_sink& on_line) override {
    return open().run(command, timeout, on_line);
  }
  void upload(std::string_view contents, const std::string& remote_path, unsigned mode) override {
    open().upload(contents, remote_path, mode);
  }
  std::string download(const std::string& remote_path) override { return open().download(remote_path); }

 private:
  // A failed connect is not tried again by the same body (a body that
  // catches a failed upload and tries something else would wait out a dead
  // host's timeout twice).
  host_connection& open() {
    if (failed_) std::rethrow_exception(failed_);
    if (!connection_) {
      try {
        connection_ = hosts_.connect(host_);
      } catch (...) {
        failed_ = std::current_exception();
        throw;
      }
    }
    return *connection_;
  }
  transport& hosts_;
  const std::string& host_;
  std::unique_ptr<host_connection> connection_;
  std::exception_ptr failed_;
};

class task_run {
 public:
  // `first_index`: where this task's hosts start in the display's count (tasks
  // run side by side share it).
  task_run(const task& t, task_env& env, const run_options& options, run_observer& observer,
           const std::map<std::string, host_log>& logs, size_t first_index = 0)
      : task_(t), env_(env), options_(options), observer_(observer), logs_(logs), first_index_(first_index) {}

  std::vector<host_result> run(const std::vector<std::string>& hosts) {
    std::vector<host_result> results(hosts.size());
    const bool two_phases = static_cast<bool>(task_.finish);
    in_pool(hosts.size(), [&](size_t i) { results[i] = run_host(hosts[i], i, !two_phases); });
    if (two_phases) {
      std::vector<bool> settled(hosts.size(), false);
      if (task_.collect && hosts.size() > static_cast<size_t>(std::max(1, options_.concurrency))) {
        collect(hosts, results, settled);
      }
      in_pool(hosts.size(), [&](size_t i) {
        if (!settled[i]) finish_host(hosts[i], i, results[i]);
      });
    }
    return results;
  }

 private:
  // The task's collect step (tasks.hpp) on the first tracker: settles the
  // hosts whose results it learns there. A failure only leaves them to
  // their finish.
  void collect(const std::vector<std::string>& hosts, std::vector<host_result>& results, std::vector<bool>& settled) {
    if (env_.config.trackers.empty()) return;
    const std::string& tracker = env_.config.trackers.front();
    static const host_log no_log;
    auto log_it = logs_.find(tracker);
    const host_log& log = log_it == logs_.end() ? no_log : log_it->second;
    transport_log_scope library_messages([&log](std::string_view line) { log.write(line); });
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < hosts.size(); ++i) index.emplace(hosts[i], i);
    const auto started = clock_type::now();
    try {
      connect_on_use connection(env_.hosts, tracker);
      host_call call(env_, tracker, connection, log);
      task_.collect(call, hosts, [&](const std::string& host, const collected_result& c) {
        auto it = index.find(host);
        if (it == index.end() || settled[it->second] || results[it->second].outcome != host_outcome::ok) return;
        settled[it->second] = true;
        host_result& r = results[it->second];
        r.seconds += seconds_since(started);
        if (c.ok) {
          r.note = c.note;
        } else {
          r.outcome = host_outcome::failed;
          r.error = c.error;
        }
        logs_.at(host).write("== " + r.task + (c.ok ? " ok (reported through the tracker): " + r.note
                                                    : " failed (reported through the tracker): " + r.error));
        observer_.host_finished(c.ok);
      });
    } catch (const std::exception& e) {
      log.write(std::string("== collecting results on the tracker failed; asking each host: ") + e.what());
    }
  }

  // Runs `body(i)` for every index, `concurrency` at a time.
  void in_pool(size_t count, const std::function<void(size_t)>& body) {
    std::atomic<size_t> next{0};
    auto worker = [&] {
      for (size_t i; (i = next++) < count;) body(i);
    };
    size_t workers = std::min(count, static_cast<size_t>(std::max(1, options_.concurrency)));
    std::vector<std::thread> threads;
    for (size_t w = 1; w < workers; ++w) threads.emplace_back(worker);
    worker();
    for (auto& t : threads) t.join();
  }

  // One attempt of `body` on `host`; fills the row's note or error.
  exit_code attempt(const std::string& host, size_t index, const host_log& log,
                    const std::function<std::string(host_call&)>& body, host_result& r) {
    transport_log_scope library_messages([&log](std::string_view line) { log.write(line); });
    try {
      connect_on_use connection(env_.hosts, host);
      host_call call(env_, host, connection, log,
                     [&](std::uint64_t done, std::uint64_t total) {
                       observer_.host_bytes(first_index_ + index, done, total);
                     });
      r.note = body(call);
      r.outcome = host_outcome::ok;
      r.error.clear();
      return exit_code::ok;
    } catch (const failure& e) {
      r.error = e.what();
      r.outcome = host_outcome::failed;
      return e.code();
    } catch (const std::exception& e) {
      r.error = host + ": " + e.what();
      r.outcome = host_outcome::failed;
      return exit_code::failure;
    }
  }

  // After a failed attempt: logs it, and when another is allowed and worth it,
  // waits the retry delay and says so.
  bool try_again(exit_code code, const host_result& r, const host_log& log) {
    log.write("== " + r.task + " failed: " + r.error);
    if (r.attempts > options_.retries || !worth_retrying(code)) return false;
    log.write("== retrying in " + std::to_string(options_.retry_delay.count()) + " s");
    std::this_thread::sleep_for(options_.retry_delay);
    return true;
  }

  host_result run_host(const std::string& host, size_t index, bool last_phase) {
    const host_log& log = logs_.at(host);
    host_result r;
    r.task = std::string(task_.name);
    r.host = host;
    auto started = clock_type::now();
    for (r.attempts = 1;; ++r.attempts) {
      log.write("== " + r.task + " (attempt " + std::to_string(r.attempts) + ")");
      exit_code code = attempt(host, index, log, task_.on_host, r);
      if (code == exit_code::ok) {
        log.write("== " + r.task + (last_phase ? " ok: " : " started: ") + r.note);
        break;
      }
      if (!try_again(code, r, log)) break;
    }
    r.seconds = seconds_since(started);
    if (last_phase || r.outcome != host_outcome::ok) observer_.host_finished(r.outcome == host_outcome::ok);
    return r;
  }

  // The second phase on a host whose first went well; a failure worth retrying
  // runs both phases again there.
  void finish_host(const std::string& host, size_t index, host_result& r) {
    if (r.outcome != host_outcome::ok) return;
    const host_log& log = logs_.at(host);
    auto started = clock_type::now();
    for (;;) {
      const std::string first_note = r.note;
      exit_code code = attempt(host, index, log, task_.finish, r);
      if (code == exit_code::ok) {
        if (r.note.empty()) r.note = first_note;
        log.write("== " + r.task + " ok: " + r.note);
        break;
      }
      if (!try_again(code, r, log)) break;
      ++r.attempts;
      log.write("== " + r.task + " (attempt " + std::to_string(r.attempts) + ")");
      if (attempt(host, index, log, task_.on_host, r) != exit_code::ok) {
        log.write("== " + r.task + " failed: " + r.error);
        break;
      }
    }
    r.seconds += seconds_since(started);
    observer_.host_finished(r.outcome == host_outcome::ok);
  }

  const task& task_;
  task_env& env_;
  const run_options& options_;
  run_observer& observer_;
  const std::map<std::string, host_log>& logs_;
  size_t first_index_;
};

// Connects, on background threads, to the hosts that only a later task of the
// plan reaches, while the earlier tasks run: a deploy's peers are ready when
// the seeder has packed and started. At most `most` hosts (what the connection
// pool keeps); joined on destruction.
class connecting_ahead {
 public:
  connecting_ahead(const std::vector<const task*>& plan, task_env& env, std::size_t most,
                   const std::map<std::string, host_log>& logs) {
    std::vector<std::string> reached;
    for (std::size_t k = 0; k < plan.size(); ++k) {
      for (const auto& host : hosts_for(*plan[k], env.config)) {
        if (std::find(reached.begin(), reached.end(), host) != reached.end()) continue;
        reached.push_back(host);
        if (k > 0 && hosts_.size() < most) hosts_.push_back(host);
      }
    }
    try {
      for (std::size_t w = 0; w < hosts_.size(); ++w) {
        threads_.emplace_back([this, &env, &logs] {
          for (std::size_t i; (i = next_++) < hosts_.size();) {
            const host_log& log = logs.at(hosts_[i]);
            transport_log_scope library_messages([&log](std::string_view line) { log.write(line); });
            try {
              env.hosts.prepare(hosts_[i]);
            } catch (...) {
              // Only a head start: the task that needs the host connects itself.
            }
          }
        });
      }
    } catch (const std::system_error&) {
      // No more threads: the ones started connect to every host.
    }
  }
  ~connecting_ahead() {
    for (auto& t : threads_) t.join();
  }
  connecting_ahead(const connecting_ahead&) = delete;
  connecting_ahead& operator=(const connecting_ahead&) = delete;

 private:
  std::vector<std::string> hosts_;
  std::atomic<std::size_t> next_{0};
  std::vector<std::thread> threads_;
};

host_result task_row(const task& t, host_outcome outcome, std::string error, std::string note) {
  host_result r;
  r.task = std::string(t.name);
  r.host = "*";
  r.outcome = outcome;
  r.error = std::move(error);
  r.note = std::move(note);
  return r;
}

// Consecutive tasks that run at the same time, each on its own hosts, since
// neither needs what the other does: the tracker starts while the seeder
// packs (a starting tracker reads its directory of torrents when it changes);
// the peers and the seeder stop together; the tracker stops while the
// temporary files go, once nothing announces to it.
bool runs_beside(std::string_view first, std::string_view second) {
  static const std::pair<std::string_view, std::string_view> pairs[] = {
      {"start_tracker", "create_torrent"}, {"stop_peering", "stop_seeding"}, {"stop_tracker", "clean_temp_files"}};
  return std::any_of(std::begin(pairs), std::end(pairs), [&](const auto& p) {
    return (p.first == first && p.second == second) || (p.first == second && p.second == first);
  });
}

// Runs `group` (one task, or two that run_beside) and appends its rows in the
// group's order; `failed` says whether a task has failed so far (later tasks
// are then skipped, but for the stops and cleanups).
void run_together(const std::vector<const task*>& group, task_env& env, const run_options& options,
                  run_observer& observer, const std::map<std::string, host_log>& logs,
                  std::vector<host_result>& results, bool& failed) {
  std::vector<std::vector<host_result>> rows(group.size());
  std::vector<std::vector<std::string>> hosts(group.size());
  std::vector<bool> runs(group.size(), false);
  std::string name;
  size_t host_count = 0;
  for (std::size_t k = 0; k < group.size(); ++k) {
    const task& t = *group[k];
    if (failed && !t.cleanup) {
      rows[k].push_back(task_row(t, host_outcome::skipped, "", "skipped: an earlier task failed"));
      continue;
    }
    if (t.prepare) {
      try {
        t.prepare(env);
      } catch (const failure& e) {
        rows[k].push_back(task_row(t, host_outcome::failed, e.what(), ""));
        failed = true;
        continue;
      }
    }
    runs[k] = true;
    hosts[k] = hosts_for(t, env.config);
    name += (name.empty() ? "" : " + ") + std::string(t.name);
    host_count += hosts[k].size();
  }
  if (!name.empty()) {
    observer.task_started(name, host_count);
    std::vector<std::exception_ptr> thrown(group.size());
    std::vector<std::thread> beside;
    size_t first_index = 0;
    for (std::size_t k = 0; k < group.size(); ++k) {
      if (!runs[k]) continue;
      auto body = [&, k, first_index] {
        try {
          rows[k] = task_run(*group[k], env, options, observer, logs, first_index).run(hosts[k]);
        } catch (...) {
          thrown[k] = std::current_exception();
        }
      };
      first_index += hosts[k].size();
      if (k + 1 < group.size()) {
        beside.emplace_back(body);
      } else {
        body();
      }
    }
    for (auto& t : beside) t.join();
    observer.task_finished();
    for (const auto& e : thrown) {
      if (e) std::rethrow_exception(e);
    }
  }
  for (auto& task_rows : rows) {
    for (auto& row : task_rows) {
      failed = failed || (row.outcome != host_outcome::ok && row.outcome != host_outcome::skipped);
      results.push_back(std::move(row));
    }
  }
}

}  // namespace

std::vector<host_result> run_tasks(const std::vector<const task*>& plan, task_env& env, const run_options& options,
                                   run_observer& observer) {
  // Every value is checked before any host is touched.
  for (const task* t : plan) {
    if (t->needs_tag) validate_tag(env.values.tag);
    if (t->check) t->check(env);
  }
  std::map<std::string, host_log> logs;
  if (!options.log_dir.empty()) fs::create_directories(options.log_dir);
  for (const task* t : plan) {
    auto hosts = hosts_for(*t, env.config);
    // A task that collects on the first tracker logs that there too.
    if (t->collect && !env.config.trackers.empty()) hosts.push_back(env.config.trackers.front());
    for (const auto& host : hosts) {
      logs.try_emplace(host, options.log_dir.empty() ? host_log() : host_log(options.log_dir / log_name(host)));
    }
  }

  // As many as the pool keeps beside the connections of the first task (and
  // of the one beside it).
  std::size_t first_hosts = plan.empty() ? 0 : hosts_for(*plan[0], env.config).size();
  if (plan.size() > 1 && runs_beside(plan[0]->name, plan[1]->name)) first_hosts += hosts_for(*plan[1], env.config).size();
  const std::size_t keep = static_cast<std::size_t>(std::max(1, options.concurrency));
  connecting_ahead ahead(plan, env, keep > first_hosts ? keep - first_hosts : 0, logs);
  std::vector<host_result> results;
  bool failed = false;
  for (std::size_t i = 0; i < plan.size();) {
    const std::size_t together = i + 1 < plan.size() && runs_beside(plan[i]->name, plan[i + 1]->name) ? 2 : 1;
    run_together({plan.begin() + static_cast<long>(i), plan.begin() + static_cast<long>(i + together)}, env, options,
                 observer, logs, results, failed);
    i += together;
  }
  return results;
}

}  // namespace murder::ctl
