// distribute_files' host-to-host install (issue 14): which source each host
// gets (bundle_sources), and the remote fetch command, run here with /bin/sh
// against a real TCP server, checking what it fetched.
#include <gtest/gtest.h>
#include <libtorrent/hasher.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>
#include <vector>

#include "murder/core/hex.hpp"
#include "murder/ctl/bundle_commands.hpp"
#include "murder/ctl/bundle_sources.hpp"
#include "sandbox.hpp"

namespace murder::ctl {
namespace {

using std::chrono::milliseconds;

std::vector<std::string> hosts(int count) {
  std::vector<std::string> names;
  for (int i = 1; i <= count; ++i) names.push_back("h" + std::to_string(i));
  return names;
}

TEST(bundle_sources, the_first_hosts_get_uploads_then_hosts_that_serve_each_to_fanout_at_once) {
  bundle_sources pool(hosts(6), 2, 2);
  // h3 asks before the upload hosts: it waits for them, it gets no upload.
  EXPECT_FALSE(pool.take("h3", milliseconds(0)));
  auto first = pool.take("h2", milliseconds(0));
  auto second = pool.take("h1", milliseconds(0));
  ASSERT_TRUE(first && second);
  EXPECT_TRUE(first->from_workstation());
  EXPECT_TRUE(second->from_workstation());
  EXPECT_EQ(second->name(), "this machine");
  // Both uploads are installing: the next host waits for one to serve.
  EXPECT_FALSE(pool.take("h4", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  auto a = pool.take("h3", milliseconds(0));
  auto b = pool.take("h4", milliseconds(0));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(a->name(), "198.18.0.11 port 4001");
  EXPECT_EQ(b->address, "198.18.0.11");
  EXPECT_FALSE(pool.take("h5", milliseconds(0))) << "a third fetch from a source serving two";
  pool.give_back(*a, bundle_sources::outcome::fetched);
  auto c = pool.take("h5", milliseconds(0));
  ASSERT_TRUE(c);
  EXPECT_EQ(c->address, "198.18.0.11");
  EXPECT_EQ(pool.uploads(), 2u);
  EXPECT_TRUE(pool.serves("h1"));
  EXPECT_FALSE(pool.serves("h2"));
}

TEST(bundle_sources, a_waiting_host_gets_the_source_that_starts_serving) {
  bundle_sources pool(hosts(3), 1, 2);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  std::optional<bundle_source> got;
  auto started = std::chrono::steady_clock::now();
  std::thread waiter([&] { got = pool.take("h2", std::chrono::seconds(60)); });
  pool.serving("h1", "198.18.0.11", 4001);
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30)) << "it was not woken";
  ASSERT_TRUE(got);
  EXPECT_EQ(got->address, "198.18.0.11");
}

TEST(bundle_sources, uploads_again_when_nothing_holds_the_bundle_or_is_installing_it) {
  bundle_sources pool(hosts(4), 1, 2);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.not_serving();  // the one upload's install failed
  auto again = pool.take("h2", milliseconds(0));
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->from_workstation());
  EXPECT_EQ(pool.uploads(), 2u);
}

TEST(bundle_sources, a_host_that_failed_with_every_source_is_told_at_once) {
  bundle_sources pool(hosts(4), 1, 2);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  auto only = pool.take("h2", milliseconds(0));
  ASSERT_TRUE(only);
  pool.give_back(*only, bundle_sources::outcome::failed);
  auto started = std::chrono::steady_clock::now();
  EXPECT_FALSE(pool.take("h2", std::chrono::seconds(60), {"198.18.0.11"}));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(30)) << "it waited for nothing";
  EXPECT_EQ(pool.uploads(), 1u) << "a host that cannot fetch gets no upload of its own";
}

