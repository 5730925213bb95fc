#include "murder/client/command_line.hpp"

#include <CLI/CLI.hpp>

#include "murder/client/deploy_form.hpp"
#include "murder/client/session.hpp"
#include "murder/core/cidr.hpp"
#include "murder/core/command_line.hpp"
#include "murder/core/error.hpp"
#include "murder/core/hex.hpp"

namespace murder::client {

namespace {

// What peer and seed share: the positional words and the deploy form's options.
struct transfer_words {
  deploy_words deploy;
  std::string allow, pidfile, logfile, metrics_file;
  int upload_kbps = 0, download_kbps = 0;
};

void add_transfer_options(CLI::App& mode, transfer_options& t, transfer_words& w) {
  mode.add_option("arguments", w.deploy.args, "TORRENT SAVEAS IP (the original's form), or IP with --tag")
      ->required()
      ->expected(1, 3);
  mode.add_option("--home", w.deploy.home, "murder's directory here: pidfile and log go to its run/ and log/ (needs --tag)");
  mode.add_option("--tag", w.deploy.tag, "the transfer's tag: TEMP/TAG.tgz and its .torrent, ROLE-TAG.pid");
  mode.add_option("--temp", w.deploy.temp, "where TAG.tgz and TAG.tgz.torrent are, with --tag")->capture_default_str();
  mode.add_flag("--tree", w.deploy.tree,
                "with --tag: the transfer is a tree torrent, TEMP/TAG.tree.torrent (murder_make_torrent --tree)");
  mode.add_option("--port", t.session.listen_port, "first port to listen on")->capture_default_str();
  mode.add_option("--allow-peers", w.allow, "only exchange data with these networks (comma-separated CIDRs)");
  mode.add_option("--logfile", w.logfile, "append the log here instead of stderr");
  mode.add_option("--pidfile", w.pidfile, "write the working process's pid here");
  mode.add_option("--max_upload_rate", w.upload_kbps, "upload at most this many kB/s (0: no cap)")->check(CLI::Range(0, 2000000));
  mode.add_option("--max_download_rate", w.download_kbps, "download at most this many kB/s (0: no cap)")
      ->check(CLI::Range(0, 2000000));
  mode.add_option("--metrics-file", w.metrics_file,
                  "keep this run's figures in this file for node-exporter's textfile collector (DIR/NAME.prom)");
  mode.add_option("--setting", t.session.setting_overrides,
                  "a libtorrent setting NAME=VALUE over murder's own, for tuning (repeatable)")
      ->allow_extra_args(false);
}

// Fills `t`, the job's pidfile and labels from the words; returns the log file.
std::string resolve(const transfer_words& w, const std::string& role, transfer_options& t, std::string& pidfile,
                    run_labels& labels,
                    std::optional<std::filesystem::path>* extract_to = nullptr,
                    std::optional<std::filesystem::path>* copy_to = nullptr,
                    std::optional<std::filesystem::path>* base = nullptr) {
  // Checked first: resolve_transfer makes HOME's directories.
  t.session.allowed_peers = parse_cidr_list(w.allow);
  t.session.upload_rate_limit = w.upload_kbps * 1000;
  t.session.download_rate_limit = w.download_kbps * 1000;
  check_setting_overrides(t.session.setting_overrides);
  auto places = resolve_transfer(w.deploy, role, w.pidfile, w.logfile, extract_to ? *extract_to : std::nullopt,
                                 copy_to ? *copy_to : std::nullopt);
  t.torrent = places.torrent;
  t.saveas = places.saveas;
  t.session.ip = places.ip;
  pidfile = places.pidfile;
  labels.tag = w.deploy.tag.empty() ? t.saveas.filename().string() : w.deploy.tag;
  // Absolute: a daemon leaves the directory it was started in.
  if (!w.metrics_file.empty()) labels.metrics_file = std::filesystem::absolute(w.metrics_file);
  if (extract_to) *extract_to = places.extract_to;
  if (copy_to) *copy_to = places.copy_to;
  if (base && places.base) *base = std::filesystem::absolute(*places.base);
  return places.logfile;
}

// stop and status: pidfiles given, or chosen under --home.
struct pidfile_words {
  std::vector<std::filesystem::path> given;
  std::string home, role, tag;
};

void add_pidfile_options(CLI::App& mode, pidfile_words& w) {
  mode.add_option("pidfile", w.given, "pidfiles written by --pidfile");
  mode.add_option("--home", w.home, "murder's directory: its run/*.pid, narrowed by --role and --tag");
  mode.add_option("--role", w.role, "tracker, seed or peer (with --home)");
  mode.add_option("--tag", w.tag, "the transfer's tag (with --home and --role seed or peer)");
}

std::vector<std::filesystem::path> pidfiles_of(const pidfile_words& w, const std::string& mode) {
  if (w.home.empty()) {
    if (w.given.empty()) throw failure(exit_code::usage, mode + " takes PIDFILE... or --home DIR");
    if (!w.role.empty() || !w.tag.empty()) throw failure(exit_code::usage, "--role and --tag go with --home");
    return w.given;
  }
  auto chosen = select_pidfiles(w.home, w.role, w.tag);
  chosen.insert(chosen.end(), w.given.begin(), w.given.end());
  return chosen;
}

}  // namespace

std::variant<int, client_command> parse_client_command(int argc, char** argv) {
  client_command command;
  transfer_words peer_words, seed_words;
  pidfile_words stop_words, status_words;
  std::string extract, copy;
  CLI::App app{"murder_client: download or serve one murder torrent"};
  app.set_version_flag("--version", MURDER_VERSION);
  app.require_subcommand(1);

  auto& peer = command.peer;
  auto* peer_cmd = app.add_subcommand("peer", "download, verify, deliver, then seed a while in the background");
  add_transfer_options(*peer_cmd, peer.transfer, peer_words);
  peer_cmd->add_option("--extract", extract, "unpack the downloaded tarball into this directory (atomically)");
  peer_cmd->add_option("--copy-to", copy, "place the downloaded file here (atomically)");
  peer_cmd->add_option("--destination", peer_words.deploy.destination,
                       "with --tag: unpack into DESTINATION/TAG (atomically)");
  peer_cmd->add_flag("--no-tag-directory", peer_words.deploy.no_tag_directory, "with --destination: into DESTINATION itself");
  peer_cmd->add_option("--file-name", peer_words.deploy.file_name,
                       "with --destination: the payload is one file, placed as DESTINATION/NAME");
  peer_cmd->add_flag("--replace", peer.replace_existing, "empty a non-empty destination first");
  peer_cmd->add_option("--report-key", peer.report_key,
                       "send the final event to the torrent's tracker under this key (32 hex digits; murderctl's)")
      ->check([](const std::string& key) {
        return is_lowercase_hex(key, 32) ? std::string() : std::string("must be 32 lowercase hex digits");
      });
  std::string base;
  bool no_base = false;
  peer_cmd->add_option("--base", base,
                       "a tree torrent: reuse this earlier release's unchanged files (default: the best of the "
                       "destination's siblings); every reused piece is verified");
  peer_cmd->add_option("--base-tag", peer_words.deploy.base_tag, "with --destination: reuse DESTINATION/BASE_TAG");
  peer_cmd->add_flag("--no-base", no_base, "a tree torrent: reuse nothing, fetch every file");
  peer_cmd->add_option("--seed-after", peer.seed_after, "seconds to seed once done")->capture_default_str();
  peer_cmd->add_flag("--foreground", peer.foreground, "seed after completion in this process, then exit");
  peer_cmd->add_option("--stall-timeout", peer.transfer.stall_timeout, "fail after this many seconds without progress")
      ->capture_default_str();
  peer_cmd->add_option("--max_connections", peer.transfer.max_connections,
                       "keep connections to at most this many other hosts (0: no limit)")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000))
      // libtorrent keeps at least two connections to a torrent.
      ->check([](const std::string& v) { return v == "1" ? std::string("must be 0 (no limit) or at least 2") : std::string(); });
  peer_cmd->add_option("--status-interval", peer.status_interval, "seconds between status lines off a terminal")
      ->capture_default_str();
  peer_cmd->add_flag("--json", peer.json, "progress and result as JSON event lines on stdout (docs/STATUS.md)");
  peer_cmd->add_flag("--detach", peer.detach,
                     "return once the download has started; its status file (beside the pidfile) says how it went");
  peer_cmd->add_flag("--check-destination", peer.check_only,
                     "only check that the destination is free (missing or empty), then exit");

  auto& seed = command.seed;
  auto* seed_cmd = app.add_subcommand("seed", "check the payload and serve it until stopped");
  seed_cmd->alias("seeder");  // the original's Capistrano task said `murder_client.py seeder`
  add_transfer_options(*seed_cmd, seed.transfer, seed_words);
  seed_cmd->add_flag("--trust", seed.transfer.trust, "skip checking the payload against the torrent");
  seed_cmd->add_flag("--super-seed", seed.transfer.super_seed,
                     "offer each peer only pieces no other peer has yet (BEP 16), so the seed sends about one copy");
  bool every_request = false;
  seed_cmd->add_flag("--every-request", every_request,
                     "serve every request as a plain seed does, repeats included (a fleet then gets 2-3 copies)");
  seed_cmd->add_flag("--daemon", seed.daemon, "detach into the background once the tracker has answered");
  seed_cmd->add_flag("--unless-running", seed.unless_running,
                     "exit 0 saying so when the pidfile names a running murder process");
  seed_cmd->add_flag("--json", seed.json, "a JSON event line on stdout once seeding (docs/STATUS.md)");
  seed_cmd->add_option("--announce-timeout", seed.announce_timeout, "seconds to wait for the tracker's first answer")
      ->capture_default_str();

  auto* stop_cmd = app.add_subcommand("stop", "stop the murder processes these pidfiles name");
  add_pidfile_options(*stop_cmd, stop_words);
  stop_cmd->add_option("--grace", command.grace, "seconds to wait after SIGTERM before SIGKILL")->capture_default_str();
  stop_cmd->add_flag("--json", command.json, "a JSON event line per pidfile, with the stopped process's figures");
  auto* status_cmd = app.add_subcommand("status", "say whether these pidfiles name running murder processes");
  add_pidfile_options(*status_cmd, status_words);
  status_cmd->add_flag("--json", command.json, "a JSON event line per pidfile");
  status_cmd->add_option("--wait", command.wait, "first wait up to SECONDS while a peer named is still downloading")
      ->check(CLI::Range(0.0, 3600.0));
  status_cmd->add_flag("--progress", command.progress,
                       "with --json and --wait: a status line per pidfile every second while waiting, too");

  auto* install_cmd = app.add_subcommand("install-bundle", "run from a bundle unpacked in HOME/.bundle-new: put it in place");
  install_cmd->add_option("--home", command.home, "murder's directory (remote_murder_path)")->required();
  auto* serve_cmd = app.add_subcommand(
      "serve-bundle", "serve HOME/run/bundle.tgz to the hosts murderctl distribute_files sends here, in the background");
  serve_cmd->add_option("--home", command.serve.home, "murder's directory (remote_murder_path)")->required();
  serve_cmd->add_option("--port", command.serve.port, "TCP port to listen on (0: any free one, printed)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  serve_cmd->add_option("--idle", command.serve.idle, "exit after SECONDS with no fetch open")
      ->check(CLI::Range(1, 86400))
      ->capture_default_str();

  auto* reports_cmd = app.add_subcommand(
      "reports", "on the tracker's host: print the peers' reports of a torrent as they arrive (murderctl's)");
  reports_cmd->add_option("--port", command.reports.port, "the tracker's port here")->check(CLI::Range(1, 65535))
      ->capture_default_str();
  reports_cmd->add_option("--info-hash", command.reports.info_hash_hex, "the torrent's info-hash, 40 hex digits")
      ->required();
  reports_cmd->add_option("--run", command.reports.run, "only the reports whose key starts with this");
  reports_cmd->add_option("--count", command.reports.count, "stop once this many have reported")->required();
  reports_cmd->add_option("--wait", command.reports.wait, "stop after SECONDS in all")
      ->check(CLI::Range(0.0, 7.0 * 24 * 3600))->capture_default_str();
  reports_cmd->add_option("--quiet", command.reports.quiet,
                          "stop once no peer downloads and none has reported for SECONDS")
      ->check(CLI::Range(0.0, 3600.0))->capture_default_str();

  auto is_mode = [&](const std::string& word) {
    return !app.get_subcommands([&](CLI::App* mode) { return mode->check_name(word); }).empty();
  };
  if (argc > 1 && argv[1][0] != '-' && !is_mode(argv[1])) {
    throw failure(exit_code::usage, std::string("unknown mode '") + argv[1] +
                                        "' (use peer, seed or seeder, stop, status, install-bundle, serve-bundle, reports; see --help)");
  }
  if (auto done = parse_command_line(app, argc, argv)) return *done;

  if (*stop_cmd) {
    command.what = client_command::mode::stop;
    command.pidfiles = pidfiles_of(stop_words, "stop");
  } else if (*status_cmd) {
    command.what = client_command::mode::status;
    command.pidfiles = pidfiles_of(status_words, "status");
  } else if (*install_cmd) {
    command.what = client_command::mode::install_bundle;
  } else if (*serve_cmd) {
    command.what = client_command::mode::serve_bundle;
  } else if (*reports_cmd) {
    command.what = client_command::mode::reports;
  } else if (*peer_cmd) {
    command.what = client_command::mode::peer;
    if (!extract.empty()) peer.extract_to = extract;
    if (!copy.empty()) peer.copy_to = copy;
    const int bases = !base.empty() + !peer_words.deploy.base_tag.empty() + no_base;
    if (bases > 1) throw failure(exit_code::usage, "--base, --base-tag and --no-base: give one of them");
    if (!base.empty()) peer.base = std::filesystem::absolute(base);
    peer.find_base = bases == 0;
    command.logfile = resolve(peer_words, "peer", peer.transfer, peer.pidfile, peer.labels, &peer.extract_to,
                              &peer.copy_to, &peer.base);
    if (!peer_words.deploy.destination.empty()) peer.host = peer.transfer.session.ip;
  } else {
    command.what = client_command::mode::seed;
    seed.transfer.one_copy = !every_request && !seed.transfer.super_seed;
    seed.transfer.max_connections = 0;  // the seed takes every peer that comes: it is where the pieces start
    seed.transfer.disk_thread = true;
    command.logfile = resolve(seed_words, "seed", seed.transfer, seed.pidfile, seed.labels);
  }
  return command;
}

}  // namespace murder::client
