#pragma once
// The frame every murder program's `main` runs in: turns exceptions into one clear
// error line and an exit code, so no failure exits 0 or ends in a stack trace.

#include <functional>

namespace murder {

// Runs `body` and returns its exit status. A `murder::failure` prints
// "<program>: error: <message>" and returns its code; any other exception is
// reported the same way with exit_code::failure.
int run_program(const char* program, const std::function<int()>& body);

}  // namespace murder
