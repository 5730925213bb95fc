#pragma once
// One torrent in one libtorrent session: download it completely and verified, or
// check and serve it.

#include <spdlog/logger.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "murder/client/one_copy.hpp"
#include "murder/client/progress.hpp"
#include "murder/client/session.hpp"

namespace libtorrent {
class torrent_info;
}

namespace murder::client {

struct transfer_options {
  std::filesystem::path torrent;
  std::shared_ptr<const libtorrent::torrent_info> info;  // the torrent when already loaded (else read from `torrent`)
  std::filesystem::path saveas;  // where the payload file is (seed) or goes (peer); a tree torrent's directory
  bool torrent_later = false;    // the constructor starts the session only; add_torrent() adds the torrent
  session_options session;
  int stall_timeout = 60;        // seconds without a new verified byte before giving up
  // peer: the most other hosts it keeps connections to (0: no limit). Every
  // connection hears of every piece the host gains (a message, and on a busy
  // link a packet, each), so a mesh of all N hosts costs each of them work in
  // proportion to N; a few connections keep a swarm of any size fed
  // (docs/BENCHMARKS.md, "Connections a peer keeps"). The seed takes all.
  int max_connections = 8;
  // libtorrent's default disk back end: files mapped into memory, read and
  // written by a thread of their own. Without it (a peer), blocks are read and
  // written in the network thread (pread/pwrite): no hand-off between threads
  // and no page faults for every 16 KiB block; 10 % less CPU a host, a third
  // of the context switches, 80 hosts on two cores 10 % sooner
  // (docs/BENCHMARKS.md, "Disk back end"). The seed keeps the thread: it
  // checks and serves a payload that may not be in memory.
  bool disk_thread = false;
  bool trust = false;            // seed: skip checking the payload against the torrent
  bool super_seed = false;       // seed: offer each peer pieces no other peer has yet
  bool one_copy = false;         // seed: refuse repeats while pieces nobody has remain (one_copy.hpp)
};

class transfer {
 public:
  // Loads the torrent and starts a session, then adds the torrent (unless
  // `torrent_later`). Throws failure(bad_input) for a bad torrent,
  // failure(network) when the listen address cannot be used.
  transfer(const transfer_options& options, std::shared_ptr<spdlog::logger> log);

  // With `torrent_later`: adds the torrent, `have_pieces` already in place
  // and verified under `saveas`, a directory made for this transfer (nothing
  // else there is looked at). The session starts while the pieces are put in
  // place (tree_peer.hpp): libtorrent's threads take a while to start on busy
  // cores.
  void add_torrent(const std::vector<bool>& have_pieces);
  ~transfer();
  transfer(const transfer&) = delete;
  transfer& operator=(const transfer&) = delete;

  // Returns when every piece is downloaded, hash-verified and flushed to
  // `saveas`. Data already there is checked and kept (a restart resumes).
  // Throws failure(network) on a stall, failure(disk) when writing fails, and
  // failure(failure) when a stop signal arrives.
  void download(progress_reporter& progress);

  // Checks (or, with `trust`, assumes) that `saveas` holds the whole payload.
  // Throws failure(bad_input) naming the file when it does not.
  void verify_for_seeding();

  // Returns once a tracker has answered an announce. Throws failure(network)
  // naming the tracker and its last error after `timeout`.
  void wait_announced(std::chrono::seconds timeout);

  // Serves peers until `deadline` or a stop signal, calling `on_tick` (when
  // set) about twice a second.
  void serve_until(std::chrono::steady_clock::time_point deadline, const std::function<void()>& on_tick = {});

  // Takes the finished download out of the session, so that the caller may
  // move its files; serve_from() then serves them from their new place in
  // seed mode (libtorrent checks a piece when a peer first asks for it,
  // instead of reading the whole payload again). The figures carry on. Throws
  // failure(disk) when libtorrent does not let go within 30 s.
  void set_aside();
  void serve_from(const std::filesystem::path& new_saveas);

  // Whether piece `index` is downloaded and passed its hash check. Safe from
  // any thread.
  bool have_piece(int index) const;
  std::uint64_t piece_length() const;

  std::uint64_t total_size() const;
  std::uint64_t bytes_downloaded() const;  // payload bytes fetched from peers
  std::uint64_t bytes_uploaded() const;
  int peer_count() const;  // peers connected now
  // What the one-copy policy did (all zero without `one_copy`).
  const one_copy_figures& request_figures() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// Makes SIGINT and SIGTERM ask running transfers to stop (cleanly, announcing
// `stopped` to the tracker) instead of killing the process.
void install_stop_signals();
bool stop_requested();

}  // namespace murder::client
