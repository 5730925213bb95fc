#include "murder/ctl/ssh_config_file.hpp"

#include <fnmatch.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace murder::ctl {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// A `Host` line matches when some pattern matches and no negated one does.
bool host_line_matches(const std::vector<std::string>& patterns, const std::string& host) {
  bool matched = false;
  for (const auto& pattern : patterns) {
    bool negated = !pattern.empty() && pattern[0] == '!';
    std::string glob = negated ? pattern.substr(1) : pattern;
    if (::fnmatch(glob.c_str(), host.c_str(), 0) == 0) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

}  // namespace

std::optional<std::string> strict_host_key_checking_for(std::string_view ssh_config_text, const std::string& host) {
  std::istringstream lines{std::string(ssh_config_text)};
  std::string line;
  bool active = true;  // lines before the first Host apply to every host
  while (std::getline(lines, line)) {
    for (char& c : line) {
      if (c == '=' || c == '\t') c = ' ';
    }
    std::istringstream words(line);
    std::string keyword;
    if (!(words >> keyword) || keyword[0] == '#') continue;
    keyword = lower(keyword);
    if (keyword == "host") {
      std::vector<std::string> patterns;
      for (std::string p; words >> p;) patterns.push_back(p);
      active = host_line_matches(patterns, host);
    } else if (keyword == "match") {
      active = false;
    } else if (active && keyword == "stricthostkeychecking") {
      std::string value;
      words >> value;
      value = lower(value);
      if (value == "no" || value == "off") return "no";
      if (value == "accept-new") return "accept-new";
      if (value == "yes" || value == "ask" || value == "on") return "yes";
    }
  }
  return std::nullopt;
}

}  // namespace murder::ctl
