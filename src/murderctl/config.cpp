#include "murder/ctl/config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>

#include "murder/core/cidr.hpp"
#include "murder/client/session.hpp"
#include "murder/core/deploy_layout.hpp"
#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/locations.hpp"

namespace murder::ctl {

namespace {

std::string where(const toml::node& node, const std::string& origin) {
  return origin + " line " + std::to_string(node.source().begin.line);
}

failure config_error(const toml::node& node, const std::string& origin, const std::string& key, const std::string& why) {
  return failure(exit_code::usage, where(node, origin) + ": " + key + " " + why);
}

std::string get_string(const toml::node& node, const std::string& origin, const std::string& key) {
  if (auto v = node.value<std::string>()) return *v;
  throw config_error(node, origin, key, "must be a string");
}

int get_int(const toml::node& node, const std::string& origin, const std::string& key, int lo, int hi) {
  auto v = node.value<std::int64_t>();
  if (!v || *v < lo || *v > hi) {
    throw config_error(node, origin, key, "must be a whole number from " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return static_cast<int>(*v);
}

// One string or a list of them; `noun` names an item in the error ("host").
std::vector<std::string> get_string_list(const toml::node& node, const std::string& origin, const std::string& key,
                                         const std::string& noun) {
  std::vector<std::string> items;
  if (auto single = node.value<std::string>()) return {*single};
  const toml::array* list = node.as_array();
  if (!list) throw config_error(node, origin, key, "must be a " + noun + " or a list of " + noun + "s");
  for (const auto& item : *list) items.push_back(get_string(item, origin, key));
  return items;
}

void parse_roles(const toml::table& roles, const std::string& origin, const std::filesystem::path& base_dir,
                 murder_config& config) {
  for (const auto& [raw_key, node] : roles) {
    std::string key(raw_key.str());
    if (key == "tracker") config.trackers = get_string_list(node, origin, "roles.tracker", "host");
    else if (key == "seeder") config.seeder = get_string(node, origin, "roles.seeder");
    else if (key == "peer") config.peers = get_string_list(node, origin, "roles.peer", "host");
    else if (key == "peer_file") {
      std::filesystem::path file = get_string(node, origin, "roles.peer_file");
      if (file.is_relative()) file = base_dir / file;
      config.peers = parse_hosts(read_file(file));
    } else {
      throw config_error(node, origin, "roles." + key, "is not a known setting");
    }
  }
}

void parse_ssh(const toml::table& ssh, const std::string& origin, murder_config& config) {
  for (const auto& [raw_key, node] : ssh) {
    std::string key(raw_key.str());
    std::string name = "ssh." + key;
    if (key == "config") config.ssh.config = get_string(node, origin, name);
    else if (key == "port") config.ssh.port = get_int(node, origin, name, 1, 65535);
    else if (key == "identity") config.ssh.identity = get_string(node, origin, name);
    else if (key == "connect_timeout") config.ssh.connect_timeout = get_int(node, origin, name, 1, 3600);
    else if (key == "command_timeout") config.ssh.command_timeout = get_int(node, origin, name, 1, 7 * 24 * 3600);
    else if (key == "concurrency") config.ssh.concurrency = get_int(node, origin, name, 1, 100000);
    else if (key == "strict_host_key_checking") {
      std::string mode = get_string(node, origin, name);
      if (mode != "yes" && mode != "accept-new" && mode != "no") {
        throw config_error(node, origin, name, "must be \"yes\", \"accept-new\" or \"no\"");
      }
      config.ssh.strict_host_key_checking = mode;
    } else {
      throw config_error(node, origin, name, "is not a known setting");
    }
  }
}

// Each value as murder_client --setting takes it, checked against libtorrent's
// own names and kinds now rather than on every host later.
std::vector<std::string> parse_libtorrent_settings(const toml::table& table, const std::string& origin) {
  std::vector<std::string> settings;
  for (const auto& [raw_key, node] : table) {
    std::string name(raw_key.str());
    std::string value;
    if (auto b = node.value_exact<bool>()) value = *b ? "true" : "false";
    else if (auto i = node.value_exact<std::int64_t>()) value = std::to_string(*i);
    else if (auto text = node.value_exact<std::string>()) value = *text;
    else throw config_error(node, origin, "libtorrent." + name, "must be a number, true/false or a string");
    try {
      libtorrent::settings_pack check;
      client::apply_setting_override(check, name + "=" + value);
    } catch (const failure& e) {
      throw config_error(node, origin, "libtorrent." + name, e.what());
    }
    settings.push_back(name + "=" + value);
  }
  return settings;
}

// [locations]: each name with its address ranges, as murder_tracker --location takes them.
std::vector<std::string> parse_locations_table(const toml::table& table, const std::string& origin) {
  std::vector<std::string> texts;
  for (const auto& [raw_key, node] : table) {
    const std::string name(raw_key.str());
    std::string ranges;
    for (const auto& range : get_string_list(node, origin, "locations." + name, "network")) {
      ranges += (ranges.empty() ? "" : ",") + range;
    }
    texts.push_back(name + "=" + ranges);
    try {
      parse_locations(texts);
    } catch (const failure& e) {
      throw config_error(node, origin, "locations." + name, e.what());
    }
  }
  return texts;
}

}  // namespace

murder_config parse_config(std::string_view text, const std::string& origin, const std::filesystem::path& base_dir) {
  toml::table root;
  try {
    root = toml::parse(text, origin);
  } catch (const toml::parse_error& e) {
    throw failure(exit_code::usage, origin + " line " + std::to_string(e.source().begin.line) + ": " +
                                        std::string(e.description()));
  }
  murder_config config;
  const std::map<std::string, std::string*> strings = {
      {"user", &config.user},
      {"host_suffix", &config.host_suffix},
      {"remote_murder_path", &config.remote_murder_path},
      {"default_temp_path", &config.default_temp_path},
      {"default_tag", &config.default_tag},
      {"default_seeder_files_path", &config.default_seeder_files_path},
      {"default_destination_path", &config.default_destination_path},
      {"metrics_dir", &config.metrics_dir},
  };
  for (const auto& [raw_key, node] : root) {
    std::string key(raw_key.str());
    if (auto it = strings.find(key); it != strings.end()) {
      *it->second = get_string(node, origin, key);
    } else if (key == "tracker_port") {
      config.tracker_port = get_int(node, origin, key, 1, 65535);
    } else if (key == "bundle_uploads") {
      config.bundle_uploads = get_int(node, origin, key, 1, 1000000);
    } else if (key == "bundle_port") {
      config.bundle_port = get_int(node, origin, key, 0, 65535);
    } else if (key == "allowed_networks") {
      std::string joined;
      for (const auto& network : get_string_list(node, origin, key, "network")) joined += (joined.empty() ? "" : ",") + network;
      try {
        parse_cidr_list(joined);
      } catch (const failure& e) {
        throw config_error(node, origin, key, e.what());
      }
      config.allowed_networks = joined;
    } else if (key == "super_seeding") {
      auto value = node.value<bool>();
      if (!value) throw config_error(node, origin, key, "must be true or false");
      config.super_seeding = *value;
    } else if (key == "seed_every_request") {
      auto value = node.value<bool>();
      if (!value) throw config_error(node, origin, key, "must be true or false");
      config.seed_every_request = *value;
    } else if (key == "max_upload_rate") {
      config.max_upload_rate = get_int(node, origin, key, 0, 2000000);
    } else if (key == "max_download_rate") {
      config.max_download_rate = get_int(node, origin, key, 0, 2000000);
    } else if (key == "max_connections") {
      config.max_connections = get_int(node, origin, key, 0, 10000);
      // libtorrent keeps at least two connections to a torrent.
      if (config.max_connections == 1) throw config_error(node, origin, key, "must be 0 (no limit) or at least 2");
    } else if (key == "transfer_mode") {
      config.transfer_mode = get_string(node, origin, key);
      try {
        parse_transfer_mode(config.transfer_mode);
      } catch (const failure& e) {
        throw config_error(node, origin, key, e.what());
      }
    } else if (key == "piece_size") {
      config.piece_size = get_int(node, origin, key, 16 * 1024, 16 * 1024 * 1024);
      if (config.piece_size & (config.piece_size - 1)) throw config_error(node, origin, key, "must be a power of two");
    } else if (key == "libtorrent" && node.is_table()) {
      config.libtorrent_settings = parse_libtorrent_settings(*node.as_table(), origin);
    } else if (key == "locations" && node.is_table()) {
      config.locations = parse_locations_table(*node.as_table(), origin);
    } else if (key == "roles" && node.is_table()) {
      parse_roles(*node.as_table(), origin, base_dir, config);
    } else if (key == "ssh" && node.is_table()) {
      parse_ssh(*node.as_table(), origin, config);
    } else {
      throw config_error(node, origin, key, "is not a known setting");
    }
  }
  return config;
}

std::vector<std::string> parse_hosts(std::string_view text) {
  std::vector<std::string> hosts;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = line_content(text.substr(start, end - start));
    start = end + 1;
    if (!line.empty()) hosts.emplace_back(line);
  }
  return hosts;
}

void apply_role_defaults(murder_config& config) {
  if (config.peers.empty()) throw failure(exit_code::usage, "no peer hosts: set [roles] peer, peer_file or --hosts");
  if (config.trackers.empty()) config.trackers.push_back(config.peers.front());
  if (config.seeder.empty()) config.seeder = config.peers.front();
  const std::string& suffix = config.host_suffix;
  auto add_suffix = [&](std::string& host) {
    if (!suffix.empty() && (host.size() < suffix.size() || host.compare(host.size() - suffix.size(), suffix.size(), suffix) != 0)) {
      host += suffix;
    }
  };
  for (auto& tracker : config.trackers) add_suffix(tracker);
  add_suffix(config.seeder);
  for (auto& peer : config.peers) add_suffix(peer);
  // A host name goes to libssh and, quoted, onto the host's own command line
  // (as its address); anything but a plain name or address is a mistake or an attack.
  auto check = [](const std::string& host) {
    bool plain = !host.empty() && (std::isalnum(static_cast<unsigned char>(host[0])) || host[0] == '[') &&
                 host.size() <= 253 &&
                 std::all_of(host.begin(), host.end(), [](char c) {
                   return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_' || c == ':' ||
                          c == '[' || c == ']';
                 });
    if (!plain) {
      throw failure(exit_code::usage, "host name '" + host + "' is not a plain host name or address (letters, digits, "
                                      "'.', '-', '_', ':' and [ ] only)");
    }
  };
  for (const auto& tracker : config.trackers) check(tracker);
  check(config.seeder);
  for (const auto& peer : config.peers) check(peer);
}

std::string expand_home(const std::string& path) {
  const char* home = std::getenv("HOME");
  if (home && path.rfind("~/", 0) == 0) return std::string(home) + path.substr(1);
  return path;
}

std::map<std::string, std::string> parse_assignments(const std::vector<std::string>& words) {
  std::map<std::string, std::string> values;
  for (const auto& word : words) {
    auto eq = word.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw failure(exit_code::usage, "'" + word + "' is neither a task nor key=value");
    }
    values[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return values;
}

}  // namespace murder::ctl
