#include "murder/client/transfer.hpp"

#include <sys/resource.h>
#include <sys/stat.h>

#include <libtorrent/add_torrent_params.hpp>
#include <libtorrent/alert_types.hpp>
#include <libtorrent/posix_disk_io.hpp>
#include <libtorrent/session.hpp>
#include <libtorrent/session_params.hpp>
#include <libtorrent/session_stats.hpp>
#include <libtorrent/torrent_handle.hpp>
#include <libtorrent/torrent_info.hpp>
#include <libtorrent/torrent_status.hpp>

#include <csignal>
#include <map>

#include "murder/core/address.hpp"
#include "murder/core/error.hpp"
#include "murder/core/release_tree.hpp"
#include "murder/core/torrent_file.hpp"

namespace murder::client {

namespace fs = std::filesystem;
namespace lt = libtorrent;
using clock_type = std::chrono::steady_clock;

namespace {

volatile std::sig_atomic_t stop_flag = 0;
extern "C" void on_stop_signal(int) { stop_flag = 1; }

std::string megabytes(std::int64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// Fails at once, with the reason a write would give, when the filesystem
// that is to hold `payload` (a file, or a tree's directory) cannot take
// `still_to_write` more bytes. libtorrent's posix back end (transfer_options::
// disk_thread) makes files as blocks arrive, so a full disk would otherwise
// show only part-way through the download.
void check_room(const fs::path& payload, bool directory, std::uint64_t still_to_write) {
  std::error_code ec;
  const auto space = fs::space(directory ? payload : payload.parent_path(), ec);
  if (ec || space.available >= still_to_write) return;
  throw failure(exit_code::disk, "cannot write " + payload.string() + ": No space left on device (" +
                                     megabytes(static_cast<std::int64_t>(still_to_write)) + " to come, " +
                                     megabytes(static_cast<std::int64_t>(space.available)) + " free)");
}

}  // namespace

void install_stop_signals() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

bool stop_requested() { return stop_flag != 0; }

struct transfer::impl {
  transfer_options options;
  std::shared_ptr<spdlog::logger> log;
  std::shared_ptr<const lt::torrent_info> info;
  bool tree = false;  // a tree torrent (release_tree.hpp)
  std::shared_ptr<one_copy_figures> figures = std::make_shared<one_copy_figures>();
  std::unique_ptr<lt::session> session;
  lt::torrent_handle handle;
  // The last word of each tracker (url: "ok, N peers" or the error).
  std::map<std::string, std::string> tracker_notes;
  std::string storage_error;
  bool checked = false;
  bool announced = false;
  int hash_failures = 0;
  clock_type::time_point last_reannounce = clock_type::now();
  // What the torrent had moved before set_aside() took it out (serve_from adds it again).
  std::pair<std::uint64_t, std::uint64_t> figures_before_relocation{0, 0};

  // What the trackers said last, one "url: word" each, for error messages.
  std::string tracker_note() const {
    std::string note;
    for (const auto& t : info->trackers()) {
      auto said = tracker_notes.find(t.url);
      note += (note.empty() ? "" : "; ") + t.url + ": " + (said == tracker_notes.end() ? "no reply yet" : said->second);
    }
    return note.empty() ? "no tracker in the torrent" : note;
  }

  // Handles what the session has to say; returns after at most `wait`.
  void pump(std::chrono::milliseconds wait) {
    session->wait_for_alert(wait);
    std::vector<lt::alert*> alerts;
    session->pop_alerts(&alerts);
    for (lt::alert* a : alerts) {
      // What the torrent set aside (set_aside) still says of its old place is no news.
      const auto* about = dynamic_cast<lt::torrent_alert*>(a);
      if (about && about->handle != handle) continue;
      if (auto* file_error = lt::alert_cast<lt::file_error_alert>(a)) {
        const std::string file = file_error->filename();
        storage_error = "cannot write " + (file.empty() ? options.saveas.string() : file) + ": " +
                        file_error->error.message();
      } else if (auto* torrent_error = lt::alert_cast<lt::torrent_error_alert>(a)) {
        storage_error = "cannot use " + options.saveas.string() + ": " + torrent_error->error.message();
      } else if (auto* tracker_error = lt::alert_cast<lt::tracker_error_alert>(a)) {
        std::string reason = tracker_error->error_message();
        std::string url = tracker_error->tracker_url();
        const std::string& note = tracker_notes[url] = reason.empty() ? tracker_error->error.message() : reason;
        log->warn("tracker {}: {}", url, note);
      } else if (auto* reply = lt::alert_cast<lt::tracker_reply_alert>(a)) {
        std::string url = reply->tracker_url();
        const std::string& note = tracker_notes[url] = "ok, " + std::to_string(reply->num_peers) + " peers";
        log->info("tracker {}: {}", url, note);
        announced = true;
      } else if (lt::alert_cast<lt::hash_failed_alert>(a)) {
        ++hash_failures;
        log->warn("{}", a->message());
      } else if (lt::alert_cast<lt::peer_ban_alert>(a)) {
        log->warn("{}", a->message());
      } else if (lt::alert_cast<lt::torrent_checked_alert>(a)) {
        checked = true;
      } else if (lt::alert_cast<lt::listen_failed_alert>(a)) {
        log->warn("{}", a->message());
      }
    }
    if (!storage_error.empty()) throw failure(exit_code::disk, storage_error);
  }

