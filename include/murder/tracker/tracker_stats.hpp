#pragma once
// What the tracker counts about its own work: requests answered and refused
// (by reason), reply times, open connections. Shown at /metrics and on the
// status page.

#include <array>
#include <cstdint>
#include <functional>
#include <string_view>

namespace murder::tracker {

enum class refusal {
  not_allowed,  // a torrent the tracker does not serve
  address,      // from outside --allowed_cidrs / --allowed_ips, or banned; or an `ip=` outside them
  malformed,    // a request that does not parse, or a method other than GET/HEAD
  too_large,    // a request head over the limit, or one with a body
  tracker_full, // a new swarm beyond --max_swarms
  scrape,       // a scrape that --scrape_allowed forbids
};
inline constexpr size_t refusal_kinds = 6;
// The reason's label at /metrics ("not_allowed", ...).
std::string_view refusal_label(refusal r);

// Seconds from a whole request to its reply, in Prometheus' histogram form.
class reply_time_histogram {
 public:
  // Upper bounds of the buckets, in seconds (the last bucket, +Inf, is implied).
  static constexpr std::array<double, 9> bounds = {0.00005, 0.0001, 0.00025, 0.0005, 0.001,
                                                   0.0025,  0.005,  0.01,    0.1};
  void observe(double seconds);
  // Replies that took at most bounds[i] (cumulative, as Prometheus wants it).
  std::uint64_t at_most(size_t i) const;
  std::uint64_t count() const { return count_; }
  double sum() const { return sum_; }

 private:
  std::array<std::uint64_t, bounds.size()> in_bucket_{};  // not cumulative
  std::uint64_t count_ = 0;
  double sum_ = 0;
};

struct tracker_stats {
  std::uint64_t announces = 0;
  std::uint64_t scrapes = 0;
  std::array<std::uint64_t, refusal_kinds> refused_by{};
  reply_time_histogram reply_times;
  // The server's open connections; unset (0) where there is no server.
  std::function<size_t()> open_connections;

  void refuse(refusal r) { ++refused_by[static_cast<size_t>(r)]; }
  std::uint64_t refused() const;
  std::uint64_t refused(refusal r) const { return refused_by[static_cast<size_t>(r)]; }
  size_t connections() const { return open_connections ? open_connections() : 0; }
};

}  // namespace murder::tracker
