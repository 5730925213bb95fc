#include <libtorrent/hasher.hpp>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <optional>

#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "murder/core/hex.hpp"
#include "murder/ctl/bundle_commands.hpp"
#include "murder/ctl/bundle_sources.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

namespace {
// Hosts a host serving the bundle sends it to at once. With the hosts'
// links as the limit, the hosts holding it grow by (1 + fanout) every fanout
// copy times: fastest at 1 (40 hosts on 100 Mbit/s: 8.7 s against 9.4 s at
// 2, docs/BENCHMARKS.md).
constexpr std::size_t bundle_fanout = 1;
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
      call.run(bundle_fetch_command(env.layout.root, *source, env.bundle_sha256, env.bundle_contents.size()));
      return source->name();
    }
    command_result result;
    try {
      result = call.run(bundle_fetch_command(env.layout.root, *source, env.bundle_sha256, env.bundle_contents.size()),
                        255);
    } catch (...) {
      pool.give_back(*source, bundle_sources::outcome::unused);
      throw;
    }
    const bool fetched = result.exit_status == 0;
    // Only a failed or damaged stream (4, 3) may be the source's fault.
    const bool sources_fault = result.exit_status == 4 || result.exit_status == 3;
    pool.give_back(*source, fetched          ? bundle_sources::outcome::fetched
                            : sources_fault ? bundle_sources::outcome::failed
                                            : bundle_sources::outcome::unused);
    if (fetched) {
      claim.hold();
      return source->name();
    }
    why = last_line(result.errors);
    if (!sources_fault) {  // nothing another source would change
      throw failure(result.exit_status == 2 ? exit_code::usage : exit_code::failure,
                    call.host() + ": " + why + "; the installed murder is unchanged");
    }
    failed.push_back(source->address);
  }
  throw failure(exit_code::network, call.host() + ": " + (why.empty() ? "no host had the bundle to pass on" : why) +
                                        "; the installed murder is unchanged");
}

// Where other hosts reach `host`: the address its SSH session arrived at,
// unless that means nothing to them (loopback: a tunnel; link-local; none:
// the local transport), then the name murderctl uses.
std::string reachable_address(const std::string& arrived_at, const std::string& host) {
  const bool useless = arrived_at.empty() || arrived_at.rfind("127.", 0) == 0 || arrived_at == "::1" ||
                       arrived_at.rfind("::ffff:127.", 0) == 0 || arrived_at.rfind("fe80:", 0) == 0 ||
                       arrived_at.find('%') != std::string::npos || arrived_at[0] == '-';
  return useless ? host : arrived_at;
}

}  // namespace

std::string distribute_files(host_call& call) {
  const auto& env = call.env();
  installing_claim claim(*env.bundle_pool);
  std::string note = " (from " + fetch_bundle(call, claim) + ")";
  std::optional<int> serve_port;
  if (env.bundle_pool->wanted()) serve_port = env.config.bundle_port;
  // The next hosts may fetch from this one as soon as it serves, while it
  // still installs.
  std::string address;
  bool serving = false;
  auto on_line = [&](std::string_view line) {
    if (line.substr(0, 8) == "address ") address = std::string(line.substr(8));
    auto at = line.find(" on port ");
    if (serving || at == std::string_view::npos) return;
    int port = std::atoi(std::string(line.substr(at + 9)).c_str());
    if (port <= 0) return;
    claim.serving(call.host(), reachable_address(address, call.host()), port);
    serving = true;
  };
  command_result result;
  try {
    result = call.run(bundle_install_command(env.layout.root, serve_port), 0, on_line);
  } catch (...) {
    // A failed row gets no finish: its server goes now (hosts fetching from
    // it try another).
    if (serving) {
      env.bundle_pool->withdraw(call.host());
      try {
        call.run(bundle_stop_command(env.layout.root));
      } catch (const failure&) {
        // It exits by itself once idle; the install's failure is the news.
      }
    }
    throw;
  }
  if (serve_port && !serving) note += "; not passing it on (see the host's log)";
  return last_line(result.output) + note;
}

std::string finish_distribute(host_call& call) {
  // Only the hosts that passed the bundle on have anything to stop; the
  // others keep their note and are not connected to again.
  if (!call.env().bundle_pool->serves(call.host())) return "";
  try {
    call.run(bundle_stop_command(call.env().layout.root));
  } catch (const failure& e) {
    // The host is installed; its server exits by itself once idle.
    call.log(std::string("could not stop the bundle server: ") + e.what());
  }
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
