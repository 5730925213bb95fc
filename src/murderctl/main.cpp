// murderctl: run murder's tasks on a fleet over SSH (the Capistrano tasks of the
// original, as one program).
#include <CLI/CLI.hpp>

#include "murder/core/command_line.hpp"
#include "murder/core/program.hpp"
#include "murder/ctl/command.hpp"
#include "murder/ctl/tasks.hpp"

int main(int argc, char** argv) {
  return murder::run_program("murderctl", [&] {
    murder::ctl::command_options o;
    CLI::App app{"murderctl: deploy a directory to many servers by BitTorrent, driven over SSH\n\n"
                 "usage: murderctl [-c murder.toml] [options] TASK [TASK ...] [key=value ...]"};
    app.set_version_flag("--version", MURDER_VERSION);
    app.add_option("-c,--config", o.config_path, "murder.toml (default: ./murder.toml when present)");
    app.add_option("--hosts", o.hosts_file, "the peer hosts, one a line (# comments)");
    app.add_option("--local", o.local_root, "reach host H as directory DIR/H on this machine instead of by SSH");
    app.add_option("--bundle", o.bundle, "what distribute_files installs (default: the built murder-bundle.tar.gz)");
    app.add_option("--log-dir", o.log_dir, "keep one log per host in this directory");
    app.add_option("--retry", o.retries, "try a failed host this many more times")->capture_default_str();
    app.add_option("--retry-delay", o.retry_delay, "seconds before each retry")->capture_default_str();
    app.add_option("--concurrency", o.concurrency, "hosts at once (default: [ssh] concurrency, 100)");
    app.add_option("--timeout", o.timeout, "seconds one remote command may take (default: [ssh] command_timeout)");
    app.add_option("--format", o.format, "table or json")->check(CLI::IsMember({"table", "json"}))->capture_default_str();
    app.add_option("task", o.words, "tasks in order, then key=value settings (tag=..., destination_path=...)")
        ->required();
    app.footer(murder::ctl::task_help());
    if (auto done = murder::parse_command_line(app, argc, argv)) return *done;
    return murder::ctl::run_command(o);
  });
}
