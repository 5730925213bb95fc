#include "murder/ctl/connection_pool.hpp"

#include <chrono>
#include <condition_variable>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <utility>

#include "murder/core/error.hpp"

namespace murder::ctl {

namespace {

class reusing_transport;

// A connection on loan from the pool.
class pooled_connection final : public host_connection {
 public:
  pooled_connection(reusing_transport& owner, std::string host, std::unique_ptr<host_connection> inner, bool reused)
      : owner_(owner), host_(std::move(host)), inner_(std::move(inner)), reused_(reused) {}
  ~pooled_connection() override;

  command_result run(const std::string& command, std::chrono::seconds timeout, const line_sink& on_line) override {
    return use([&] { return inner_->run(command, timeout, on_line); });
  }
  void upload(std::string_view contents, const std::string& remote_path, unsigned mode) override {
    use([&] {
      inner_->upload(contents, remote_path, mode);
      return 0;
    });
  }
  std::string download(const std::string& remote_path) override {
    return use([&] { return inner_->download(remote_path); });
  }

 private:
  template <typename Operation>
  auto use(Operation operation) -> decltype(operation());

  reusing_transport& owner_;
  std::string host_;
  std::unique_ptr<host_connection> inner_;
  bool reused_;        // taken from the pool and not yet used
  bool broken_ = false;
};

class reusing_transport final : public transport {
 public:
  reusing_transport(std::unique_ptr<transport> inner, std::size_t capacity, std::chrono::milliseconds slow_failure)
      : inner_(std::move(inner)), capacity_(capacity), slow_failure_(slow_failure) {}

  std::unique_ptr<host_connection> connect(const std::string& host) override {
    {
      std::unique_lock<std::mutex> hold(lock_);
      prepared_.wait(hold, [&] { return preparing_.count(host) == 0; });
      for (auto it = idle_.begin(); it != idle_.end(); ++it) {
        if (it->first != host) continue;
        auto connection = std::move(it->second);
        idle_.erase(it);
        return std::make_unique<pooled_connection>(*this, host, std::move(connection), true);
      }
      // A slow failure of prepare() (a dead host's timeout) is the answer; a
      // retry connects anew.
      if (auto failed = refused_.find(host); failed != refused_.end()) {
        auto why = failed->second;
        refused_.erase(failed);
        std::rethrow_exception(why);
      }
    }
    return std::make_unique<pooled_connection>(*this, host, inner_->connect(host), false);
  }

  void prepare(const std::string& host) override {
    {
      std::lock_guard<std::mutex> hold(lock_);
      if (capacity_ == 0 || preparing_.count(host) != 0) return;
      for (const auto& [idle_host, connection] : idle_) {
        if (idle_host == host) return;
      }
      preparing_.insert(host);
    }
    const auto started = std::chrono::steady_clock::now();
    std::exception_ptr why;
    try {
      give_back(host, inner_->connect(host));
    } catch (...) {
      why = std::current_exception();
    }
    const bool slow = std::chrono::steady_clock::now() - started >= slow_failure_;
    {
      std::lock_guard<std::mutex> hold(lock_);
      preparing_.erase(host);
      // A quick failure (refused, no route) costs little to meet again.
      if (why && slow) refused_[host] = why;
    }
    prepared_.notify_all();
  }

  std::unique_ptr<host_connection> connect_anew(const std::string& host) { return inner_->connect(host); }

  void give_back(const std::string& host, std::unique_ptr<host_connection> connection) {
    std::unique_ptr<host_connection> dropped;  // closed outside the lock
    std::lock_guard<std::mutex> hold(lock_);
    if (capacity_ == 0) return;
    if (idle_.size() >= capacity_) {
      dropped = std::move(idle_.front().second);
      idle_.pop_front();
    }
    idle_.emplace_back(host, std::move(connection));
    refused_.erase(host);  // the host answers now
  }

 private:
  std::unique_ptr<transport> inner_;
  std::size_t capacity_;
  std::chrono::milliseconds slow_failure_;
  std::mutex lock_;
  std::deque<std::pair<std::string, std::unique_ptr<host_connection>>> idle_;  // oldest first
  std::set<std::string> preparing_;  // hosts prepare() is connecting to
  std::map<std::string, std::exception_ptr> refused_;  // why prepare() could not connect
  std::condition_variable prepared_;
};

pooled_connection::~pooled_connection() {
  if (!broken_) owner_.give_back(host_, std::move(inner_));
}

template <typename Operation>
auto pooled_connection::use(Operation operation) -> decltype(operation()) {
  const bool first_use_of_idle = reused_;
  reused_ = false;
  try {
    return operation();
  } catch (const not_started&) {
    if (!first_use_of_idle) {
      broken_ = true;
      throw;
    }
  } catch (...) {
    broken_ = true;
    throw;
  }
  // Closed by the host while idle: a new connection, and the operation again.
  inner_ = owner_.connect_anew(host_);
  try {
    return operation();
  } catch (...) {
    broken_ = true;
    throw;
  }
}

}  // namespace

std::unique_ptr<transport> make_reusing_transport(std::unique_ptr<transport> inner, std::size_t capacity,
                                                  std::chrono::milliseconds slow_failure) {
  return std::make_unique<reusing_transport>(std::move(inner), capacity, slow_failure);
}

}  // namespace murder::ctl
