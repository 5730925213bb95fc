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

}  // namespace murder
