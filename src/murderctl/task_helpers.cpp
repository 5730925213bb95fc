#include "murder/ctl/remote_quote.hpp"
#include "task_bodies.hpp"

namespace murder::ctl {

std::string remote_command(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += shell_quote_path(w);
  }
  return out;
}

std::string last_output_line(const command_result& result) {
  const std::string& text = result.output;
  auto end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  auto start = text.find_last_of('\n', end);
  size_t from = start == std::string::npos ? 0 : start + 1;
  return text.substr(from, end - from + 1);
}

std::string stop_note(const command_result& result) {
  int stopped = 0;
  for (size_t at = 0; (at = result.output.find("stopped pid", at)) != std::string::npos; ++at) ++stopped;
  for (size_t at = 0; (at = result.output.find("killed pid", at)) != std::string::npos; ++at) ++stopped;
  return stopped ? "stopped " + std::to_string(stopped) + " process" + (stopped > 1 ? "es" : "")
                 : "was not running";
}

std::string start_unless_running(const remote_layout& layout, const std::string& pidfile, const std::string& start) {
  std::string status = remote_command({layout.program("murder_client"), "status", pidfile});
  return remote_command({"mkdir", "-p", layout.run_dir(), layout.log_dir(), layout.torrent_dir()}) + " && if " +
         status + " >/dev/null 2>&1; then echo \"already running\"; else " + start + "; fi";
}

}  // namespace murder::ctl
