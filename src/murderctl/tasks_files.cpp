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
  // remote_murder_path is replaced wholesale; a directory this full is more
  // likely a mistake (/usr, a home directory) than an old murder install.
  call.run("mkdir -p " + dir + " && n=$(find " + dir + " -xdev 2>/dev/null | head -n 1001 | wc -l) && " +
           "if [ \"$n\" -gt 1000 ]; then printf 'refusing to clear %s: it holds 1000 files or more\\n' " + dir +
           " >&2; exit 2; fi");
  call.upload(call.env().bundle_contents, root + "/.bundle.tgz", 0600);
  // bin/ and lib/ are swapped in; run/, log/ and torrents/ (daemons' state) stay.
  std::string version = last_line(call.run("cd " + dir +
                                           " && rm -rf .bundle-new && mkdir .bundle-new && tar --no-same-owner -xzf .bundle.tgz -C "
                                           ".bundle-new && rm -rf bin lib && mv .bundle-new/bin .bundle-new/lib . && "
                                           "rmdir .bundle-new && rm -f .bundle.tgz && bin/murder_client --version")
                                      .output);
  return "murder " + version + " in " + root;
}

std::string clean_temp_files(host_call& call) {
  const auto& env = call.env();
  call.run(shell_command({"rm", "-f", "--", env.payload_path(), env.torrent_path()}));
  return "removed " + env.payload_path() + "{,.torrent}";
}

std::string status(host_call& call) {
  const auto& layout = call.env().layout;
  // Exit status 1 only says that something named is not running.
  auto result = call.run(shell_command({layout.program("murder_client"), "status", "--json"}) + " " +
                             shell_quote_path(layout.run_dir()) + "/*.pid",
                         1);
  std::string running;
  for_each_event(result.output, [&](const client::client_event& event) {
    const auto* status = std::get_if<client::status_event>(&event);
    if (!status || !status->running) return;
    std::string name = std::filesystem::path(status->pidfile).stem().string();
    running += (running.empty() ? "" : ", ") + name;
  });
  return running.empty() ? "nothing running" : "running: " + running;
}

}  // namespace murder::ctl
