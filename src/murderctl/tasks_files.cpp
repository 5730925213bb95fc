#include "murder/core/error.hpp"
#include "murder/core/files.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

void check_bundle(const task_env& env) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(env.bundle, ec)) {
    throw failure(exit_code::usage, "no murder bundle at " + env.bundle.string() +
                                        " (scripts/build makes it; or give --bundle FILE)");
  }
}

void prepare_bundle(task_env& env) { env.bundle_contents = read_file(env.bundle); }

std::string distribute_files(host_call& call) {
  const auto& root = call.env().layout.root;
  std::string dir = shell_quote_path(root);
  call.run(shell_command({"mkdir", "-p", "--", root}));
  call.upload(call.env().bundle_contents, root + "/.bundle.tgz", 0600);
  // Unpacked beside the old install; its own murder_client then swaps bin/ and
  // lib/ in (run/, log/ and torrents/ stay) and refuses a directory too full
  // to be a murder install.
  std::string version = last_line(call.run("cd -- " + dir +
                                           " && rm -rf .bundle-new && mkdir .bundle-new && tar --no-same-owner -xzf "
                                           ".bundle.tgz -C .bundle-new && .bundle-new/bin/murder_client install-bundle "
                                           "--home .")
                                      .output);
  return version;
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
