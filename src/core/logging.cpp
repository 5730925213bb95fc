#include "murder/core/logging.hpp"

#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>

#include "murder/core/error.hpp"

namespace murder {

std::shared_ptr<spdlog::logger> make_logger(const std::string& program, const std::string& logfile) {
  spdlog::sink_ptr sink;
  if (logfile.empty()) {
    sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
  } else {
    try {
      sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(logfile);
    } catch (const spdlog::spdlog_ex& e) {
      throw failure(exit_code::usage, "cannot open log file " + logfile + ": " + e.what());
    }
  }
  auto logger = std::make_shared<spdlog::logger>(program, sink);
  logger->set_pattern("%Y-%m-%d %H:%M:%S.%e %n %l: %v");
  logger->flush_on(spdlog::level::info);
  return logger;
}

}  // namespace murder