  transfer_status status_of(const lt::torrent_status& st) const {
    transfer_status s;
    s.name = info->name();
    s.bytes_done = static_cast<std::uint64_t>(st.total_wanted_done);
    s.bytes_total = static_cast<std::uint64_t>(st.total_wanted);
    s.download_rate = st.download_payload_rate;
    s.upload_rate = st.upload_payload_rate;
    s.bytes_uploaded = static_cast<std::uint64_t>(st.total_payload_upload);
    s.peers = st.num_peers;
    s.seeds = st.num_seeds;
    s.checking = st.state == lt::torrent_status::checking_files || st.state == lt::torrent_status::checking_resume_data;
    return s;
  }

  // What a download into `saveas` still has to write: the payload less the
  // pieces in place and, for a single file, what it already holds (a resume).
  std::uint64_t bytes_to_come(const fs::path& saveas, const std::vector<bool>& have_pieces) const {
    std::uint64_t total = payload_bytes(*info), have = 0;
    const auto& files = info->files();
    for (int i = 0; i < info->num_pieces() && i < static_cast<int>(have_pieces.size()); ++i) {
      if (!have_pieces[static_cast<size_t>(i)]) continue;
      const lt::piece_index_t piece{i};
      for (const auto& slice : files.map_block(piece, 0, info->piece_size(piece))) {
        if (!files.pad_file_at(slice.file_index)) have += static_cast<std::uint64_t>(slice.size);  // pads take no room
      }
    }
    struct stat st {};
    if (!tree && ::stat(saveas.c_str(), &st) == 0) have = std::max<std::uint64_t>(have, static_cast<std::uint64_t>(st.st_blocks) * 512);
    return total > have ? total - have : 0;
  }

  // Adds the torrent to the session, its files at `saveas`: a tree torrent's
  // straight below that directory, without the torrent's name.
  void add(const fs::path& saveas, bool seed_mode, const std::vector<bool>& have_pieces, bool read_only = false) {
    // A download on the posix back end, which makes files as blocks arrive (a
    // seed checking its payload writes nothing).
    if (!seed_mode && !read_only && !options.disk_thread) check_room(saveas, tree, bytes_to_come(saveas, have_pieces));
    lt::add_torrent_params atp;
    // The session gets its own copy: libtorrent's thread changes it (file renames)
    // while this thread reads names and trackers from ours.
    atp.ti = std::make_shared<lt::torrent_info>(*info);
    if (tree) {
      atp.save_path = saveas.string();
      for (int i = 0; i < info->num_files(); ++i) {
        if (auto path = release_path(*info, i); !path.empty()) atp.renamed_files[lt::file_index_t{i}] = path;
      }
    } else {
      atp.save_path = saveas.parent_path().string();
      if (saveas.filename().string() != info->name()) atp.renamed_files[lt::file_index_t{0}] = saveas.filename().string();
    }
    if (!have_pieces.empty()) {
      atp.have_pieces.resize(info->num_pieces(), false);
      for (int i = 0; i < info->num_pieces() && i < static_cast<int>(have_pieces.size()); ++i) {
        if (have_pieces[static_cast<size_t>(i)]) atp.have_pieces.set_bit(lt::piece_index_t{i});
      }
      // The pieces were verified as they were written into a directory made
      // for this transfer: libtorrent need not look at its files again.
      atp.flags |= lt::torrent_flags::no_verify_files;
    }
    atp.storage_mode = lt::storage_mode_allocate;
    atp.flags &= ~(lt::torrent_flags::auto_managed | lt::torrent_flags::paused);
    if (seed_mode) atp.flags |= lt::torrent_flags::seed_mode;
    if (read_only) atp.flags |= lt::torrent_flags::upload_mode;
    if (options.one_copy) atp.extensions.push_back(one_copy_extension(info->num_pieces(), figures));
    if (!seed_mode && options.max_connections > 0) atp.max_connections = options.max_connections;
    lt::error_code ec;
    handle = session->add_torrent(std::move(atp), ec);
    if (ec) throw failure(exit_code::bad_input, "cannot start " + options.torrent.string() + ": " + ec.message());
  }

