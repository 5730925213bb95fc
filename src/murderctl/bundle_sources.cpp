#include "murder/ctl/bundle_sources.hpp"

#include <algorithm>
#include <tuple>

namespace murder::ctl {

bundle_sources::bundle_sources(std::vector<std::string> hosts, std::size_t uploads, std::size_t fanout)
    : hosts_(hosts.size()), fanout_(std::max<std::size_t>(1, fanout)) {
  hosts.resize(std::min(std::max<std::size_t>(1, uploads), hosts.size()));
  reserved_ = std::move(hosts);
}

std::optional<bundle_source> bundle_sources::pick(const std::string& host, const std::vector<std::string>& avoid,
                                                  bool& never) {
  never = false;
  if (auto it = std::find(reserved_.begin(), reserved_.end(), host); it != reserved_.end()) {
    reserved_.erase(it);
    ++uploads_;
    ++installing_;
    return bundle_source{};
  }
  auto avoided = [&](const server& s) { return std::find(avoid.begin(), avoid.end(), s.where.address) != avoid.end(); };
  server* best = nullptr;
  bool busy = false;
  for (auto& s : servers_) {
    if (!s.usable() || avoided(s)) continue;
    if (s.open >= fanout_) {
      busy = true;
    } else if (!best || std::tie(s.open, s.fetched) < std::tie(best->open, best->fetched)) {
      best = &s;
    }
  }
  if (best) {
    ++best->open;
    return best->where;
  }
  if (busy || installing_ > 0 || !reserved_.empty()) return std::nullopt;  // one will have room
  // Nothing holds the bundle and nothing is about to: the first hosts all
  // failed. One more upload starts the chain again, for a host that has not
  // failed to fetch (one that has is out of sources and fails).
  never = !avoid.empty();
  if (never) return std::nullopt;
  ++uploads_;
  ++installing_;
  return bundle_source{};
}

std::optional<bundle_source> bundle_sources::take(const std::string& host, std::chrono::milliseconds patience,
                                                  const std::vector<std::string>& avoid) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + patience;
  for (;;) {
    bool never = false;
    if (auto source = pick(host, avoid, never)) return source;
    if (never) return std::nullopt;
    ++waiting_;
    const bool in_time = changed_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    --waiting_;
    if (!in_time) return pick(host, avoid, never);
  }
}

void bundle_sources::give_back(const bundle_source& source, outcome how) {
  if (source.from_workstation()) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (source.id < servers_.size()) {
    auto& s = servers_[source.id];
    if (s.open > 0) --s.open;
    if (how == outcome::fetched) {
      ++s.fetched;
      ++fetched_;
      s.failed_in_a_row = 0;
      ++installing_;
    } else if (how == outcome::failed) {
      ++s.failed_in_a_row;
    }
  }
  changed_.notify_all();
}

void bundle_sources::serving(const std::string& host, const std::string& address, int port) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (installing_ > 0) --installing_;
  servers_.push_back(server{host, bundle_source{address, port, servers_.size()}});
  serving_hosts_.insert(host);
  changed_.notify_all();
}

void bundle_sources::not_serving() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (installing_ > 0) --installing_;
  changed_.notify_all();
}

void bundle_sources::withdraw(const std::string& host) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto& s : servers_) {
    if (s.host == host) s.withdrawn = true;
  }
  changed_.notify_all();
}

bool bundle_sources::wanted() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return uploads_ + fetched_ < hosts_ || waiting_ > 0;
}

bool bundle_sources::serves(const std::string& host) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return serving_hosts_.count(host) > 0;
}

std::size_t bundle_sources::uploads() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return uploads_;
}

}  // namespace murder::ctl
