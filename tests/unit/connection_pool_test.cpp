#include <gtest/gtest.h>

#include <map>
#include <string>

#include "murder/core/error.hpp"
#include "murder/ctl/connection_pool.hpp"

namespace murder::ctl {
namespace {

// Counts connections made; each fails its commands once `closed` is set, as a
// connection the host dropped would.
struct counting_transport : transport {
  struct connection : host_connection {
    explicit connection(bool& closed) : closed_(closed) {}
    command_result run(const std::string& command, std::chrono::seconds, const line_sink&) override {
      if (closed_) throw not_started(exit_code::network, "connection closed");
      if (command == "lost") throw failure(exit_code::network, "connection lost while a command ran");
      return {command == "false" ? 1 : 0, command, ""};
    }
    void upload(std::string_view, const std::string&, unsigned) override {}
    std::string download(const std::string&) override { throw failure(exit_code::bad_input, "no such file"); }
    bool& closed_;
  };
  std::unique_ptr<host_connection> connect(const std::string& host) override {
    ++made[host];
    if (unreachable.count(host)) throw failure(exit_code::network, host + ": no route to host");
    closed[host] = false;
    return std::make_unique<connection>(closed[host]);
  }
  std::map<std::string, int> made;
  std::map<std::string, bool> closed;
  std::map<std::string, bool> unreachable;
};

TEST(connection_pool, tasks_one_after_another_share_one_connection_a_host) {
  auto inner = std::make_unique<counting_transport>();
  auto& counts = *inner;
  auto pool = make_reusing_transport(std::move(inner), 10);
  for (int task = 0; task < 8; ++task) {
    for (const char* host : {"h1", "h2"}) {
      auto c = pool->connect(host);
      EXPECT_EQ(c->run(task == 3 ? "false" : "true", std::chrono::seconds(1), {}).exit_status, task == 3 ? 1 : 0);
    }
  }
  EXPECT_EQ(counts.made["h1"], 1);
  EXPECT_EQ(counts.made["h2"], 1);
  // Two at once to one host: two connections, both kept.
  auto a = pool->connect("h1");
  auto b = pool->connect("h1");
  EXPECT_EQ(counts.made["h1"], 2);
}

TEST(connection_pool, a_failed_connection_is_dropped_and_a_stale_one_replaced) {
  auto inner = std::make_unique<counting_transport>();
  auto& counts = *inner;
  auto pool = make_reusing_transport(std::move(inner), 10);
  {
    auto c = pool->connect("h1");
    EXPECT_THROW(c->download("missing"), failure);  // failed: not given back
  }
  pool->connect("h1")->run("true", std::chrono::seconds(1), {});
  EXPECT_EQ(counts.made["h1"], 2);
  counts.closed["h1"] = true;  // the host closed the idle connection
  EXPECT_EQ(pool->connect("h1")->run("again", std::chrono::seconds(1), {}).output, "again");
  EXPECT_EQ(counts.made["h1"], 3);
  // A command that may have run is never run again, even on an idle connection.
  EXPECT_THROW(pool->connect("h1")->run("lost", std::chrono::seconds(1), {}), failure);
  EXPECT_EQ(counts.made["h1"], 3);
  // A connection that breaks in use is not retried behind the task's back.
  auto c = pool->connect("h1");
  c->run("true", std::chrono::seconds(1), {});
  counts.closed["h1"] = true;
  EXPECT_THROW(c->run("true", std::chrono::seconds(1), {}), failure);
}

TEST(connection_pool, a_host_connected_ahead_is_used_and_a_quick_failure_ahead_is_met_again) {
  auto inner = std::make_unique<counting_transport>();
  auto& counts = *inner;
  auto pool = make_reusing_transport(std::move(inner), 10);
  pool->prepare("h1");
  pool->prepare("h1");  // already waiting in the pool
  EXPECT_EQ(counts.made["h1"], 1);
  EXPECT_EQ(pool->connect("h1")->run("true", std::chrono::seconds(1), {}).output, "true");
  EXPECT_EQ(counts.made["h1"], 1);

  // A quick failure ahead (refused, no route) is simply met again.
  counts.unreachable["h2"] = true;
  pool->prepare("h2");
  EXPECT_THROW(pool->connect("h2"), failure);
  EXPECT_EQ(counts.made["h2"], 2);
}

TEST(connection_pool, a_slow_failure_ahead_is_the_answer_to_the_first_use_not_a_second_wait) {
  auto inner = std::make_unique<counting_transport>();
  auto& counts = *inner;
  // Every failure counts as slow here (a dead host's timeout takes seconds).
  auto pool = make_reusing_transport(std::move(inner), 10, std::chrono::milliseconds(0));
  counts.unreachable["h2"] = true;
  pool->prepare("h2");
  EXPECT_EQ(counts.made["h2"], 1);
  try {
    pool->connect("h2");
    ADD_FAILURE() << "connected to an unreachable host";
  } catch (const failure& e) {
    EXPECT_EQ(std::string(e.what()), "h2: no route to host");
  }
  EXPECT_EQ(counts.made["h2"], 1);  // the failure ahead was the answer
  EXPECT_THROW(pool->connect("h2"), failure);  // a retry tries again
  EXPECT_EQ(counts.made["h2"], 2);
}

TEST(connection_pool, at_most_capacity_idle_connections_are_kept) {
  auto inner = std::make_unique<counting_transport>();
  auto& counts = *inner;
  auto pool = make_reusing_transport(std::move(inner), 2);
  for (const char* host : {"h1", "h2", "h3"}) pool->connect(host)->run("true", std::chrono::seconds(1), {});
  for (const char* host : {"h2", "h3", "h1"}) pool->connect(host)->run("true", std::chrono::seconds(1), {});
  EXPECT_EQ(counts.made["h1"], 2);  // the oldest went when h3's came back
  EXPECT_EQ(counts.made["h2"], 1);
  EXPECT_EQ(counts.made["h3"], 1);
}

}  // namespace
}  // namespace murder::ctl
