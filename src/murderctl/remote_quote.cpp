#include "murder/ctl/remote_quote.hpp"

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

}  // namespace murder::ctl
