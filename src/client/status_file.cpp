#include "murder/client/status_file.hpp"

#include "figures_json.hpp"

#include <algorithm>
#include <stdexcept>

#include "murder/core/files.hpp"

namespace murder::client {

double run_figures::copies_uploaded() const {
  return static_cast<double>(bytes_uploaded) / static_cast<double>(std::max<std::uint64_t>(1, bytes_total));
}

run_figures seed_figures(std::string state, std::uint64_t bytes_total, std::uint64_t bytes_uploaded,
                         std::uint64_t requests_refused) {
  run_figures figures;
  figures.role = "seed";
  figures.state = std::move(state);
  figures.bytes_total = bytes_total;
  figures.bytes_uploaded = bytes_uploaded;
  figures.requests_refused = requests_refused;
  return figures;
}

std::filesystem::path status_path_for(const std::filesystem::path& pidfile) {
  auto path = pidfile;
  if (path.extension() == ".pid") path.replace_extension();
  path += ".status.json";
  return path;
}

nlohmann::ordered_json figures_object(const run_figures& figures) {
  nlohmann::ordered_json j = {{"role", figures.role},
                              {"state", figures.state},
                              {"bytes_total", figures.bytes_total},
                              {"bytes_uploaded", figures.bytes_uploaded},
                              {"copies_uploaded", figures.copies_uploaded()},
                              {"requests_refused", figures.requests_refused}};
  if (figures.role == "peer") {
    j["bytes_done"] = figures.bytes_done;
    j["bytes_from_peers"] = figures.bytes_from_peers;
    if (figures.state == "done") {
      j["download_seconds"] = figures.download_seconds;
      j["deliver_seconds"] = figures.deliver_seconds;
    }
    if (figures.state == "failed") {
      j["exit_code"] = figures.exit_code;
      j["error"] = figures.error;
    }
  }
  return j;
}

run_figures figures_from_object(const nlohmann::ordered_json& j) {
  if (!j.is_object()) throw std::invalid_argument("not a JSON object");
  run_figures figures;
  try {
    figures.role = j.at("role").get<std::string>();
    figures.state = j.at("state").get<std::string>();
    figures.bytes_total = j.at("bytes_total").get<std::uint64_t>();
    figures.bytes_uploaded = j.at("bytes_uploaded").get<std::uint64_t>();
    figures.requests_refused = j.value<std::uint64_t>("requests_refused", 0);
    figures.bytes_done = j.value<std::uint64_t>("bytes_done", 0);
    figures.bytes_from_peers = j.value<std::uint64_t>("bytes_from_peers", 0);
    figures.download_seconds = j.value("download_seconds", 0.0);
    figures.deliver_seconds = j.value("deliver_seconds", 0.0);
    figures.exit_code = j.value("exit_code", 0);
    figures.error = j.value("error", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw std::invalid_argument(e.what());
  }
  return figures;
}

std::string to_json(const run_figures& figures) {
  return figures_object(figures).dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
}

run_figures figures_from_json(const std::string& text) {
  return figures_from_object(nlohmann::ordered_json::parse(text, nullptr, false));
}

void write_status(const std::filesystem::path& path, const run_figures& figures) {
  write_file_atomically(path, to_json(figures));
}

std::optional<run_figures> read_status(const std::filesystem::path& path) {
  try {
    return figures_from_json(read_file(path));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace murder::client
