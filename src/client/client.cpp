#include "murder/client/client.hpp"

#include "murder/client/metrics_file.hpp"
#include "murder/client/peer_report.hpp"
#include "murder/client/status_events.hpp"
#include "murder/client/status_file.hpp"
#include "murder/client/tree_peer.hpp"
#include "murder/client/verified_stream.hpp"

#include <libtorrent/torrent_info.hpp>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <future>
#include <optional>

#include "murder/core/archive.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/process.hpp"
#include "murder/core/release_tree.hpp"
#include "murder/core/torrent_file.hpp"

namespace murder::client {

namespace {

// Places a --copy-to payload once it is whole. (An --extract payload is
// extracted while it arrives: see run_peer.)
void place(const peer_job& job, const extract_options& options, std::shared_ptr<spdlog::logger>& log) {
  place_file(job.transfer.saveas, *job.copy_to, options);
  log->info("placed {} at {}", job.transfer.saveas.string(), job.copy_to->string());
}

// Writes a run's figures to the status file beside its pidfile
// (status_file.hpp), and to the --metrics-file when asked (metrics_file.hpp).
// A failed write costs the figures, never the run: it is logged once.
class status_keeper {
 public:
  status_keeper(const std::string& pidfile, const run_labels& labels, std::shared_ptr<spdlog::logger> log)
      : path_(pidfile.empty() ? std::filesystem::path{} : status_path_for(pidfile)), labels_(labels), log_(std::move(log)) {}

  // True when the figures are in the status file. `peers`: connected now.
  bool write(const run_figures& figures, int peers) {
    if (!labels_.metrics_file.empty()) {
      keep(labels_.metrics_file, [&] { write_metrics_file(labels_.metrics_file, figures, labels_.tag, peers); });
    }
    return !path_.empty() && keep(path_, [&] { write_status(path_, figures); });
  }

 private:
  bool keep(const std::filesystem::path& path, const std::function<void()>& write) {
    try {
      write();
      return true;
    } catch (const std::exception& e) {
      if (!warned_) log_->warn("cannot keep figures in {}: {}", path.string(), e.what());
      warned_ = true;
      return false;
    }
  }

  std::filesystem::path path_;
  run_labels labels_;
  std::shared_ptr<spdlog::logger> log_;
  bool warned_ = false;
};

// Keeps the seed's figures while it serves (when they change) and once it stops.
class seed_status {
 public:
  seed_status(const seed_job& job, const transfer& t, std::shared_ptr<spdlog::logger> log)
      : keeper_(job.pidfile, job.labels, std::move(log)), t_(t) {}

  void save(const char* state) {
    run_figures figures = seed_figures(state, t_.total_size(), t_.bytes_uploaded(), t_.request_figures().refused.load());
    const int peers = t_.peer_count();
    const bool same = figures.bytes_uploaded == last_uploaded_ && peers == last_peers_;
    if (std::string(state) == "seeding" && same && saved_once_) return;
    if (!keeper_.write(figures, peers)) return;
    last_uploaded_ = figures.bytes_uploaded;
    last_peers_ = peers;
    saved_once_ = true;
  }

 private:
  status_keeper keeper_;
  const transfer& t_;
  std::uint64_t last_uploaded_ = 0;
  int last_peers_ = 0;
  bool saved_once_ = false;
};

// Keeps a peer's figures in its status file while it downloads (at most once
// a second), and what became of it: murderctl reads them from a peer it
// started detached (--detach).
class peer_status : public progress_reporter {
 public:
  peer_status(const peer_job& job, progress_reporter& shown, std::shared_ptr<spdlog::logger> log)
      : keeper_(job.pidfile, job.labels, log), shown_(shown), log_(std::move(log)) {
    figures_.role = "peer";
    figures_.state = "downloading";
  }

  void update(const transfer_status& s) override {
    shown_.update(s);
    figures_.bytes_done = s.bytes_done;
    figures_.bytes_total = s.bytes_total;
    figures_.bytes_uploaded = s.bytes_uploaded;
    peers_ = s.peers;
    auto now = std::chrono::steady_clock::now();
    if (now - saved_ < std::chrono::seconds(1)) return;
    saved_ = now;
    save();
  }
  void finish(const transfer_status& s) override {
    shown_.finish(s);
    figures_.bytes_done = s.bytes_done;
    figures_.bytes_total = s.bytes_total;
  }
  void starting(std::uint64_t total) {
    figures_.bytes_total = total;
    save();
  }
  // With a key, the final event also goes to the torrent's first tracker.
  void report_to(const lt::torrent_info& info, const std::string& key) {
    if (key.empty() || info.trackers().empty()) return;
    report_key_ = key;
    tracker_url_ = info.trackers().front().url;
    hash_ = info.info_hashes().v1;
  }
  void done(const done_event& done) {
    figures_.state = "done";
    figures_.bytes_done = figures_.bytes_total = done.bytes;
    figures_.bytes_from_peers = done.bytes_from_peers;
    figures_.download_seconds = done.download_seconds;
    figures_.deliver_seconds = done.deliver_seconds;
    save();
    report(to_json_line(done));
  }
  void failed(exit_code code, const std::string& why) {
    figures_.state = "failed";
    figures_.exit_code = static_cast<int>(code);
    figures_.error = why;
    save();
    report(to_json_line(failed_event{static_cast<int>(code), why}));
  }

