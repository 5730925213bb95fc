#include "murder/tracker/http_request.hpp"

#include <cctype>

namespace murder::tracker {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view trimmed(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "close", "keep-alive", or a list of tokens holding one of them.
bool has_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    if (equals_ignoring_case(trimmed(list.substr(0, comma)), token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

}  // namespace

http_read_state read_http_request(std::string_view bytes, std::size_t max_bytes, http_request_head& head) {
  const auto end = bytes.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    return bytes.size() >= max_bytes ? http_read_state::too_large : http_read_state::incomplete;
  }
  if (end + 4 > max_bytes) return http_read_state::too_large;
  std::string_view text = bytes.substr(0, end + 2);  // every line ends "\r\n"

  auto line_end = text.find("\r\n");
  std::string_view line = text.substr(0, line_end);
  text.remove_prefix(line_end + 2);
  auto space = line.find(' ');
  auto last_space = line.rfind(' ');
  if (space == std::string_view::npos || space == 0 || last_space == space) return http_read_state::bad;
  head.method = line.substr(0, space);
  head.target = line.substr(space + 1, last_space - space - 1);
  std::string_view version = line.substr(last_space + 1);
  for (char c : head.method) {
    if (!is_token_char(c)) return http_read_state::bad;
  }
  if (head.target.empty() || head.target.find(' ') != std::string_view::npos) return http_read_state::bad;
  if (version == "HTTP/1.1") head.version = 11;
  else if (version == "HTTP/1.0") head.version = 10;
  else return http_read_state::bad;

  bool close = false, keep_alive = false;
  while (!text.empty()) {
    line_end = text.find("\r\n");
    line = text.substr(0, line_end);
    text.remove_prefix(line_end + 2);
    auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return http_read_state::bad;
    std::string_view name = line.substr(0, colon);
    for (char c : name) {
      if (!is_token_char(c)) return http_read_state::bad;
    }
    std::string_view value = trimmed(line.substr(colon + 1));
    if (equals_ignoring_case(name, "connection")) {
      close = close || has_token(value, "close");
      keep_alive = keep_alive || has_token(value, "keep-alive");
    } else if (equals_ignoring_case(name, "content-length")) {
      if (value.empty() || value.find_first_not_of("0123456789") != std::string_view::npos) return http_read_state::bad;
      if (value.find_first_not_of('0') != std::string_view::npos) return http_read_state::has_body;
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      return http_read_state::has_body;
    }
  }
  head.keep_alive = head.version == 11 ? !close : keep_alive && !close;
  head.length = end + 4;
  return http_read_state::complete;
}

}  // namespace murder::tracker
