#pragma once
// Failures a murder program reports to its operator, and the exit codes they map to.
//
// Every program turns a `murder::failure` that reaches `main` into exactly one line
// on stderr ("<program>: error: <what>") and the failure's exit code. The message
// must name the thing that failed: the host, the path, the URL, the tag.

#include <stdexcept>
#include <string>

namespace murder {

// Exit codes shared by all programs, so scripts can tell failure kinds apart.
enum class exit_code : int {
  ok = 0,
  failure = 1,    // anything not listed below
  usage = 2,      // bad command line or configuration
  bad_input = 3,  // unreadable or invalid input file (torrent, archive, payload)
  network = 4,    // tracker unreachable, peers unreachable, transfer stalled
  disk = 5,       // cannot write the output: full disk, permissions, unsafe target
};

class failure : public std::runtime_error {
 public:
  failure(exit_code code, const std::string& what) : std::runtime_error(what), code_(code) {}
  exit_code code() const noexcept { return code_; }

 private:
  exit_code code_;
};

}  // namespace murder
