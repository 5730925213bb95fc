#include "murder/ctl/remote_quote.hpp"

#include "murder/core/error.hpp"

namespace murder::ctl {

std::string shell_quote(std::string_view value) {
  std::string out;
  out.reserve(value.size() + 2);
  out += '\'';
  for (char c : value) {
    if (c == '\'') out += "'\\''";
    else out += c;
  }
  out += '\'';
  return out;
}

std::string shell_quote_path(std::string_view path) {
  if (path == "~") return "\"$HOME\"";
  if (path.substr(0, 2) == "~/") return "\"$HOME\"/" + shell_quote(path.substr(2));
  return shell_quote(path);
}

std::string shell_command(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ' ';
    out += shell_quote_path(w);
  }
  return out;
}

void validate_tag(std::string_view tag) {
  auto bad = [&](const char* why) { return failure(exit_code::usage, "tag '" + std::string(tag) + "' " + why); };
  if (tag.empty()) {
    throw failure(exit_code::usage, "you must specify a 'tag' parameter to identify the transfer (tag=NAME or default_tag)");
  }
  if (tag.find('/') != std::string_view::npos) throw bad("may not contain '/'");
  if (tag.find('\0') != std::string_view::npos) throw bad("may not contain a NUL byte");
  if (tag == "." || tag == "..") throw bad("is not a usable name");
  if (tag.size() > 200) throw bad("is longer than 200 bytes");
}

}  // namespace murder::ctl