  // Waits (up to 30 s) for libtorrent to say it did what `Done` reports; false
  // when it did not say so in time. A file error on the way is thrown:
  // failure(disk).
  template <typename Done>
  bool wait_for() {
    auto deadline = clock_type::now() + std::chrono::seconds(30);
    while (clock_type::now() < deadline) {
      session->wait_for_alert(std::chrono::milliseconds(200));
      std::vector<lt::alert*> alerts;
      session->pop_alerts(&alerts);
      for (lt::alert* a : alerts) {
        if (lt::alert_cast<Done>(a)) return true;
        if (auto* e = lt::alert_cast<lt::file_error_alert>(a)) {
          throw failure(exit_code::disk, "cannot write " + options.saveas.string() + ": " + e->error.message());
        }
      }
    }
    return false;
  }

  void flush() {
    handle.flush_cache();
    wait_for<lt::cache_flushed_alert>();
  }

  // The process's CPU time so far and its context switches: what a host paid.
  static std::string cpu_figures() {
    rusage usage{};
    if (getrusage(RUSAGE_SELF, &usage) != 0) return "cpu unknown";
    auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6; };
    return fmt::format("cpu user {:.2f} s system {:.2f} s, context switches {} voluntary {} involuntary",
                       seconds(usage.ru_utime), seconds(usage.ru_stime), usage.ru_nvcsw, usage.ru_nivcsw);
  }

