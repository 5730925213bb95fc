#include "murder/ctl/report.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>

namespace murder::ctl {

namespace {

using clock_type = std::chrono::steady_clock;

const char* outcome_name(host_outcome o) {
  switch (o) {
    case host_outcome::ok: return "ok";
    case host_outcome::failed: return "FAILED";
    case host_outcome::skipped: return "skipped";
  }
  return "?";
}

// The error without the "HOST: " its message starts with (the row names the host).
std::string detail(const host_result& r) {
  if (r.outcome != host_outcome::failed) return r.note;
  if (r.error.rfind(r.host + ": ", 0) == 0) return r.error.substr(r.host.size() + 2);
  return r.error;
}

std::vector<std::string> failed_hosts(const std::vector<host_result>& results) {
  std::vector<std::string> hosts;
  for (const auto& r : results) {
    if (r.outcome == host_outcome::failed && std::find(hosts.begin(), hosts.end(), r.host) == hosts.end()) {
      hosts.push_back(r.host);
    }
  }
  return hosts;
}

size_t host_count(const std::vector<host_result>& results) {
  std::set<std::string> hosts;
  for (const auto& r : results) {
    if (r.host != "*") hosts.insert(r.host);
  }
  return hosts.size();
}

std::string json_string(const std::string& s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char escaped[8];
          std::snprintf(escaped, sizeof escaped, "\\u%04x", c);
          out += escaped;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

class progress_display : public run_observer {
 public:
  progress_display(std::FILE* out, bool terminal) : out_(out), terminal_(terminal) {
    if (terminal_) painter_ = std::thread([this] { paint_loop(); });
  }
  ~progress_display() override {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      closing_ = true;
    }
    wake_.notify_all();
    if (painter_.joinable()) painter_.join();
  }

  void task_started(std::string_view task, size_t hosts) override {
    std::lock_guard<std::mutex> lock(mutex_);
    task_ = std::string(task);
    hosts_ = hosts;
    done_ = failed_ = 0;
    bytes_.assign(hosts, 0);
    started_ = clock_type::now();
    last_bytes_ = 0;
    last_sample_ = started_;
    rate_ = 0;
  }
  void host_finished(bool ok) override {
    std::lock_guard<std::mutex> lock(mutex_);
    ++done_;
    if (!ok) ++failed_;
  }
  void host_bytes(size_t host_index, std::uint64_t done, std::uint64_t) override {
    std::lock_guard<std::mutex> lock(mutex_);
    if (host_index < bytes_.size()) bytes_[host_index] = done;
  }
  void task_finished() override {
    std::lock_guard<std::mutex> lock(mutex_);
    double seconds = std::chrono::duration<double>(clock_type::now() - started_).count();
    if (terminal_) std::fputs("\r\033[K", out_);
    std::fprintf(out_, "%s: %zu/%zu hosts ok (%.1f s)\n", task_.c_str(), done_ - failed_, hosts_, seconds);
    std::fflush(out_);
  }

 private:
  void paint_loop() {
    std::unique_lock<std::mutex> lock(mutex_);
    while (!closing_) {
      wake_.wait_for(lock, std::chrono::milliseconds(250));
      if (closing_ || task_.empty() || done_ == hosts_) continue;
      auto now = clock_type::now();
      std::uint64_t total = 0;
      for (auto b : bytes_) total += b;
      double dt = std::chrono::duration<double>(now - last_sample_).count();
      if (dt >= 1.0) {
        rate_ = static_cast<double>(total - std::min(total, last_bytes_)) / dt / 1e6;
        last_bytes_ = total;
        last_sample_ = now;
      }
      double seconds = std::chrono::duration<double>(now - started_).count();
      std::fprintf(out_, "\r%s: %zu/%zu hosts done, %zu failed, %.1f MB/s, %.0f s\033[K", task_.c_str(), done_, hosts_,
                   failed_, rate_, seconds);
      std::fflush(out_);
    }
  }

  std::FILE* out_;
  bool terminal_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread painter_;
  bool closing_ = false;
  std::string task_;
  size_t hosts_ = 0, done_ = 0, failed_ = 0;
  std::vector<std::uint64_t> bytes_;
  clock_type::time_point started_, last_sample_;
  std::uint64_t last_bytes_ = 0;
  double rate_ = 0;
};

}  // namespace

std::unique_ptr<run_observer> make_progress_display(std::FILE* out) {
  return std::make_unique<progress_display>(out, ::isatty(::fileno(out)) != 0);
}

bool all_ok(const std::vector<host_result>& results) {
  return std::none_of(results.begin(), results.end(), [](const host_result& r) { return r.outcome == host_outcome::failed; });
}

void print_table(std::FILE* out, const std::vector<host_result>& results, double seconds, size_t full_rows) {
  size_t host_width = 4, task_width = 4;
  std::map<std::string, size_t> rows_per_task;
  for (const auto& r : results) {
    host_width = std::min<size_t>(40, std::max(host_width, r.host.size()));
    task_width = std::max(task_width, r.task.size());
    ++rows_per_task[r.task];
  }
  int hw = static_cast<int>(host_width), tw = static_cast<int>(task_width);
  std::fprintf(out, "%-*s  %-*s  %-7s  %7s  %s\n", hw, "HOST", tw, "TASK", "RESULT", "SECONDS", "DETAIL");
  std::map<std::string, size_t> hidden;
  for (const auto& r : results) {
    if (rows_per_task[r.task] > full_rows && r.outcome == host_outcome::ok) {
      ++hidden[r.task];
      continue;
    }
    std::fprintf(out, "%-*s  %-*s  %-7s  %7.1f  %s\n", hw, r.host.c_str(), tw, r.task.c_str(), outcome_name(r.outcome),
                 r.seconds, detail(r).c_str());
  }
  for (const auto& [task, count] : hidden) std::fprintf(out, "  ... %s: %zu more hosts ok\n", task.c_str(), count);

  auto failed = failed_hosts(results);
  size_t hosts = host_count(results);
  if (failed.empty()) {
    std::fprintf(out, "murderctl: all %zu hosts ok in %.1f s\n", hosts, seconds);
    return;
  }
  std::string names;
  for (size_t i = 0; i < failed.size() && i < 10; ++i) names += (i ? ", " : "") + failed[i];
  if (failed.size() > 10) names += ", ... (" + std::to_string(failed.size() - 10) + " more)";
  std::fprintf(out, "murderctl: FAILED on %zu of %zu hosts in %.1f s: %s\n", failed.size(), hosts, seconds,
               names.c_str());
}

void print_json(std::FILE* out, const std::vector<host_result>& results, double seconds) {
  std::string text = "{\"ok\": " + std::string(all_ok(results) ? "true" : "false");
  char number[64];
  std::snprintf(number, sizeof number, "%.3f", seconds);
  text += ", \"seconds\": " + std::string(number) + ", \"hosts\": " + std::to_string(host_count(results));
  text += ", \"failed_hosts\": [";
  auto failed = failed_hosts(results);
  for (size_t i = 0; i < failed.size(); ++i) text += (i ? ", " : "") + json_string(failed[i]);
  text += "], \"results\": [";
  for (size_t i = 0; i < results.size(); ++i) {
    const auto& r = results[i];
    std::snprintf(number, sizeof number, "%.3f", r.seconds);
    text += std::string(i ? ",\n  " : "\n  ") + "{\"task\": " + json_string(r.task) + ", \"host\": " +
            json_string(r.host) + ", \"result\": " + json_string(r.outcome == host_outcome::failed ? "failed"
                                                                 : r.outcome == host_outcome::ok ? "ok"
                                                                                                 : "skipped") +
            ", \"seconds\": " + number + ", \"attempts\": " + std::to_string(r.attempts) +
            ", \"error\": " + json_string(r.error) + ", \"detail\": " + json_string(r.note) + "}";
  }
  text += "\n]}\n";
  std::fputs(text.c_str(), out);
}

}  // namespace murder::ctl
