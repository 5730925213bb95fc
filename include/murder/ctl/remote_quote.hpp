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

// A path as one shell word. A leading "~/" stays relative to the login
// directory: it becomes "$HOME"/ followed by the quoted rest.
std::string shell_quote_path(std::string_view path);

// The words joined with spaces, each quoted with shell_quote_path (a word that
// is not a path never starts with "~/").
std::string shell_command(const std::vector<std::string>& words);


}  // namespace murder::ctl
