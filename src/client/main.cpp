// murder_client: peer (download, verify, deliver, seed a while) or seed.
#include <cstdio>
#include <functional>

#include "murder/client/client.hpp"
#include "murder/client/command_line.hpp"
#include "murder/client/control.hpp"
#include "murder/client/serve_bundle.hpp"
#include "murder/client/status_events.hpp"
#include "murder/core/error.hpp"
#include "murder/core/logging.hpp"
#include "murder/core/program.hpp"

namespace {

// With --json, a failure is also a "failed" event on stdout, for the reader of
// the event lines; run_program still prints the error line and sets the status.
int events_on_failure(bool json, const std::function<int()>& run) {
  auto say = [&](int code, const char* message) {
    if (json) std::printf("%s\n", murder::client::to_json_line(murder::client::failed_event{code, message}).c_str());
  };
  try {
    return run();
  } catch (const murder::failure& e) {
    say(static_cast<int>(e.code()), e.what());
    throw;
  } catch (const std::exception& e) {
    say(1, e.what());
    throw;
  }
}

}  // namespace

int main(int argc, char** argv) {
  return murder::run_program("murder_client", [&] {
    using mode = murder::client::client_command::mode;
    auto parsed = murder::client::parse_client_command(argc, argv);
    if (auto* status = std::get_if<int>(&parsed)) return *status;
    const auto& c = std::get<murder::client::client_command>(parsed);
    switch (c.what) {
      case mode::stop: return murder::client::run_stop(c.pidfiles, std::chrono::seconds(c.grace), c.json);
      case mode::status:
        return murder::client::run_status(c.pidfiles, c.json,
                                          std::chrono::milliseconds(static_cast<long long>(c.wait * 1000)),
                                          c.progress);
      case mode::install_bundle: return murder::client::run_install_bundle(c.home);
      case mode::serve_bundle: return murder::client::run_serve_bundle(c.serve);
      case mode::reports: return murder::client::run_reports(c.reports);
      case mode::peer:
        return events_on_failure(c.peer.json, [&] {
          return murder::client::run_peer(c.peer, murder::make_logger("murder_client", c.logfile));
        });
      case mode::seed:
        return events_on_failure(c.seed.json, [&] {
          return murder::client::run_seed(c.seed, murder::make_logger("murder_client", c.logfile));
        });
    }
    return 1;
  });
}
