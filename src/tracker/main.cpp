// murder_tracker: the HTTP BitTorrent tracker of a murder deploy.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <optional>

#include "murder/core/cidr.hpp"
#include "murder/core/command_line.hpp"
#include "murder/core/deploy_layout.hpp"
#include "murder/core/logging.hpp"
#include "murder/core/process.hpp"
#include "murder/core/program.hpp"
#include "murder/tracker/bittornado_options.hpp"
#include "murder/tracker/tracker.hpp"

int main(int argc, char** argv) {
  return murder::run_program("murder_tracker", [&] {
    murder::tracker::tracker_config config;
    std::string logfile, pidfile_path, cidrs, state_file, allowed_list, allowed_dir, bind = config.server.bind_address;
    murder::tracker::bittornado_options old_options;
    std::string home;
    std::vector<std::string> location_texts;
    bool daemon = false, unless_running = false;
    CLI::App app{"murder_tracker: HTTP BitTorrent tracker for murder deploys"};
    app.set_version_flag("--version", MURDER_VERSION);
    app.add_option("--port", config.server.port, "TCP port to listen on")->capture_default_str();
    app.add_option("--bind", bind, "address to listen on, or a comma-separated list of them")->capture_default_str();
    app.add_option("--dfile", state_file, "state file: swarms survive a restart");
    app.add_option("--save_dfile_interval", config.save_interval, "seconds between state-file writes")->capture_default_str();
    app.add_option("--allowed_list", allowed_list, "file of hex info-hashes to serve, one a line");
    app.add_option("--allowed_dir", allowed_dir, "serve the torrents whose .torrent files are in this directory");
    app.add_option("--allowed_cidrs", cidrs, "only these networks may announce (comma-separated CIDRs)");
    app.add_option("--reannounce_interval", config.limits.interval, "seconds between announces")->capture_default_str();
    app.add_option("--response_size", config.limits.max_reply_peers, "most peers in one reply")->capture_default_str();
    app.add_option("--peer_timeout", config.limits.peer_timeout, "seconds after which a silent peer is dropped")->capture_default_str();
    app.add_option("--max_connections", config.server.max_connections, "most open client connections")->capture_default_str();
    app.add_option("--max_swarms", config.limits.max_swarms, "most torrents tracked at once")->capture_default_str();
    app.add_option("--location", location_texts, "NAME=CIDR[,CIDR...]: hosts in these ranges are in location NAME "
                   "and get peers mostly from it (repeat for each location)");
    app.add_option("--location_gateways", config.limits.gateways_per_location,
                   "hosts per location that also get peers from the other locations")
        ->capture_default_str()->check(CLI::Range(1, 64));
    app.add_option("--tcp_defer_accept", config.server.defer_accept,
                   "seconds of TCP_DEFER_ACCEPT on the listening socket (0: off; for measuring)")
        ->capture_default_str();
    app.add_option("--logfile", logfile, "append the log here instead of stderr");
    app.add_flag("--daemon", daemon, "detach into the background once listening");
    app.add_option("--pidfile", pidfile_path, "write the tracker's pid here (removed on exit)");
    app.add_option("--home", home, "murder's directory: --pidfile, --logfile, --dfile and --allowed_dir default to "
                                   "its run/tracker.pid, log/tracker.log, run/tracker.state and torrents/");
    app.add_flag("--unless-running", unless_running, "exit 0 saying so when the pidfile names a running murder process");
    murder::tracker::add_bittornado_options(app, old_options);
    if (auto done = murder::parse_command_line(app, argc, argv)) return *done;
    config.access.allowed_cidrs = murder::parse_cidr_list(cidrs);
    config.limits.where = murder::parse_locations(location_texts);
    config.bind_addresses = murder::split_list(bind);
    if (config.bind_addresses.empty()) throw murder::failure(murder::exit_code::usage, "--bind names no address");
    config.server.bind_address = config.bind_addresses.front();
    auto warnings = murder::tracker::apply_bittornado_options(old_options, config);
    if (!home.empty()) {
      murder::host_layout layout{home};
      if (pidfile_path.empty()) pidfile_path = layout.pidfile("tracker").string();
      if (logfile.empty()) logfile = layout.logfile("tracker").string();
      if (state_file.empty()) state_file = layout.state_file().string();
      if (allowed_dir.empty() && allowed_list.empty()) allowed_dir = layout.torrent_dir().string();
      layout.make_dirs();  // last: a refused command line leaves nothing behind
    }
    auto say_running = [&](pid_t running) {
      std::printf("murder_tracker: already running: pid %d, %s\n", static_cast<int>(running), pidfile_path.c_str());
      std::fflush(stdout);
      return 0;
    };
    if (auto running = unless_running ? murder::read_live_pid(pidfile_path) : std::nullopt) return say_running(*running);
    if (!state_file.empty()) config.state_file = state_file;
    if (!allowed_list.empty()) config.allowed_list = allowed_list;
    if (!allowed_dir.empty()) config.allowed_dir = allowed_dir;

    std::optional<murder::background_child> child;
    if (daemon) child = murder::detach("murder_tracker");
    murder::pidfile pid;
    try {
      if (!pidfile_path.empty()) pid.create(pidfile_path);
    } catch (const murder::already_running& e) {
      if (!unless_running) throw;
      say_running(e.pid);  // another start won the race since the look above
      if (child) child->report(0);
      return 0;
    }
    auto log = murder::make_logger("murder_tracker", logfile);
    for (const auto& warning : warnings) log->warn("{}", warning);
    return murder::tracker::run_tracker(config, log, [&](std::uint16_t port) {
      std::printf("murder_tracker listening on %s:%u\n", bind.c_str(), port);
      std::fflush(stdout);
      if (child) child->report(0);
    });
  });
}
