#pragma once
// Process control for murder daemons, run on the host itself (murderctl calls it
// over SSH): stop or query the processes that murder's pidfiles name. A pidfile
// only ever leads to a murder program (see read_live_pid), so a reused pid is
// never signalled.

#include <chrono>
#include <filesystem>
#include <vector>

namespace murder::client {

// Stops each named process; prints one line per pidfile ("stopped pid N: FILE",
// with the upload figures of its status file when it kept one, or "not
// running: FILE"). With `json`, each line is instead a "stop" event
// (status_events.hpp). Returns 0: stopping what is not running is not an error.
int run_stop(const std::vector<std::filesystem::path>& pidfiles, std::chrono::seconds grace, bool json = false);

// Prints "running pid N: FILE" or "not running: FILE" per pidfile, or with
// `json` a "status" event each. Returns 0 when every named process runs, 1
// otherwise. With `wait` > 0, first waits up to that long while any of them
// is a running peer still downloading: a front end following a peer asks
// once and hears of its end at once, without asking over and over. With
// `progress` (and `json`), the lines are also printed once a second while
// waiting: one command follows a download and shows it moving (each command
// a front end runs costs the host a shell and a process start).
int run_status(const std::vector<std::filesystem::path>& pidfiles, bool json = false,
               std::chrono::milliseconds wait = std::chrono::milliseconds(0), bool progress = false);

// Puts a bundle in place: run as HOME/.bundle-new/bin/murder_client, the
// bundle unpacked there by the front end, it swaps HOME/bin and HOME/lib for
// the new ones (run/, log/ and torrents/ stay), removes the unpacked copy and
// HOME/.bundle.tgz, and prints "murder VERSION in HOME". A HOME holding 1000
// files or more is refused with the original's words ("Cowardly refusing to
// remove files! Check the remote_murder_path."), nothing changed but the
// unpacked copy and tarball removed.
int run_install_bundle(const std::filesystem::path& home);

}  // namespace murder::client
