#pragma once
// Quoting for everything murderctl sends to a remote shell. Every argument of a
// remote command goes through shell_quote, so no value (tag, path, host name)
// can run a command, whatever characters it holds.

#include <string>
#include <string_view>
#include <vector>

namespace murder::ctl {

// `value` as one POSIX shell word: wrapped in single quotes, each ' written '\''.
std::string shell_quote(std::string_view value);

// The words joined with spaces, each quoted.
std::string shell_command(const std::vector<std::string>& words);

// Throws failure(usage) unless `tag` is usable as a file name: non-empty, no '/',
// no NUL, not "." or "..", at most 200 bytes.
void validate_tag(std::string_view tag);

}  // namespace murder::ctl
