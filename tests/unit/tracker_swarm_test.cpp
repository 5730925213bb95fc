// The swarm's own bookkeeping: its index of peers, what the peers report, and
// location-aware replies.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "murder/core/error.hpp"
#include "tracker_helpers.hpp"

namespace murder::testing {

namespace {

peer_entry peer_at(int i, std::int64_t seen = 0) {
  peer_entry p;
  p.key = {*peer_id::from(peer_name(i)), stored_address::from(boost::asio::ip::make_address_v4(0x0a000000u + i))};
  p.address = p.key.source;
  p.port = static_cast<std::uint16_t>(1000 + i % 60000);
  p.last_seen = seen;
  return p;
}

}  // namespace

// Random inserts, refreshes, removals and expiries against a plain map: every
// peer the model holds is found at the position holding it, and no other.
TEST(peer_index, agrees_with_a_map_through_random_changes) {
  std::mt19937 rng(7);
  swarm s;
  std::map<int, std::int64_t> model;  // peer number -> last seen
  for (int step = 0; step < 20000; ++step) {
    const int i = static_cast<int>(rng() % 3000);
    const auto action = rng() % 10;
    if (action < 6) {
      const bool fresh = s.upsert(peer_at(i, step));
      EXPECT_EQ(fresh, model.count(i) == 0) << "step " << step;
      model[i] = step;
    } else if (action < 9) {
      s.remove(peer_at(i).key);
      model.erase(i);
    } else if (step % 500 == 0) {
      const std::int64_t cutoff = step - 400;
      const size_t gone = s.expire(cutoff);
      size_t expected = 0;
      for (auto it = model.begin(); it != model.end();) {
        if (it->second < cutoff) {
          it = model.erase(it);
          ++expected;
        } else {
          ++it;
        }
      }
      EXPECT_EQ(gone, expected);
    }
  }
  ASSERT_EQ(s.size(), model.size());
  for (int i = 0; i < 3000; ++i) {
    const peer_entry* found = s.find(peer_at(i).key);
    ASSERT_EQ(found != nullptr, model.count(i) == 1) << "peer " << i;
    if (found) {
      EXPECT_EQ(found->last_seen, model[i]);
    }
  }
}

TEST(swarm_reports, totals_count_growth_and_progress_is_when_left_went_down) {
  swarm s;
  peer_entry p = peer_at(1);
  p.left = 1000;
  p.downloaded = 100;
  p.uploaded = 10;
  p.progressed_at = 5;
  s.upsert(p);
  p.left = 1000;  // no progress: progressed_at stays 5
  p.downloaded = 150;
  p.progressed_at = 20;
  s.upsert(p);
  EXPECT_EQ(s.find(p.key)->progressed_at, 5);
  p.left = 400;
  p.downloaded = 700;
  p.uploaded = 50;
  p.progressed_at = 35;
  s.upsert(p);
  EXPECT_EQ(s.find(p.key)->progressed_at, 35);
  p.downloaded = 0;  // the client restarted: no negative growth
  s.upsert(p);
  // Growth from the first report (100 and 10), which is only the baseline.
  EXPECT_EQ(s.totals().downloaded, 600u);
  EXPECT_EQ(s.totals().uploaded, 40u);
  p.uploaded = UINT64_MAX;  // any number a client likes: the total saturates
  s.upsert(p);
  p.uploaded = 0;
  s.upsert(p);
  p.uploaded = 100;
  s.upsert(p);
  EXPECT_EQ(s.totals().uploaded, UINT64_MAX);
}

TEST(swarm_reports, the_rate_is_from_the_window_s_oldest_note_to_now) {
  swarm s;
  peer_entry p = peer_at(1);
  EXPECT_EQ(s.download_rate(0), 0);
  s.note_totals(0);
  for (int t = 5; t <= 60; t += 5) {
    p.downloaded = static_cast<std::uint64_t>(t) * 1000;  // 1000 bytes a second
    s.upsert(p);
    s.note_totals(t);
  }
  EXPECT_DOUBLE_EQ(s.download_rate(60, 30), 1000);
  // Reported after the last note: counted at once (from the note at 35).
  p.downloaded = 62000;
  s.upsert(p);
  EXPECT_DOUBLE_EQ(s.download_rate(62, 30), 1000);
  // Nothing since: from the note at 60, 30 s of nothing and 2000 bytes.
  EXPECT_DOUBLE_EQ(s.download_rate(90, 30), 2000.0 / 30);
}

TEST(locations, parse_locate_and_refuse_bad_names) {
  locations where = parse_locations({"dc1=198.18.1.0/24", "dc2=198.18.2.0/24,198.18.3.5-198.18.3.9"});
  EXPECT_EQ(where.name(where.locate(boost::asio::ip::make_address("198.18.1.7"))), "dc1");
  EXPECT_EQ(where.name(where.locate(boost::asio::ip::make_address("198.18.3.6"))), "dc2");
  EXPECT_EQ(where.name(where.locate(boost::asio::ip::make_address("::ffff:198.18.2.1"))), "dc2");
  EXPECT_EQ(where.locate(boost::asio::ip::make_address("10.0.0.1")), no_location);
  EXPECT_THROW(parse_locations({"dc1"}), failure);
  EXPECT_THROW(parse_locations({"dc1="}), failure);
  EXPECT_THROW(parse_locations({"d c=10.0.0.0/8"}), failure);
  EXPECT_THROW(parse_locations({"dc1=10.0.0.0/8", "dc1=11.0.0.0/8"}), failure);
  EXPECT_THROW(parse_locations({"elsewhere=10.0.0.0/8"}), failure);
}

struct two_locations : ::testing::Test {
  registry_limits limits() {
    registry_limits l;
    l.where = parse_locations({"dc1=198.18.1.0/24", "dc2=198.18.2.0/24"});
    return l;
  }
  std::int64_t now = 1000;
  swarm_registry registry{limits(), 42};
  allowed_torrents open_tracker;
  request_handler handler{registry, open_tracker, {}, [this] { return now; }};

