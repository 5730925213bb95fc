// The tracker's store of peers' last words (peer_reports.hpp): what a peer may
// leave there, and who may read it.
#include <gtest/gtest.h>

#include <string>

#include "murder/tracker/peer_reports.hpp"
#include "tracker_helpers.hpp"

namespace murder::testing {
namespace {

const std::string key_1 = "0123456789abcdef0123456789abcdef";
const std::string key_2 = "fedcba9876543210fedcba9876543210";

std::string report_target(const std::string& hash, const std::string& key, const std::string& line) {
  return "/murder/report?info_hash=" + escape(hash) + "&key=" + key + "&report=" + escape(line);
}

TEST_F(handler_fixture, reports_are_kept_by_key_and_read_on_the_trackers_own_host) {
  get(announce_target(hash_a, 1, 7001, 100), "198.18.0.11");
  EXPECT_EQ(get(report_target(hash_a, key_1, R"({"event": "done"})"), "198.18.0.11").status, 200);
  EXPECT_EQ(get(report_target(hash_a, key_2, R"({"event": "failed"})"), "198.18.0.12").status, 200);
  // The first word under a key stands: another host cannot rewrite it.
  EXPECT_EQ(get(report_target(hash_a, key_1, R"({"event": "forged"})"), "198.18.0.13").status, 200);
  auto read = get("/murder/reports?info_hash=" + escape(hash_a));
  ASSERT_EQ(read.status, 200);
  EXPECT_EQ(read.body, "complete 0 incomplete 1 still 0\n" + key_1 + R"( {"event": "done"})" + "\n" + key_2 +
                           R"( {"event": "failed"})" + "\n");
  auto elsewhere = get("/murder/reports?info_hash=" + escape(hash_b));
  EXPECT_EQ(elsewhere.body, "complete 0 incomplete 0 still 0\n");
  // A downloader whose `left` stays put is counted as still since.
  now += 40;
  get(announce_target(hash_a, 1, 7001, 100), "198.18.0.11");
  EXPECT_EQ(get("/murder/reports?info_hash=" + escape(hash_a)).body.substr(0, 33), "complete 0 incomplete 1 still 40\n");
  EXPECT_EQ(get("/murder/reports?info_hash=" + escape(hash_a), "198.18.0.11").status, 403);
  EXPECT_EQ(get("/murder/reports?info_hash=" + escape(hash_a), "::1").status, 200);
  EXPECT_EQ(get("/murder/reports?info_hash=" + escape(hash_a), "::ffff:127.0.0.1").status, 200);
}

TEST_F(handler_fixture, bad_reports_are_refused_with_a_reason) {
  auto refused = [&](const std::string& target) { return get(target, "198.18.0.11"); };
  EXPECT_EQ(refused(report_target(hash_a, "short", "x")).status, 400);
  EXPECT_NE(refused(report_target(hash_a, "short", "x")).body.find("32 lowercase hex digits"), std::string::npos);
  EXPECT_EQ(refused(report_target(hash_a, key_1, "two\nlines")).status, 400);
  EXPECT_EQ(refused(report_target(hash_a, key_1, std::string(peer_reports::longest_report + 1, 'x'))).status, 400);
  EXPECT_EQ(refused("/murder/report?info_hash=" + escape("short") + "&key=" + key_1 + "&report=x").status, 400);
  EXPECT_EQ(refused("/murder/report?info_hash=" + escape(hash_a) + "&key=" + key_1).status, 400);
  EXPECT_EQ(get("/murder/reports?info_hash=" + escape(hash_a)).body, "complete 0 incomplete 0 still 0\n");
}

TEST(peer_reports, hold_at_most_their_bytes) {
  peer_reports reports;
  const auto hash = *info_hash::from(hash_a);
  const std::string line(peer_reports::longest_report, 'x');
  size_t kept = 0;
  for (unsigned i = 0; i < 2 * peer_reports::most_bytes / line.size(); ++i) {
    char key[33];
    std::snprintf(key, sizeof key, "%032x", i);
    if (reports.add(hash, key, line).empty()) ++kept;
  }
  EXPECT_GT(kept, 0u);
  EXPECT_LE(kept * (line.size() + 33), peer_reports::most_bytes);
  EXPECT_EQ(reports.lines(hash).size(), kept);
  char key[33];
  std::snprintf(key, sizeof key, "%032x", 999999999u);
  EXPECT_EQ(reports.add(hash, key, line), "the tracker holds as many reports as it keeps");
}

}  // namespace
}  // namespace murder::testing
