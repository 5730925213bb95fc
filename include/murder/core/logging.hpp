#pragma once
// The one place loggers are made. Programs build a logger in main() and pass it
// down; library code never looks one up by name.

#include <spdlog/logger.h>

#include <memory>
#include <string>

namespace murder {

// A logger named `program` writing to stderr, or appending to `logfile` when it is
// not empty. Throws failure(usage) when the log file cannot be opened.
std::shared_ptr<spdlog::logger> make_logger(const std::string& program, const std::string& logfile = "");

}  // namespace murder