 private:
  void save() { keeper_.write(figures_, peers_); }
  void report(const std::string& line) {
    if (report_key_.empty()) return;
    std::string why = send_peer_report(tracker_url_, hash_, report_key_, line);
    if (why.empty()) {
      log_->info("reported the result to {}", tracker_url_);
    } else {
      log_->warn("could not report the result to {}: {} (murderctl asks this host instead)", tracker_url_, why);
    }
  }

  status_keeper keeper_;
  progress_reporter& shown_;
  std::shared_ptr<spdlog::logger> log_;
  std::string report_key_, tracker_url_;
  lt::sha1_hash hash_;
  run_figures figures_;
  int peers_ = 0;
  std::chrono::steady_clock::time_point saved_{};
};

// Where a tree torrent's release goes: the --extract or --destination
// directory, else SAVEAS.
const std::filesystem::path& tree_target(const peer_job& job) {
  return job.extract_to ? *job.extract_to : job.transfer.saveas;
}

// A tree torrent's release, delivered (tree_peer.hpp) at tree_target.
std::unique_ptr<transfer> deliver_tree(const peer_job& job, const extract_options& options, progress_reporter& progress,
                                       std::shared_ptr<spdlog::logger> log) {
  const auto& target = tree_target(job);
  auto t = deliver_release_tree(job, target, options, progress, log);
  log->info("delivered the release tree into {}", target.string());
  return t;
}

// A tgz torrent's payload, downloaded to SAVEAS and extracted as it arrives,
// or placed whole at --copy-to.
std::unique_ptr<transfer> deliver_payload(const peer_job& job, const extract_options& options,
                                          progress_reporter& status, std::shared_ptr<spdlog::logger> log,
                                          std::chrono::steady_clock::time_point& downloaded) {
  auto owned = std::make_unique<transfer>(job.transfer, log);
  transfer& t = *owned;
  // Extraction reads the verified front of the tarball while the rest arrives,
  // so that little is left to unpack after the last piece.
  std::atomic<bool> abandon{false};
  std::optional<verified_stream> stream;
  std::future<extract_result> extraction;
  if (job.extract_to) {
    stream.emplace(t, job.transfer.saveas, abandon);
    extraction = std::async(std::launch::async, [&] {
      return extract_archive(*stream, job.transfer.saveas.string(), *job.extract_to, options);
    });
  }
  try {
    t.download(status);
  } catch (...) {
    abandon = true;
    if (extraction.valid()) extraction.wait();  // its own failure is only a consequence
    throw;
  }
  downloaded = std::chrono::steady_clock::now();
  if (extraction.valid()) {
    auto result = extraction.get();
    log->info("extracted {} entries ({} bytes) into {}", result.entries, result.bytes, job.extract_to->string());
  } else if (job.copy_to) {
    place(job, options, log);
  }
  return owned;
}

int download_and_deliver(const peer_job& job, bool tree, const extract_options& options, peer_status& status,
                         std::chrono::steady_clock::time_point started, std::shared_ptr<spdlog::logger> log,
                         std::optional<background_child>& child) {
  // A tree's files arrive in place: its delivery is the manifest and the swap.
  std::chrono::steady_clock::time_point downloaded;
  auto delivered = tree ? deliver_tree(job, options, status, log) : deliver_payload(job, options, status, log, downloaded);
  if (tree) downloaded = std::chrono::steady_clock::now();
  transfer& t = *delivered;
  auto seconds = [](auto from, auto to) { return std::chrono::duration<double>(to - from).count(); };
  const auto& where = tree ? tree_target(job) : job.transfer.saveas;
  done_event done{where.string(), t.total_size(), t.bytes_downloaded(), seconds(started, downloaded),
                  seconds(downloaded, std::chrono::steady_clock::now())};
  if (job.json) {
    std::printf("%s\n", to_json_line(done).c_str());
  } else {
    std::printf("murder_client: %s complete and verified: %s\n", done.path.c_str(), describe(done).c_str());
  }
  std::fflush(stdout);
  status.done(done);
  if (child && !child->reported()) child->report(0);
  t.serve_until(std::chrono::steady_clock::now() + std::chrono::seconds(job.seed_after));
  return 0;
}

}  // namespace

int run_peer(const peer_job& job, std::shared_ptr<spdlog::logger> log) {
  // Everything that can be checked before a long download is checked first.
  extract_options options{job.replace_existing, job.host};
  if (job.extract_to) check_extract_target(*job.extract_to, options);
  if (job.copy_to) check_place_target(*job.copy_to, options);
  if (job.check_only) return 0;
  if (job.detach && job.pidfile.empty()) {
    throw failure(exit_code::usage, "--detach needs a pidfile (--pidfile, or --home and --tag): its status file says how it went");
  }
  auto info = load_torrent(job.transfer.torrent);
  const bool tree = is_tree_torrent(*info);
  if (tree && job.copy_to) {
    throw failure(exit_code::usage, "torrent " + job.transfer.torrent.string() +
                                        " carries a release tree, a directory: --copy-to and --file-name take a single file");
  }
  if (tree && !job.extract_to) check_extract_target(tree_target(job), options);
  if (!tree) claim_payload_file(job.transfer.saveas);
  peer_job loaded = job;  // the torrent read once
  loaded.transfer.info = info;
  std::optional<background_child> child;
  if (job.detach || (job.seed_after > 0 && !job.foreground)) child = detach("murder_client");
  pidfile pid;
  if (!job.pidfile.empty()) pid.create(job.pidfile);
  install_stop_signals();

  auto started = std::chrono::steady_clock::now();
  auto interval = std::chrono::seconds(job.status_interval);
  auto shown = job.json ? make_json_progress_reporter(stdout, interval) : make_progress_reporter(stderr, interval);
  peer_status status(job, *shown, log);
  status.report_to(*info, job.report_key);
  status.starting(payload_bytes(*info));
  // Detached: the caller goes on now and follows the status file.
  if (job.detach) child->report(0);
  try {
    return download_and_deliver(loaded, tree, options, status, started, log, child);
  } catch (const failure& e) {
    status.failed(e.code(), e.what());
    throw;
  } catch (const std::exception& e) {
    status.failed(exit_code::failure, e.what());
    throw;
  }
}

int run_seed(const seed_job& job, std::shared_ptr<spdlog::logger> log) {
  auto say_running = [&](pid_t running) {
    if (job.json) {
      std::printf("%s\n", to_json_line(status_event{job.pidfile, true, static_cast<long long>(running),
                                                    read_status(status_path_for(job.pidfile))})
                              .c_str());
    } else {
      std::printf("murder_client: already running: pid %d, %s\n", static_cast<int>(running), job.pidfile.c_str());
    }
    std::fflush(stdout);
    return 0;
  };
  if (job.unless_running && !job.pidfile.empty()) {
    if (auto running = read_live_pid(job.pidfile)) return say_running(*running);
  }
  load_torrent(job.transfer.torrent);
  std::optional<background_child> child;
  if (job.daemon) child = detach("murder_client");
  pidfile pid;
  try {
    if (!job.pidfile.empty()) pid.create(job.pidfile);
  } catch (const already_running& e) {
    if (!job.unless_running) throw;
    say_running(e.pid);  // another start won the race since the look above
    if (child) child->report(0);
    return 0;
  }
  install_stop_signals();

  transfer t(job.transfer, log);
  t.verify_for_seeding();
  if (job.announce_timeout > 0) t.wait_announced(std::chrono::seconds(job.announce_timeout));
  if (job.json) {
    std::printf("%s\n", to_json_line(seeding_event{job.transfer.saveas.string(), t.total_size()}).c_str());
  } else {
    std::printf("murder_client: seeding %s\n", job.transfer.saveas.c_str());
  }
  std::fflush(stdout);
  log->info("seeding {}", job.transfer.saveas.string());
  seed_status status(job, t, log);
  status.save("seeding");
  if (child) child->report(0);
  t.serve_until(std::chrono::steady_clock::time_point::max(), [&] { status.save("seeding"); });
  status.save("stopped");
  double copies = static_cast<double>(t.bytes_uploaded()) / static_cast<double>(std::max<std::uint64_t>(1, t.total_size()));
  const auto& requests = t.request_figures();
  log->info("stopped seeding {} after uploading {} bytes ({:.2f} copies of its {} bytes); requests served {}, refused {}, "
            "served to a starving peer {}",
            job.transfer.saveas.string(), t.bytes_uploaded(), copies, t.total_size(), requests.served.load(),
            requests.refused.load(), requests.served_starving.load());
  return 0;
}

}  // namespace murder::client
