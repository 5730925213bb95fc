#pragma once
// Work over many items on a few threads, as murder_make_torrent's snapshot
// and a peer's reuse of an earlier release do it, file by file.

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace murder {

// Calls body(state, i) for every i in [0, count) on `threads` threads (this one
// among them), each with a state of its own from make_state() (its buffers).
// The first exception stops the others from taking more items and is thrown
// once every thread has stopped.
template <typename MakeState, typename Body>
void for_each_on_threads(std::size_t count, int threads, MakeState make_state, Body body) {
  std::atomic<std::size_t> next{0};
  std::exception_ptr failed;
  std::mutex failed_lock;
  auto worker = [&] {
    try {
      auto state = make_state();
      for (std::size_t at = next++; at < count; at = next++) body(state, at);
    } catch (...) {
      std::lock_guard<std::mutex> hold(failed_lock);
      if (!failed) failed = std::current_exception();
      next = count;
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < std::max(1, threads); ++t) pool.emplace_back(worker);
  worker();
  for (auto& t : pool) t.join();
  if (failed) std::rethrow_exception(failed);
}

}  // namespace murder
