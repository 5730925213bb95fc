#pragma once
// Pieces of the Prometheus text format (version 0.0.4) that the tracker's
// /metrics and murder_client's --metrics-file both write.

#include <string>
#include <string_view>

namespace murder {

// A label value: backslash, double quote and newline escaped.
std::string prometheus_label_value(std::string_view raw);

// A sample value: whole numbers exactly (up to 2^53), others in %.17g.
std::string prometheus_number(double value);

// Text in the exposition format, a family at a time:
//   # HELP name help / # TYPE name type, then name{labels} value lines.
class prometheus_text {
 public:
  void family(std::string_view name, std::string_view type, std::string_view help);
  // `labels` as written between the braces (values escaped by the caller); empty: none.
  void sample(std::string_view name, std::string_view labels, double value);
  std::string take() { return std::move(text_); }

 private:
  std::string text_;
};

}  // namespace murder
