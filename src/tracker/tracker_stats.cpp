#include "murder/tracker/tracker_stats.hpp"

#include <numeric>

namespace murder::tracker {

std::string_view refusal_label(refusal r) {
  switch (r) {
    case refusal::not_allowed: return "not_allowed";
    case refusal::address: return "address";
    case refusal::malformed: return "malformed";
    case refusal::too_large: return "too_large";
    case refusal::tracker_full: return "tracker_full";
    case refusal::scrape: return "scrape_forbidden";
  }
  return "other";
}

void reply_time_histogram::observe(double seconds) {
  ++count_;
  sum_ += seconds;
  for (size_t i = 0; i < bounds.size(); ++i) {
    if (seconds <= bounds[i]) {
      ++in_bucket_[i];
      return;
    }
  }
}

std::uint64_t reply_time_histogram::at_most(size_t i) const {
  return std::accumulate(in_bucket_.begin(), in_bucket_.begin() + static_cast<std::ptrdiff_t>(i) + 1, std::uint64_t{0});
}

std::uint64_t tracker_stats::refused() const {
  return std::accumulate(refused_by.begin(), refused_by.end(), std::uint64_t{0});
}

}  // namespace murder::tracker
