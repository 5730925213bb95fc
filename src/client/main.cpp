// murder_client: peer (download, verify, deliver, seed a while) or seed.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>

#include "murder/client/client.hpp"
#include "murder/client/control.hpp"
#include "murder/client/session.hpp"
#include "murder/client/status_events.hpp"
#include "murder/core/cidr.hpp"
#include "murder/core/command_line.hpp"
#include "murder/core/logging.hpp"
#include "murder/core/program.hpp"

namespace {

// Options every mode shares; the positional form is the original's.
void add_common(CLI::App& mode, murder::client::transfer_options& t, std::string& allow, std::string& logfile,
                std::string& pidfile) {
  mode.add_option("torrent", t.torrent, "the .torrent file")->required();
  mode.add_option("saveas", t.saveas, "where the payload file is, or goes")->required();
  mode.add_option("ip", t.session.ip, "this host's address: listened on and announced")->required();
  mode.add_option("--port", t.session.listen_port, "first port to listen on")->capture_default_str();
  mode.add_option("--allow-peers", allow, "only exchange data with these networks (comma-separated CIDRs)");
  mode.add_option("--logfile", logfile, "append the log here instead of stderr");
  mode.add_option("--pidfile", pidfile, "write the working process's pid here");
  mode.add_option("--setting", t.session.setting_overrides,
                  "a libtorrent setting NAME=VALUE over murder's own, for tuning (repeatable)")
      ->allow_extra_args(false);
}

// With --json, a failure is also a "failed" event on stdout, for the reader of
// the event lines; run_program still prints the error line and sets the status.
int events_on_failure(bool json, const std::function<int()>& run) {
  try {
    return run();
  } catch (const murder::failure& e) {
    if (json) std::printf("%s\n", murder::client::to_json_line(murder::client::failed_event{static_cast<int>(e.code()), e.what()}).c_str());
    throw;
  } catch (const std::exception& e) {
    if (json) std::printf("%s\n", murder::client::to_json_line(murder::client::failed_event{1, e.what()}).c_str());
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return murder::run_program("murder_client", [&] {
    murder::client::peer_job peer;
    murder::client::seed_job seed;
    std::string peer_allow, seed_allow, peer_log, seed_log, extract, copy;
    std::vector<std::filesystem::path> pidfiles;
    int grace = 10;
    CLI::App app{"murder_client: download or serve one murder torrent"};
    app.set_version_flag("--version", MURDER_VERSION);
    app.require_subcommand(1);
    auto* peer_cmd = app.add_subcommand("peer", "download, verify, deliver, then seed a while in the background");
    add_common(*peer_cmd, peer.transfer, peer_allow, peer_log, peer.pidfile);
    peer_cmd->add_option("--extract", extract, "unpack the downloaded tarball into this directory (atomically)");
    peer_cmd->add_option("--copy-to", copy, "place the downloaded file here (atomically)");
    peer_cmd->add_flag("--replace", peer.replace_existing, "empty a non-empty destination first");
    peer_cmd->add_option("--seed-after", peer.seed_after, "seconds to seed once done")->capture_default_str();
    peer_cmd->add_flag("--foreground", peer.foreground, "seed after completion in this process, then exit");
    peer_cmd->add_option("--stall-timeout", peer.transfer.stall_timeout, "fail after this many seconds without progress")
        ->capture_default_str();
    peer_cmd->add_option("--status-interval", peer.status_interval, "seconds between status lines off a terminal")
        ->capture_default_str();
    peer_cmd->add_flag("--json", peer.json, "progress and result as JSON event lines on stdout (docs/STATUS.md)");
    auto* seed_cmd = app.add_subcommand("seed", "check the payload and serve it until stopped");
    seed_cmd->alias("seeder");  // the original's Capistrano task said `murder_client.py seeder`
    add_common(*seed_cmd, seed.transfer, seed_allow, seed_log, seed.pidfile);
    seed_cmd->add_flag("--trust", seed.transfer.trust, "skip checking the payload against the torrent");
    seed_cmd->add_flag("--super-seed", seed.transfer.super_seed,
                       "offer each peer only pieces no other peer has yet (BEP 16), so the seed sends about one copy");
    bool every_request = false;
    seed_cmd->add_flag("--every-request", every_request,
                       "serve every request as a plain seed does, repeats included (a fleet then gets 2-3 copies)");
    seed_cmd->add_flag("--daemon", seed.daemon, "detach into the background once the tracker has answered");
    seed_cmd->add_flag("--json", seed.json, "a JSON event line on stdout once seeding (docs/STATUS.md)");
    seed_cmd->add_option("--announce-timeout", seed.announce_timeout, "seconds to wait for the tracker's first answer")
        ->capture_default_str();
    auto* stop_cmd = app.add_subcommand("stop", "stop the murder processes these pidfiles name");
    stop_cmd->add_option("pidfile", pidfiles, "pidfiles written by --pidfile")->required();
    stop_cmd->add_option("--grace", grace, "seconds to wait after SIGTERM before SIGKILL")->capture_default_str();
    bool stop_json = false;
    stop_cmd->add_flag("--json", stop_json, "a JSON event line per pidfile, with the stopped process's figures");
    auto* status_cmd = app.add_subcommand("status", "say whether these pidfiles name running murder processes");
    status_cmd->add_option("pidfile", pidfiles, "pidfiles written by --pidfile")->required();
    bool status_json = false;
    status_cmd->add_flag("--json", status_json, "a JSON event line per pidfile");
    auto is_mode = [&](const std::string& word) {
      return !app.get_subcommands([&](CLI::App* mode) { return mode->check_name(word); }).empty();
    };
    if (argc > 1 && argv[1][0] != '-' && !is_mode(argv[1])) {
      throw murder::failure(murder::exit_code::usage, std::string("unknown mode '") + argv[1] +
                                                          "' (use peer, seed or seeder, stop, status; see --help)");
    }
    if (auto done = murder::parse_command_line(app, argc, argv)) return *done;
    if (*stop_cmd) return murder::client::run_stop(pidfiles, std::chrono::seconds(grace), stop_json);
    if (*status_cmd) return murder::client::run_status(pidfiles, status_json);
    if (*peer_cmd) {
      if (!extract.empty()) peer.extract_to = extract;
      if (!copy.empty()) peer.copy_to = copy;
      peer.transfer.session.allowed_peers = murder::parse_cidr_list(peer_allow);
      murder::client::check_setting_overrides(peer.transfer.session.setting_overrides);
      return events_on_failure(peer.json, [&] { return murder::client::run_peer(peer, murder::make_logger("murder_client", peer_log)); });
    }
    seed.transfer.session.allowed_peers = murder::parse_cidr_list(seed_allow);
    murder::client::check_setting_overrides(seed.transfer.session.setting_overrides);
    seed.transfer.one_copy = !every_request && !seed.transfer.super_seed;
    return events_on_failure(seed.json, [&] { return murder::client::run_seed(seed, murder::make_logger("murder_client", seed_log)); });
  });
}
