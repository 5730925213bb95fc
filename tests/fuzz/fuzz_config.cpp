// libFuzzer target: murderctl's murder.toml, hosts files and key=value words.
// Bad input must give one failure with a message, never a crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/ctl/config.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  try {
    auto config = murder::ctl::parse_config(text, "fuzz.toml", "/nonexistent");
    murder::ctl::apply_role_defaults(config);
  } catch (const murder::failure& e) {
    if (std::string_view(e.what()).empty()) __builtin_trap();
  }
  try {
    murder::ctl::parse_hosts(text);
  } catch (const murder::failure&) {
  }
  std::vector<std::string> words;
  for (size_t start = 0; start <= text.size();) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    words.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  try {
    murder::ctl::parse_assignments(words);
  } catch (const murder::failure&) {
  }
  return 0;
}