  // One log line of what went over the wire: the peer-protocol messages by
  // kind, sent and received, and the bytes of payload against all bytes. For
  // an operator who wonders where a host's CPU or bandwidth went.
  void log_wire_figures() {
    session->post_session_stats();
    auto deadline = clock_type::now() + std::chrono::seconds(2);
    while (clock_type::now() < deadline) {
      session->wait_for_alert(std::chrono::milliseconds(100));
      std::vector<lt::alert*> alerts;
      session->pop_alerts(&alerts);
      for (lt::alert* a : alerts) {
        auto* stats = lt::alert_cast<lt::session_stats_alert>(a);
        if (!stats) continue;
        const auto counters = stats->counters();
        auto value = [&](const char* name) -> std::int64_t {
          const int at = lt::find_metric_idx(name);
          return at < 0 ? 0 : counters[at];
        };
        std::string line = "wire:";
        for (const char* way : {"outgoing", "incoming"}) {
          line += std::string(way == std::string("outgoing") ? " sent" : "; received");
          for (const char* kind : {"have", "request", "piece", "cancel", "reject", "choke", "unchoke", "bitfield"}) {
            line += " " + std::string(kind) + " " + std::to_string(value(("ses.num_" + std::string(way) + "_" + kind).c_str()));
          }
        }
        line += "; sent " + std::to_string(value("net.sent_bytes")) + " bytes (" + std::to_string(value("net.sent_payload_bytes")) +
                " payload), received " + std::to_string(value("net.recv_bytes")) + " (" + std::to_string(value("net.recv_payload_bytes")) + " payload)";
        line += "; " + cpu_figures();
        log->info("{}", line);
        return;
      }
    }
  }
};

transfer::transfer(const transfer_options& options, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<impl>()) {
  impl_->options = options;
  impl_->log = std::move(log);
  impl_->info = options.info ? options.info : load_torrent(options.torrent);
  impl_->tree = is_tree_torrent(*impl_->info);
  const auto& trackers = impl_->info->trackers();
  impl_->options.session.ip = resolve_host_address(options.session.ip, trackers.empty() ? "" : url_host(trackers.front().url));
  if (impl_->options.session.ip != options.session.ip) {
    impl_->options.session.every_interface = true;
    impl_->log->info("listening on and announcing {} for {}", impl_->options.session.ip, options.session.ip);
  }
  fs::path saveas = fs::absolute(options.saveas);
  lt::session_params params(make_settings(impl_->options.session));
  params.settings.set_int(lt::settings_pack::stop_tracker_timeout, 2);
  if (!options.disk_thread) params.disk_io_constructor = lt::posix_disk_io_constructor;
  impl_->session = std::make_unique<lt::session>(std::move(params));
  impl_->session->set_ip_filter(make_peer_filter(options.session.allowed_peers));
  // libtorrent exempts peers on local networks from the rate caps by default
  // (its local peer class); a fleet is all local, and the caps are for it:
  // every address is in the global class only.
  lt::ip_filter classes;
  const auto global = std::uint32_t{1} << static_cast<std::uint32_t>(lt::session_handle::global_peer_class_id);
  classes.add_rule(boost::asio::ip::make_address("0.0.0.0"), boost::asio::ip::make_address("255.255.255.255"), global);
  classes.add_rule(boost::asio::ip::make_address("::"),
                   boost::asio::ip::make_address("ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"), global);
  impl_->session->set_peer_class_filter(classes);
  if (!options.session.allowed_peers.empty()) {
    impl_->log->info("peers only from {}", describe_ranges(options.session.allowed_peers));
  }
  if (options.session.upload_rate_limit > 0 || options.session.download_rate_limit > 0) {
    impl_->log->info("rate caps: upload {} kB/s, download {} kB/s (0: none)", options.session.upload_rate_limit / 1000,
                     options.session.download_rate_limit / 1000);
  }

  if (!options.torrent_later) impl_->add(saveas, options.trust, {});
}

void transfer::add_torrent(const std::vector<bool>& have_pieces) {
  impl_->add(fs::absolute(impl_->options.saveas), impl_->options.trust, have_pieces);
}

transfer::~transfer() = default;

bool transfer::have_piece(int index) const { return impl_->handle.have_piece(lt::piece_index_t(index)); }
std::uint64_t transfer::piece_length() const { return static_cast<std::uint64_t>(impl_->info->piece_length()); }

std::uint64_t transfer::total_size() const { return payload_bytes(*impl_->info); }
std::uint64_t transfer::bytes_downloaded() const {
  return impl_->figures_before_relocation.first + static_cast<std::uint64_t>(impl_->handle.status().total_payload_download);
}
std::uint64_t transfer::bytes_uploaded() const {
  return impl_->figures_before_relocation.second + static_cast<std::uint64_t>(impl_->handle.status().total_payload_upload);
}

int transfer::peer_count() const { return impl_->handle.status().num_peers; }

const one_copy_figures& transfer::request_figures() const { return *impl_->figures; }

void transfer::download(progress_reporter& progress) {
  auto& d = *impl_;
  std::uint64_t last_done = 0;
  auto last_progress = clock_type::now();
  // The tracker hears of progress at each quarter of the payload as well as at
  // its announce interval: its status page shows a deploy moving (three more
  // announces a host, however long the download).
  int quarters_told = 0;
  bool capped = d.options.max_connections > 0;
  auto cap_patience_from = last_progress;
  for (;;) {
    d.pump(std::chrono::milliseconds(250));
    lt::torrent_status st = d.handle.status();
    transfer_status s = d.status_of(st);
    progress.update(s);
    if (st.is_seeding) {
      d.flush();
      d.log_wire_figures();
      progress.finish(d.status_of(d.handle.status()));
      return;
    }
    if (stop_requested()) {
      throw failure(exit_code::failure, "stopped by a signal while downloading " + d.options.saveas.string());
    }
    auto now = clock_type::now();
    // A peer with hardly any connections (it announced before the others, or
    // its announce was lost on a busy link) asks the tracker again every few
    // seconds instead of waiting out the announce interval.
    constexpr int few_peers = 4;
    const bool few = s.peers < few_peers && now - d.last_reannounce > std::chrono::seconds(3);
    const bool next_quarter = quarters_told < 3 && s.bytes_total > 0 && s.bytes_done * 4 >= s.bytes_total * (quarters_told + 1);
    if (!s.checking && (few || next_quarter)) {
      d.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
      d.last_reannounce = now;
      while (quarters_told < 3 && s.bytes_done * 4 >= s.bytes_total * static_cast<std::uint64_t>(quarters_told + 1)) {
        ++quarters_told;
      }
    }
    // A capped peer's patience starts at the tracker's first answer: a
    // fleet's first seconds go to starting and announcing.
    // (Full connections before any answer wait no longer: a tracker that
    // registered this host but whose answer was lost sends peers our way.)
    if (!d.announced && s.peers < d.options.max_connections) cap_patience_from = now;
    if (s.checking || s.bytes_done != last_done) {
      last_done = s.bytes_done;
      last_progress = now;
    } else if (capped && now - std::max(last_progress, cap_patience_from) > std::chrono::seconds(4)) {
      // The few hosts this one is connected to have nothing it lacks (a
      // group that filled each other's connections, away from the seed): it
      // takes every host that comes from now on, and asks the tracker again.
      d.handle.set_max_connections(-1);
      d.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
      d.last_reannounce = now;
      capped = false;
      d.log->info("no progress for 4 s from {} connected hosts: connecting to any host from now on", s.peers);
    } else if (now - last_progress > std::chrono::seconds(d.options.stall_timeout)) {
      int have = st.num_pieces;
      throw failure(exit_code::network,
                    "no progress for " + std::to_string(d.options.stall_timeout) + " s downloading " +
                        d.options.saveas.string() + ": have " + std::to_string(have) + " of " +
                        std::to_string(d.info->num_pieces()) + " pieces (" +
                        megabytes(static_cast<std::int64_t>(s.bytes_total - s.bytes_done)) + " missing), " +
                        std::to_string(s.peers) + " peers connected; tracker " + d.tracker_note());
    }
  }
}

void transfer::verify_for_seeding() {
  auto& d = *impl_;
  std::error_code ec;
  if (d.tree ? !fs::is_directory(d.options.saveas, ec) : !fs::is_regular_file(d.options.saveas, ec)) {
    throw failure(exit_code::bad_input, "payload " + d.options.saveas.string() + " does not exist");
  }
  if (!d.options.trust) {
    d.handle.set_flags(lt::torrent_flags::upload_mode);
    while (!d.checked) {
      if (stop_requested()) throw failure(exit_code::failure, "stopped while checking " + d.options.saveas.string());
      d.pump(std::chrono::milliseconds(250));
    }
    lt::torrent_status st = d.handle.status();
    if (!st.is_seeding) {
      throw failure(exit_code::bad_input, "payload " + d.options.saveas.string() + " does not match " +
                                              d.options.torrent.string() + ": " + std::to_string(st.num_pieces) +
                                              " of " + std::to_string(d.info->num_pieces()) + " pieces verified");
    }
    d.handle.unset_flags(lt::torrent_flags::upload_mode);
  }
  if (d.options.super_seed) d.handle.set_flags(lt::torrent_flags::super_seeding);
}

void transfer::wait_announced(std::chrono::seconds timeout) {
  auto& d = *impl_;
  auto deadline = clock_type::now() + timeout;
  auto asked = clock_type::now();
  while (!d.announced) {
    if (stop_requested()) throw failure(exit_code::failure, "stopped while announcing " + d.options.saveas.string());
    auto now = clock_type::now();
    if (now >= deadline) {
      throw failure(exit_code::network, "tracker did not answer within " + std::to_string(timeout.count()) +
                                            " s while seeding " + d.options.saveas.string() + ": " + d.tracker_note());
    }
    // After a refusal libtorrent would wait 35 s before asking again; a tracker
    // that has not yet read the new torrent should be asked again soon.
    if (!d.tracker_notes.empty() && now - asked >= std::chrono::seconds(2)) {
      d.handle.force_reannounce(0, -1, lt::torrent_handle::ignore_min_interval);
      asked = now;
    }
    d.pump(std::chrono::milliseconds(250));
  }
}

void transfer::set_aside() {
  auto& d = *impl_;
  // Out of the session, libtorrent opens nothing by the old names while the
  // files move.
  d.figures_before_relocation = {bytes_downloaded(), bytes_uploaded()};
  d.session->remove_torrent(d.handle);
  if (!d.wait_for<lt::torrent_removed_alert>()) {
    throw failure(exit_code::disk, "libtorrent did not let go of " + d.options.saveas.string() + " within 30 s");
  }
}

void transfer::serve_from(const fs::path& new_saveas) {
  auto& d = *impl_;
  d.options.saveas = fs::absolute(new_saveas);
  // Upload mode: a piece of the live release that fails its check (someone
  // changed the file since) is never downloaded again into it.
  d.add(d.options.saveas, true, {}, true);
}

void transfer::serve_until(clock_type::time_point deadline, const std::function<void()>& on_tick) {
  while (!stop_requested() && clock_type::now() < deadline) {
    impl_->pump(std::chrono::milliseconds(100));  // a stop signal is heard within 0.1 s
    if (on_tick) on_tick();
  }
}

}  // namespace murder::client
