#pragma once
// murderctl's configuration: murder.toml, with the Capistrano variable names of the
// original (SPEC section 3), plus `key=value` overrides from the command line.
//
//   user, host_suffix, remote_murder_path, default_temp_path, default_tag,
//   default_seeder_files_path, default_destination_path, tracker_port
//   [roles] tracker = "h", seeder = "h", peer = ["h1", ...] or peer_file = "hosts.dat"
//   [ssh] config, port, identity, connect_timeout, command_timeout, concurrency,
//         strict_host_key_checking = "yes" | "accept-new" | "no"
//
// An unknown key is an error naming the key and its line, so a misspelt setting
// never silently falls back to a default.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace murder::ctl {

// Where a setting is also in the ssh_config file, a value given here wins; an
// unset one (empty, 0) leaves the ssh_config value or OpenSSH's default.
struct ssh_settings {
  std::string config = "~/.ssh/config";
  int port = 0;                   // 0: from ssh_config, else 22
  std::string identity;           // tried before ssh_config's IdentityFile and the agent
  int connect_timeout = 10;       // seconds to connect and authenticate
  int command_timeout = 3600;     // seconds any one remote command may take
  int concurrency = 100;          // hosts worked on at once
  std::string strict_host_key_checking;  // "yes", "accept-new", "no"; unset: ssh_config, else "yes"
};

struct murder_config {
  std::string user;
  std::string host_suffix;
  std::string remote_murder_path = "/opt/murder";
  std::string default_temp_path = "/tmp";
  std::string default_tag;
  std::string default_seeder_files_path;
  std::string default_destination_path;
  int tracker_port = 8998;
  // allowed_networks = ["198.18.0.0/15", ...]: only these may announce to the
  // tracker or exchange data with the seeder and peers. Empty: anyone.
  std::string allowed_networks;  // comma-separated, checked when the file is read
  // The seeder offers each peer only pieces no other peer has yet (BEP 16).
  bool super_seeding = false;
  // The seeder serves repeats of a piece at once, as a plain BitTorrent seed
  // does, instead of sending about one copy first (murder_client seed --every-request).
  bool seed_every_request = false;
  // transfer_mode = "tree" | "tgz": how a release travels (deploy_layout.hpp).
  // tree sends the files themselves, so a host holding an earlier release
  // fetches only what changed; tgz sends one tarball, as the original did.
  std::string transfer_mode = "tree";
  // piece_size = 262144: murder_make_torrent --piece-size (0: its own rule).
  int piece_size = 0;
  // max_upload_rate = 3125, max_download_rate = 3125: kB/s caps for the
  // seeder and every peer (murder_client's BitTornado-named options; 0: none).
  int max_upload_rate = 0;
  int max_download_rate = 0;
  // max_connections = 8: the most other hosts each peer keeps connections to
  // (murder_client peer --max_connections; 0: no limit; unset: its default).
  int max_connections = -1;
  // [libtorrent] request_queue_time = 3, ...: libtorrent settings by name for
  // the seeder and every peer, over murder's own ("name=value" each, checked
  // when the file is read). For measuring and tuning; murder's defaults are
  // what the benchmarks chose.
  std::vector<std::string> libtorrent_settings;
  // [locations] dc1 = ["10.1.0.0/16"], dc2 = "10.2.0.0/16": where hosts are,
  // for the tracker's location-aware peer lists ("NAME=CIDR,CIDR" each, as
  // murder_tracker --location takes it; checked when the file is read).
  std::vector<std::string> locations;
  // bundle_uploads = 2: distribute_files uploads the bundle to this many
  // hosts from this machine; every other host fetches it from a host that
  // has it (issue 14). As many as the hosts: every host from here.
  int bundle_uploads = 2;
  // bundle_port = 0: the TCP port hosts pass the bundle on from (0: any
  // free port; set one where firewalls between hosts need it).
  int bundle_port = 0;
  // metrics_dir = "/var/lib/prometheus/node-exporter": the seeder and every
  // peer keep murder_ROLE_TAG.prom there (murder_client --metrics-file).
  std::string metrics_dir;
  // The first is the torrent's tracker; the others are backups, each in a tier
  // of its own, announced to as well, so that losing one changes nothing.
  std::vector<std::string> trackers;  // default: the first peer
  std::string seeder;               // default: the first peer
  std::vector<std::string> peers;
  ssh_settings ssh;
};

// Parses murder.toml text. `origin` names the file in errors. A relative
// `peer_file` is read relative to `base_dir`.
murder_config parse_config(std::string_view text, const std::string& origin, const std::filesystem::path& base_dir);

// Reads a hosts file: one host a line, `#` comments, blank lines ignored.
std::vector<std::string> parse_hosts(std::string_view text);

// Fills the tracker and seeder roles from the first peer when unset, and appends
// host_suffix to every host that lacks it. Throws failure(usage) with no peers.
void apply_role_defaults(murder_config& config);

// A workstation path with a leading "~/" made absolute with $HOME.
std::string expand_home(const std::string& path);

// Splits "key=value" command-line words; throws failure(usage) naming a word
// without '='.
std::map<std::string, std::string> parse_assignments(const std::vector<std::string>& words);

}  // namespace murder::ctl
