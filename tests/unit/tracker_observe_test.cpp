// What the tracker shows of itself: /metrics and the status page.
#include <gtest/gtest.h>

#include <regex>

#include "murder/core/hex.hpp"
#include "tracker_helpers.hpp"

namespace murder::testing {

namespace {

// The value of the one sample `series` (name and labels, exactly as printed).
double sample(const std::string& text, const std::string& series) {
  const std::string line_start = series + " ";
  size_t at = text.find("\n" + line_start);
  EXPECT_NE(at, std::string::npos) << "no sample " << series << " in\n" << text;
  if (at == std::string::npos) return -1;
  return std::stod(text.substr(at + 1 + line_start.size()));
}

std::string attribute(const std::string& html, const std::string& name) {
  std::smatch m;
  EXPECT_TRUE(std::regex_search(html, m, std::regex(name + "=\"([^\"]*)\""))) << name;
  return m[1];
}

}  // namespace

TEST_F(handler_fixture, metrics_count_swarms_requests_refusals_and_reported_bytes) {
  get(announce_target(hash_a, 1, 6881, 0));
  get(announce_target(hash_a, 2, 6882, 500, "&downloaded=700&uploaded=30"));
  get(announce_target(hash_a, 2, 6882, 0, "&downloaded=1200&uploaded=80&event=completed"));
  get(announce_target(hash_b, 3, 6883, 100));
  get("/scrape");
  get("/announce?info_hash=short");
  get("/announce", "::1");
  auto reply = get("/metrics");
  ASSERT_EQ(reply.status, 200);
  const std::string& m = reply.body;
  EXPECT_EQ(sample(m, "murder_tracker_torrents"), 2);
  EXPECT_EQ(sample(m, "murder_tracker_peers"), 3);
  EXPECT_EQ(sample(m, "murder_tracker_announces_total"), 4);
  EXPECT_EQ(sample(m, "murder_tracker_scrapes_total"), 1);
  EXPECT_EQ(sample(m, "murder_tracker_refused_total{reason=\"malformed\"}"), 2);
  EXPECT_EQ(sample(m, "murder_tracker_refused_total{reason=\"not_allowed\"}"), 0);
  const std::string a = "{info_hash=\"" + to_hex(hash_a) + "\",tag=\"\"}";
  EXPECT_EQ(sample(m, "murder_tracker_torrent_seeds" + a), 2);
  EXPECT_EQ(sample(m, "murder_tracker_torrent_leechers" + a), 0);
  EXPECT_EQ(sample(m, "murder_tracker_torrent_completed_total" + a), 1);
  // Growth since each peer's first report: 1200 - 700 and 80 - 30.
  EXPECT_EQ(sample(m, "murder_tracker_torrent_downloaded_bytes_total" + a), 500);
  EXPECT_EQ(sample(m, "murder_tracker_torrent_uploaded_bytes_total" + a), 50);
  // Every announce and scrape before this one was timed, and lands in the +Inf bucket.
  EXPECT_EQ(sample(m, "murder_tracker_reply_seconds_count"), 7);
  EXPECT_EQ(sample(m, "murder_tracker_reply_seconds_bucket{le=\"+Inf\"}"), 7);
  EXPECT_LE(sample(m, "murder_tracker_reply_seconds_bucket{le=\"0.0001\"}"),
            sample(m, "murder_tracker_reply_seconds_bucket{le=\"0.1\"}"));
  EXPECT_NE(m.find("# TYPE murder_tracker_reply_seconds histogram"), std::string::npos);
}

TEST_F(handler_fixture, the_page_counts_done_in_progress_and_stalled_hosts) {
  auto from = [](int i) { return "10.0.0." + std::to_string(i); };
  get(announce_target(hash_a, 0, 7000, 0), from(0));  // the seeder
  get(announce_target(hash_a, 9, 7009, 0), from(0));  // its host's own peer: one host
  for (int i = 1; i <= 3; ++i) get(announce_target(hash_a, i, 7000 + i, 1000), from(i));
  now += 20;
  get(announce_target(hash_a, 1, 7001, 400), from(1));   // progressing
  get(announce_target(hash_a, 2, 7002, 1000), from(2));  // announcing, but not progressing
  now += 20;  // 40 s: past two 15 s intervals and a margin for 2 and 3 (silent)
  get(announce_target(hash_a, 1, 7001, 300), from(1));
  const std::string page = get("/").body;
  EXPECT_EQ(attribute(page, "data-done"), "1");
  EXPECT_EQ(attribute(page, "data-in-progress"), "1");
  EXPECT_EQ(attribute(page, "data-stalled"), "2");
  // Stuck hosts come first in the list of hosts.
  const size_t first_row = page.find("<tr class=");
  ASSERT_NE(first_row, std::string::npos);
  EXPECT_EQ(page.compare(first_row, 22, "<tr class=\"stalled\"><t"), 0) << page.substr(first_row, 60);
  EXPECT_NE(page.find("http-equiv=\"refresh\""), std::string::npos);
}

TEST_F(handler_fixture, ten_thousand_hosts_are_listed_a_page_at_a_time) {
  for (int i = 0; i < 10000; ++i) {
    get(announce_target(hash_a, i, 7000, i % 2 ? 0 : 100, "&ip=10.0." + std::to_string(i / 250) + "." +
                                                            std::to_string(i % 250)));
  }
  const std::string page = get("/").body;
  EXPECT_EQ(attribute(page, "data-done"), "5000");
  EXPECT_NE(page.find("page 1 of 200"), std::string::npos);
  EXPECT_LT(page.size(), 40000u) << "one page of rows, not 10,000";
  const std::string torrent = "/?torrent=" + to_hex(hash_a);
  const std::string last = get(torrent + "&page=200").body;
  EXPECT_NE(last.find("page 200 of 200"), std::string::npos);
  EXPECT_NE(last.find("Peers 9951–10000 of 10000"), std::string::npos);
  // Out of range or not a number: the nearest page.
  EXPECT_NE(get(torrent + "&page=0").body.find("page 1 of 200"), std::string::npos);
  EXPECT_NE(get(torrent + "&page=-1").body.find("page 200 of 200"), std::string::npos);
  EXPECT_NE(get(torrent + "&page=99999999999999999999").body.find("page 200 of 200"), std::string::npos);
  EXPECT_NE(get(torrent + "&page=x").body.find("page 1 of 200"), std::string::npos);
  std::string upper = to_hex(hash_a);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  EXPECT_NE(get("/?torrent=" + upper + "&page=2").body.find("page 2 of 200"), std::string::npos);
}

}  // namespace murder::testing