  std::set<std::string> announce(int peer, const char* from, long left) {
    auto reply = handler.handle({"GET", announce_target(hash_a, peer, 6881, left), boost::asio::ip::make_address(from)});
    return compact_peers(reply.body);
  }
};

// The first host of each location is its gateway, and the seeder (announcing
// first) hands over to the first downloader of its location: gateways meet
// across locations, every other host only meets its own location.
TEST_F(two_locations, hosts_meet_their_own_location_and_gateways_cross) {
  announce(0, "198.18.1.1", 0);  // the seeder
  for (int i = 1; i <= 4; ++i) announce(i, ("198.18.1." + std::to_string(10 + i)).c_str(), 100);
  auto dc2_gateway = announce(10, "198.18.2.10", 100);
  EXPECT_EQ(dc2_gateway, std::set<std::string>{compact_peer("198.18.1.11", 6881)}) << "DC1's gateway is h1";
  for (int i = 11; i <= 14; ++i) {
    for (const auto& p : announce(i, ("198.18.2." + std::to_string(i)).c_str(), 100)) {
      EXPECT_EQ(p.substr(0, 3), compact_peer("198.18.2.0", 0).substr(0, 3)) << "a DC2 host was sent a DC1 peer";
    }
  }
  for (const auto& p : announce(2, "198.18.1.12", 100)) {
    EXPECT_EQ(p.substr(0, 3), compact_peer("198.18.1.0", 0).substr(0, 3)) << "a DC1 host was sent a DC2 peer";
  }
  EXPECT_EQ(announce(1, "198.18.1.11", 100).count(compact_peer("198.18.2.10", 6881)), 1u);
  // The seeder is left to its own location's leechers.
  auto seeder = announce(0, "198.18.1.1", 0);
  EXPECT_EQ(seeder.size(), 4u);
  EXPECT_EQ(seeder.count(compact_peer("198.18.2.10", 6881)), 0u);
}

TEST_F(two_locations, a_stalled_gateway_is_replaced_and_hosts_elsewhere_have_their_own) {
  announce(0, "198.18.1.1", 0);
  announce(10, "198.18.2.10", 100);  // DC2's gateway, then no progress
  now += 2 * 15 + 6;
  EXPECT_EQ(announce(11, "198.18.2.11", 100).count(compact_peer("198.18.1.1", 6881)), 1u) << "h11 took over";
  // Outside both ranges: a location of its own, with its own gateway.
  EXPECT_EQ(announce(20, "10.9.9.9", 100).count(compact_peer("198.18.1.1", 6881)), 1u);
}

TEST(locations, two_gateways_a_location) {
  registry_limits limits;
  limits.where = parse_locations({"dc1=198.18.1.0/24", "dc2=198.18.2.0/24"});
  limits.gateways_per_location = 2;
  swarm_registry registry{limits, 42};
  allowed_torrents open_tracker;
  request_handler handler{registry, open_tracker, {}, [] { return std::int64_t{1000}; }};
  auto announce = [&](int peer, const char* from) {
    return compact_peers(
        handler.handle({"GET", announce_target(hash_a, peer, 6881, 100), boost::asio::ip::make_address(from)}).body);
  };
  announce(1, "198.18.1.11");
  announce(2, "198.18.1.12");
  announce(3, "198.18.1.13");  // not a gateway
  const auto dc2 = announce(10, "198.18.2.10");
  EXPECT_EQ(dc2, (std::set<std::string>{compact_peer("198.18.1.11", 6881), compact_peer("198.18.1.12", 6881)}));
}

TEST_F(two_locations, a_gateway_that_leaves_is_replaced) {
  announce(0, "198.18.1.1", 0);
  announce(10, "198.18.2.10", 100);
  handler.handle({"GET", announce_target(hash_a, 10, 6881, 100, "&event=stopped"),
                  boost::asio::ip::make_address("198.18.2.10")});
  auto next = announce(11, "198.18.2.11", 100);
  EXPECT_EQ(next.count(compact_peer("198.18.1.1", 6881)), 1u);
}

}  // namespace murder::testing
