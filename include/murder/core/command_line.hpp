#pragma once
// Every program parses its command line through here, so a bad one looks the
// same everywhere: one "<program>: error: ..." line and exit 2 (usage), never
// CLI11's own exit codes (106 for a missing argument, 109 for an extra one).

#include <CLI/CLI.hpp>

#include <optional>

#include "murder/core/error.hpp"

namespace murder {

// Parses argv into `app`. Returns the status to exit with now when the command
// line only asked for --help or --version (printed here); nothing when the
// program should go on. Throws failure(usage) naming what was wrong.
inline std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    throw failure(exit_code::usage, std::string(e.what()) + " (see --help)");
  }
  return std::nullopt;
}

}  // namespace murder