TEST(bundle_sources, a_source_that_failed_twice_in_a_row_is_dropped) {
  bundle_sources pool(hosts(8), 1, 4);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  // A success between two failures keeps it.
  pool.give_back(*pool.take("h2", milliseconds(0)), bundle_sources::outcome::failed);
  pool.give_back(*pool.take("h3", milliseconds(0)), bundle_sources::outcome::fetched);
  pool.not_serving();  // h3 will not serve
  pool.give_back(*pool.take("h4", milliseconds(0)), bundle_sources::outcome::failed);
  auto still = pool.take("h5", milliseconds(0));
  ASSERT_TRUE(still);
  EXPECT_EQ(still->address, "198.18.0.11");
  // Its second failure in a row (its server gone, say) drops it: nothing else
  // holds the bundle and nothing installs, so a first ask gets an upload.
  pool.give_back(*still, bundle_sources::outcome::failed);
  auto next = pool.take("h6", milliseconds(0));
  ASSERT_TRUE(next);
  EXPECT_TRUE(next->from_workstation());
}

TEST(bundle_sources, a_source_serving_again_on_the_same_port_is_a_new_one) {
  bundle_sources pool(hosts(4), 1, 1);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  auto first = pool.take("h2", milliseconds(0));
  ASSERT_TRUE(first);
  pool.withdraw("h1");                       // its install failed ...
  pool.serving("h1", "198.18.0.11", 4001);   // ... and a retry serves again, same port
  pool.give_back(*first, bundle_sources::outcome::unused);
  auto second = pool.take("h3", milliseconds(0));
  ASSERT_TRUE(second) << "the new server is free: h2's give_back was the old one's";
  EXPECT_NE(second->id, first->id);
}

TEST(bundle_sources, a_fetch_that_never_started_counts_against_no_source) {
  bundle_sources pool(hosts(8), 1, 1);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  for (const char* host : {"h2", "h3", "h4"}) {
    auto s = pool.take(host, milliseconds(0));
    ASSERT_TRUE(s) << host << " found the source still busy";
    pool.give_back(*s, bundle_sources::outcome::unused);
  }
  EXPECT_TRUE(pool.take("h5", milliseconds(0)));
}

TEST(bundle_sources, a_withdrawn_source_is_not_handed_out) {
  bundle_sources pool(hosts(4), 1, 2);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  pool.serving("h1", "198.18.0.11", 4001);
  pool.give_back(*pool.take("h2", milliseconds(0)), bundle_sources::outcome::fetched);
  pool.serving("h2", "198.18.0.12", 4002);
  pool.withdraw("h1");
  for (const char* host : {"h3", "h4"}) {
    auto s = pool.take(host, milliseconds(0));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->address, "198.18.0.12");
  }
  EXPECT_TRUE(pool.serves("h1")) << "its server must still be stopped";
}

TEST(bundle_sources, a_new_source_is_wanted_until_every_host_has_a_copy) {
  bundle_sources pool(hosts(3), 1, 1);
  ASSERT_TRUE(pool.take("h1", milliseconds(0)));
  EXPECT_TRUE(pool.wanted());
  pool.serving("h1", "198.18.0.11", 4001);
  pool.give_back(*pool.take("h2", milliseconds(0)), bundle_sources::outcome::fetched);
  EXPECT_TRUE(pool.wanted()) << "h3 has no copy yet";
  pool.not_serving();
  pool.give_back(*pool.take("h3", milliseconds(0)), bundle_sources::outcome::fetched);
  EXPECT_FALSE(pool.wanted()) << "three copies for three hosts";
}

// A TCP socket bound to a free port of 127.0.0.1 (in `port`), or -1.
int bound_to_loopback(int& port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in any{};
  any.sin_family = AF_INET;
  any.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t size = sizeof any;
  if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&any), sizeof any) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&any), &size) != 0) {
    if (fd >= 0) ::close(fd);
    return -1;
  }
  port = ntohs(any.sin_port);
  return fd;
}

// The fetch command against a server that sends `payload` to one connection.
class bundle_fetch : public testing::sandbox_test {
 protected:
  void SetUp() override {
    sandbox_test::SetUp();
    listener_ = bound_to_loopback(port_);
    ASSERT_GE(listener_, 0);
    ASSERT_EQ(::listen(listener_, 4), 0);
    std::filesystem::create_directories(path("root"));
  }
  void TearDown() override {
    ::shutdown(listener_, SHUT_RDWR);  // an accept() still waiting returns
    if (server_.joinable()) server_.join();
    ::close(listener_);
    sandbox_test::TearDown();
  }
  void serve(std::string payload) {
    server_ = std::thread([this, payload] {
      int socket = ::accept(listener_, nullptr, nullptr);
      if (socket < 0) return;
      for (size_t done = 0; done < payload.size();) {
        ssize_t n = ::write(socket, payload.data() + done, payload.size() - done);
        if (n <= 0) break;
        done += static_cast<size_t>(n);
      }
      ::close(socket);
    });
  }
  static std::string sha256(const std::string& data) {
    auto sum = libtorrent::hasher256(data.data(), static_cast<int>(data.size())).final();
    return to_hex(std::string_view(sum.data(), sum.size()));
  }
  // Runs `command` with /bin/sh; returns its exit status, stderr in errors_.
  int run(const std::string& command) {
    std::string full = "(" + command + ") 2> " + path("errors").string();
    int status = std::system(full.c_str());
    errors_ = slurp(path("errors"));
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  }
  bundle_source here() const { return bundle_source{"127.0.0.1", port_}; }

