#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>

#include "murder/core/error.hpp"
#include "murder/ctl/tasks.hpp"

namespace murder::ctl {

namespace {

std::mutex log_mutex;

exit_code exit_code_of(int remote_status) {
  switch (remote_status) {
    case 2: return exit_code::usage;
    case 3: return exit_code::bad_input;
    case 4: return exit_code::network;
    case 5: return exit_code::disk;
    default: return exit_code::failure;
  }
}

}  // namespace

std::string last_line(const std::string& text) {
  auto end = text.find_last_not_of("\r\n");
  if (end == std::string::npos) return "";
  auto start = text.find_last_of('\n', end);
  size_t from = start == std::string::npos ? 0 : start + 1;
  return text.substr(from, end - from + 1);
}

void host_log::write(std::string_view text) const {
  if (file_.empty()) return;
  std::lock_guard<std::mutex> lock(log_mutex);
  std::ofstream out(file_, std::ios::app);
  out << text;
  if (!text.empty() && text.back() != '\n') out << '\n';
}

command_result host_call::run(const std::string& command, int highest_ok,
                              const std::function<void(std::string_view)>& on_output) {
  log("$ " + command);
  auto started = std::chrono::steady_clock::now();
  auto result = connection_.run(command, env_.command_timeout, [&](std::string_view line, bool is_stderr) {
    log(std::string(is_stderr ? "! " : "  ") + std::string(line));
    if (on_output && !is_stderr) on_output(line);
  });
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  char summary[96];
  std::snprintf(summary, sizeof summary, "exit %d after %.2f s", result.exit_status, seconds);
  log(summary);
  if (result.exit_status <= highest_ok) return result;
  std::string why = last_line(result.errors);
  if (why.empty()) why = last_line(result.output);
  if (why.empty()) why = "exit status " + std::to_string(result.exit_status);
  if (result.exit_status == 127) why += " (has distribute_files run on this host?)";
  throw failure(exit_code_of(result.exit_status), host_ + ": " + why);
}

void host_call::upload(std::string_view contents, const std::string& remote_path, unsigned mode) {
  log("upload " + std::to_string(contents.size()) + " bytes to " + remote_path);
  connection_.upload(contents, remote_path, mode);
}

std::string host_call::download(const std::string& remote_path) {
  log("download " + remote_path);
  return connection_.download(remote_path);
}

std::filesystem::path task_env::local_torrent_path() const { return expand_home(torrent_path()); }

deploy_values resolve_values(const murder_config& config, const std::map<std::string, std::string>& assignments) {
  deploy_values v;
  v.tag = config.default_tag;
  v.files_path = config.default_seeder_files_path;
  v.destination_path = config.default_destination_path;
  v.temp_path = config.default_temp_path;
  v.mode = parse_transfer_mode(config.transfer_mode);
  const std::map<std::string, std::string*> strings = {
      {"tag", &v.tag}, {"files_path", &v.files_path}, {"destination_path", &v.destination_path}, {"temp_path", &v.temp_path}};
  const std::map<std::string, bool*> flags = {{"no_tag_directory", &v.no_tag_directory},
                                              {"unsafe_please_delete", &v.unsafe_please_delete},
                                              {"path_is_file", &v.path_is_file},
                                              {"do_not_download_torrent", &v.do_not_download_torrent}};
  for (const auto& [key, value] : assignments) {
    if (key == "stall_timeout") {
      char* end = nullptr;
      long seconds = std::strtol(value.c_str(), &end, 10);
      if (value.empty() || *end != '\0' || seconds < 1 || seconds > 86400) {
        throw failure(exit_code::usage, "stall_timeout must be a number of seconds from 1 to 86400, not '" + value + "'");
      }
      v.stall_timeout = static_cast<int>(seconds);
    } else if (key == "transfer_mode") {
      v.mode = parse_transfer_mode(value);
    } else if (key == "base_tag") {
      validate_tag(value);
      v.base_tag = value;
    } else if (auto s = strings.find(key); s != strings.end()) {
      *s->second = value;
    } else if (auto f = flags.find(key); f != flags.end()) {
      // As with the original's ENV checks, any value but an empty one or 0 sets it.
      *f->second = !value.empty() && value != "0";
    } else {
      throw failure(exit_code::usage, "unknown setting '" + key +
                                          "' (known: tag, files_path, destination_path, temp_path, no_tag_directory, "
                                          "unsafe_please_delete, path_is_file, do_not_download_torrent, stall_timeout, transfer_mode, base_tag)");
    }
  }
  if (v.temp_path.empty()) throw failure(exit_code::usage, "temp_path may not be empty");
  return v;
}

}  // namespace murder::ctl
