#include <libtorrent/hasher.hpp>

#include <algorithm>
#include <cstdlib>
#include <sstream>
#include <memory>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"
#include "murder/ctl/bundle_commands.hpp"
#include "murder/ctl/bundle_sources.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

namespace {
// Hosts a host serving the bundle sends it to at once: with links as the
// limit, the hosts holding it grow by (1 + fanout) every fanout copy times,
// fastest at 1; 2 hides some of each fetch's start.
constexpr std::size_t bundle_fanout = 2;
}  // namespace

void check_bundle(const task_env& env) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(env.bundle, ec)) {
    throw failure(exit_code::usage, "no murder bundle at " + env.bundle.string() +
                                        " (scripts/build makes it; or give --bundle FILE)");
  }
}

void prepare_bundle(task_env& env) {
  env.bundle_contents = read_file(env.bundle);
  libtorrent::hasher256 digest(env.bundle_contents.data(), static_cast<int>(env.bundle_contents.size()));
  const auto sum = digest.final();
  env.bundle_sha256 = to_hex(std::string_view(sum.data(), sum.size()));
  const auto& tasks = all_tasks();
  auto self = std::find_if(tasks.begin(), tasks.end(), [](const task& t) { return t.name == "distribute_files"; });
  env.bundle_pool = std::make_shared<bundle_sources>(hosts_for(*self, env.config),
                                                     static_cast<std::size_t>(env.config.bundle_uploads), bundle_fanout);
}

namespace {

// Releases an installing host's claim on the pool unless it became a source.
class installing_claim {
 public:
  explicit installing_claim(bundle_sources& pool) : pool_(pool) {}
  ~installing_claim() {
    if (held_) pool_.not_serving();
  }
  installing_claim(const installing_claim&) = delete;
  installing_claim& operator=(const installing_claim&) = delete;
  void hold() { held_ = true; }
  void serving(const std::string& host, const std::string& address, int port) {
    pool_.serving(host, address, port);
    held_ = false;
  }

 private:
  bundle_sources& pool_;
  bool held_ = false;
};

// Gets a checked .bundle.tgz onto the host: from the workstation or from
// up to three hosts that have it. Returns where it came from.
std::string fetch_bundle(host_call& call, installing_claim& claim) {
  const auto& env = call.env();
  auto& pool = *env.bundle_pool;
  std::vector<std::string> failed;
  std::string why;
  while (failed.size() < 3) {
    auto source = pool.take(call.host(), env.command_timeout, failed);
    if (!source) break;
    if (source->from_workstation()) {
      claim.hold();
      call.run(shell_command({"mkdir", "-p", "--", env.layout.root}));
      call.upload(env.bundle_contents, env.layout.root + "/.bundle.tgz.part", 0600);
      call.run(bundle_fetch_command(env.layout.root, *source, env.bundle_sha256));
      return source->name();
    }
    command_result result;
    try {
      result = call.run(bundle_fetch_command(env.layout.root, *source, env.bundle_sha256), 255);
    } catch (...) {
      pool.give_back(*source, bundle_sources::outcome::unused);
      throw;
    }
    const bool fetched = result.exit_status == 0;
    pool.give_back(*source, fetched ? bundle_sources::outcome::fetched : bundle_sources::outcome::failed);
    if (fetched) {
      claim.hold();
      return source->name();
    }
    why = last_line(result.errors);
    if (result.exit_status != 4 && result.exit_status != 3) {
      throw failure(exit_code::usage, call.host() + ": " + why + "; the installed murder is unchanged");
    }
    failed.push_back(source->address);
  }
  throw failure(exit_code::network, call.host() + ": " + (why.empty() ? "no host had the bundle to pass on" : why) +
                                        "; the installed murder is unchanged");
}

// The address other hosts reach `host` at: where its SSH session arrived,
// else the name murderctl uses (without a user@).
std::string reachable_address(const std::string& reported, const std::string& host) {
  if (!reported.empty()) return reported;
  auto at = host.rfind('@');
  return at == std::string::npos ? host : host.substr(at + 1);
}

}  // namespace

std::string distribute_files(host_call& call) {
  const auto& env = call.env();
  const auto& root = env.layout.root;
  installing_claim claim(*env.bundle_pool);
  std::string from = fetch_bundle(call, claim);
  const bool pass_on = env.bundle_pool->wanted();
  std::string version = last_line(call.run(bundle_install_command(root, pass_on)).output);
  std::string note = version + " (from " + from + ")";
  if (!pass_on) return note;
  auto served = call.run(bundle_serve_command(root, env.config.bundle_port), 255);
  std::string address;
  int port = 0;
  std::istringstream lines(served.output);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("address ", 0) == 0) address = line.substr(8);
    auto at = line.find(" on port ");
    if (at != std::string::npos) port = std::atoi(line.c_str() + at + 9);
  }
  if (served.exit_status != 0 || port <= 0) {
    return note + "; not passing it on: " + last_line(served.errors.empty() ? served.output : served.errors);
  }
  claim.serving(call.host(), reachable_address(address, call.host()), port);
  return note;
}

std::string finish_distribute(host_call& call) {
  // Only the hosts that passed the bundle on have anything to stop; the
  // others keep their note and are not connected to again.
  if (!call.env().bundle_pool->serves(call.host())) return "";
  call.run(bundle_stop_command(call.env().layout.root));
  return "";
}

std::string clean_temp_files(host_call& call) {
  const auto& env = call.env();
  // -r: a tree transfer's payload is the seeder's snapshot directory.
  call.run(shell_command({"rm", "-rf", "--", env.payload_path(), env.torrent_path()}));
  return "removed " + env.payload_path() + "{,.torrent}";
}

std::string status(host_call& call) {
  const auto& layout = call.env().layout;
  // Exit status 1 only says that something named is not running.
  auto result = call.run(shell_command({layout.program("murder_client"), "status", "--json", "--home", layout.root}), 1);
  std::string running;
  for_each_event(result.output, [&](const client::client_event& event) {
    const auto* status = std::get_if<client::status_event>(&event);
    if (!status || !status->running) return;
    std::string name = std::filesystem::path(status->pidfile).stem().string();
    running += (running.empty() ? "" : ", ") + name;
  });
  return running.empty() ? "nothing running" : "running: " + running;
}

std::string check_install(host_call& call) {
  const auto& layout = call.env().layout;
  // For fleets that install murder with their package manager (the .deb):
  // nothing is uploaded, the installed version must be this murderctl's.
  auto result = call.run(shell_command({layout.program("murder_client"), "--version"}));
  const std::string installed = last_line(result.output);
  if (installed != MURDER_VERSION) {
    throw failure(exit_code::bad_input, call.host() + " has murder " + installed + " in " + layout.root +
                                            ", not " + MURDER_VERSION + " as this murderctl");
  }
  return "murder " + installed + " in " + layout.root;
}

}  // namespace murder::ctl