  int listener_ = -1;
  int port_ = 0;
  std::thread server_;
  std::string errors_;
};

TEST_F(bundle_fetch, names_a_fetched_copy_the_bundle_only_when_its_hash_matches) {
  const std::string bundle(300000, 'b');
  serve(bundle);
  ASSERT_EQ(run(bundle_fetch_command(path("root").string(), here(), sha256(bundle), bundle.size())), 0) << errors_;
  EXPECT_EQ(slurp(path("root/.bundle.tgz")), bundle);
  EXPECT_FALSE(std::filesystem::exists(path("root/.bundle.tgz.part")));
}

TEST_F(bundle_fetch, refuses_bytes_that_are_not_the_bundle_and_keeps_what_was_there) {
  write(path("root/.bundle.tgz"), "an earlier copy");
  serve(std::string(300000, 'x'));
  EXPECT_EQ(run(bundle_fetch_command(path("root").string(), here(), sha256("the real bundle"), 300000)), 3);
  EXPECT_NE(errors_.find("the bundle from 127.0.0.1 port " + std::to_string(port_) + " is not the one sent"),
            std::string::npos)
      << errors_;
  EXPECT_EQ(slurp(path("root/.bundle.tgz")), "an earlier copy");
  EXPECT_FALSE(std::filesystem::exists(path("root/.bundle.tgz.part")));
}

TEST_F(bundle_fetch, says_which_source_could_not_be_reached) {
  // Bound but not listening: a connection there is refused, and the port
  // stays ours.
  int port = 0;
  int closed = bound_to_loopback(port);
  ASSERT_GE(closed, 0);
  EXPECT_EQ(run(bundle_fetch_command(path("root").string(), bundle_source{"127.0.0.1", port}, sha256("x"), 1)), 4);
  ::close(closed);
  EXPECT_NE(errors_.find("cannot fetch the bundle from 127.0.0.1 port " + std::to_string(port)), std::string::npos)
      << errors_;
  EXPECT_FALSE(std::filesystem::exists(path("root/.bundle.tgz.part")));
}

TEST_F(bundle_fetch, a_stream_cut_short_is_worth_another_source) {
  const std::string bundle(300000, 'b');
  serve(bundle.substr(0, 1000));
  EXPECT_EQ(run(bundle_fetch_command(path("root").string(), here(), sha256(bundle), bundle.size())), 4);
  EXPECT_NE(errors_.find("was cut short (1000 of 300000 bytes)"), std::string::npos) << errors_;
  EXPECT_FALSE(std::filesystem::exists(path("root/.bundle.tgz.part")));
  EXPECT_FALSE(std::filesystem::exists(path("root/.bundle.tgz")));
}

TEST_F(bundle_fetch, checks_an_uploaded_copy_too) {
  write(path("root/.bundle.tgz.part"), "uploaded, then damaged");
  EXPECT_EQ(run(bundle_fetch_command(path("root").string(), bundle_source{}, sha256("uploaded"), 8)), 3);
  EXPECT_NE(errors_.find("the bundle from this machine is not the one sent"), std::string::npos) << errors_;
  write(path("root/.bundle.tgz.part"), "uploaded");
  EXPECT_EQ(run(bundle_fetch_command(path("root").string(), bundle_source{}, sha256("uploaded"), 8)), 0) << errors_;
  EXPECT_EQ(slurp(path("root/.bundle.tgz")), "uploaded");
}

}  // namespace
}  // namespace murder::ctl
