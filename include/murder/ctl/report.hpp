#pragma once
// What the operator sees: a live progress line while tasks run (on a terminal;
// one line per finished task otherwise), then a table with a row per host and
// task, or the same as JSON, and a summary.

#include <cstdio>
#include <memory>
#include <vector>

#include "murder/ctl/runner.hpp"

namespace murder::ctl {

// Writes to `out` (stderr): a redrawn line on a terminal, else a line per task.
std::unique_ptr<run_observer> make_progress_display(std::FILE* out);

// Tasks with more than `full_rows` hosts list only their failed hosts, then a
// count of the rest. Ends with the summary line.
void print_table(std::FILE* out, const std::vector<host_result>& results, double seconds, size_t full_rows = 50);

// {"ok": bool, "seconds": s, "hosts": n, "failed_hosts": [...], "results": [rows]}
void print_json(std::FILE* out, const std::vector<host_result>& results, double seconds);

// True when no row failed.
bool all_ok(const std::vector<host_result>& results);

}  // namespace murder::ctl
