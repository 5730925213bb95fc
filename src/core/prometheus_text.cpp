#include "murder/core/prometheus_text.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

namespace murder {

std::string prometheus_label_value(std::string_view raw) {
  std::string out;
  for (char c : raw) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

std::string prometheus_number(double value) {
  // Doubles hold every whole number up to 2^53 exactly; casting a larger one
  // (or a NaN) to an integer would be undefined.
  constexpr double exact_limit = 9007199254740992.0;
  if (std::isfinite(value) && std::fabs(value) < exact_limit && value == std::floor(value)) {
    return std::to_string(static_cast<std::int64_t>(value));
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

void prometheus_text::family(std::string_view name, std::string_view type, std::string_view help) {
  text_.append("# HELP ").append(name).append(" ").append(help).append("\n# TYPE ").append(name).append(" ");
  text_.append(type).append("\n");
}

void prometheus_text::sample(std::string_view name, std::string_view labels, double value) {
  text_.append(name);
  if (!labels.empty()) text_.append("{").append(labels).append("}");
  text_.append(" ").append(prometheus_number(value)).append("\n");
}

}  // namespace murder
