// Process housekeeping: the open-file limit murderctl raises for its
// concurrency, and the pidfile that lets one daemon of a kind run.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "murder/core/error.hpp"
#include "murder/core/process.hpp"

namespace {

struct open_files_test : ::testing::Test {
  rlimit saved{};
  void SetUp() override { ASSERT_EQ(::getrlimit(RLIMIT_NOFILE, &saved), 0); }
  void TearDown() override { ::setrlimit(RLIMIT_NOFILE, &saved); }
  rlim_t soft() const {
    rlimit now{};
    ::getrlimit(RLIMIT_NOFILE, &now);
    return now.rlim_cur;
  }
};

TEST_F(open_files_test, a_low_soft_limit_is_raised_to_what_is_needed) {
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 600) GTEST_SKIP() << "hard limit below 600 here";
  rlimit low = saved;
  low.rlim_cur = 256;
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &low), 0);
  murder::ensure_open_files(600, "concurrency 134");
  EXPECT_EQ(soft(), 600u);
  murder::ensure_open_files(300, "concurrency 59");  // never lowered
  EXPECT_EQ(soft(), 600u);
}

TEST_F(open_files_test, past_the_hard_limit_is_one_clear_refusal) {
  if (::geteuid() != 0) GTEST_SKIP() << "lowers the hard limit, which only root can raise back";
  if (saved.rlim_max != RLIM_INFINITY && saved.rlim_max < 512) GTEST_SKIP() << "hard limit below 512 here";
  rlimit capped = saved;
  capped.rlim_cur = 256;
  capped.rlim_max = 512;  // lowering the hard limit is allowed; TearDown restores it as root
  ASSERT_EQ(::setrlimit(RLIMIT_NOFILE, &capped), 0);
  try {
    murder::ensure_open_files(40064, "concurrency 10000");
    FAIL() << "no refusal";
  } catch (const murder::failure& e) {
    EXPECT_EQ(std::string(e.what()),
              "concurrency 10000 needs about 40064 open files, and this process may open at most 512 (ulimit -Hn): "
              "raise that limit, or ask for less");
    EXPECT_EQ(e.code(), murder::exit_code::usage);
  }
  EXPECT_EQ(soft(), 256u);
}

// Eight starts at once with one pidfile: exactly one may run. (The children
// count as murder processes because this binary's name starts with murder_.)
TEST(pidfile, of_eight_starts_at_once_exactly_one_runs) {
  const std::string dir = ::testing::TempDir() + "race-" + std::to_string(::getpid());
  const std::string path = dir + "/seed-T.pid";
  int gate[2], answers[2], done[2];
  ASSERT_EQ(::pipe(gate), 0);
  ASSERT_EQ(::pipe(answers), 0);
  ASSERT_EQ(::pipe(done), 0);
  std::vector<pid_t> children;
  for (int i = 0; i < 8; ++i) {
    pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      ::close(gate[1]);
      ::close(done[1]);
      char go;
      (void)::read(gate[0], &go, 1);  // all released together when the parent closes the gate
      char answer = 'n';
      try {
        murder::pidfile mine;
        mine.create(path);
        answer = 'y';
        (void)::write(answers[1], &answer, 1);
        (void)::read(done[0], &go, 1);  // alive until the parent has every answer
      } catch (const murder::failure&) {
        (void)::write(answers[1], &answer, 1);
      }
      ::_exit(0);
    }
    children.push_back(child);
  }
  ::close(gate[0]);
  ::close(gate[1]);
  ::close(answers[1]);
  ::close(done[0]);
  int ran = 0, refused = 0;
  for (char c; ran + refused < 8 && ::read(answers[0], &c, 1) == 1;) (c == 'y' ? ran : refused)++;
  ::close(done[1]);  // the winner may go now
  for (pid_t child : children) ::waitpid(child, nullptr, 0);
  ::close(answers[0]);
  std::filesystem::remove_all(dir);
  EXPECT_EQ(ran, 1);
  EXPECT_EQ(refused, 7);
}

}  // namespace
