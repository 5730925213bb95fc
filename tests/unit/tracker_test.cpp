#include <cstdio>
#include <filesystem>
#include <iterator>
#include <set>

#include <libtorrent/bdecode.hpp>
#include <libtorrent/bencode.hpp>
#include <libtorrent/entry.hpp>

#include "murder/core/error.hpp"
#include "murder/core/hex.hpp"
#include "murder/core/torrent_file.hpp"
#include "murder/tracker/allowed_torrents.hpp"
#include "murder/tracker/request_handler.hpp"
#include "murder/tracker/state_file.hpp"
#include "sandbox.hpp"
#include "tracker_helpers.hpp"

namespace lt = libtorrent;
namespace fs = std::filesystem;
using namespace murder::tracker;
using namespace murder::testing;

namespace {

TEST(query, decodes_binary_values_and_rejects_bad_escapes) {
  auto parsed = parse_target("/announce?info_hash=%00%ffA&x=a+b&empty=&flag");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->first, "/announce");
  ASSERT_EQ(parsed->second.size(), 4u);
  EXPECT_EQ(parsed->second[0].second, std::string("\0\xff" "A", 3));
  EXPECT_EQ(parsed->second[1].second, "a b");
  EXPECT_EQ(parsed->second[2].second, "");
  EXPECT_FALSE(parse_target("/announce?x=%4"));
  EXPECT_FALSE(parse_target("/announce?x=%"));
  EXPECT_FALSE(parse_target("/announce?x=%zz"));
}

// Every murder peer's id starts "-MU0010-": ids that differ only after the
// client prefix must still spread over a hash table, or a swarm is one bucket.
TEST(id_hash, ids_sharing_a_client_prefix_spread_out) {
  std::set<size_t> hashes;
  std::set<size_t> buckets;
  for (int i = 0; i < 1000; ++i) {
    char id[21];
    std::snprintf(id, sizeof id, "-MU0010-%012d", i);
    size_t h = id20_hash{}(*peer_id::from(id));
    hashes.insert(h);
    buckets.insert(h % 1031);
  }
  EXPECT_EQ(hashes.size(), 1000u);
  EXPECT_GT(buckets.size(), 550u);  // 1000 keys in 1031 buckets fill about 620
}

TEST(announce_parse, reads_every_field) {
  auto parsed = parse_target(announce_target(hash_a, 1, 6881, 77, "&event=started&numwant=3&ip=198.18.0.5&uploaded=5"));
  auto r = parse_announce(parsed->second);
  ASSERT_TRUE(std::holds_alternative<announce_request>(r));
  auto& a = std::get<announce_request>(r);
  EXPECT_EQ(a.hash.view(), hash_a);
  EXPECT_EQ(a.id.view(), peer_name(1));
  EXPECT_EQ(a.port, 6881);
  EXPECT_EQ(a.left, 77u);
  EXPECT_EQ(a.uploaded, 5u);
  EXPECT_EQ(a.event, announce_event::started);
  EXPECT_EQ(a.numwant, 3);
  EXPECT_EQ(a.ip->to_string(), "198.18.0.5");
}

TEST(announce_parse, malformed_requests_give_reasons) {
  auto reason = [](const std::string& target) {
    auto r = parse_announce(parse_target(target)->second);
    return std::holds_alternative<std::string>(r) ? std::get<std::string>(r) : std::string("(accepted)");
  };
  EXPECT_EQ(reason("/announce?peer_id=" + escape(peer_name(1)) + "&port=1"), "missing info_hash");
  EXPECT_EQ(reason("/announce?info_hash=short&peer_id=" + escape(peer_name(1)) + "&port=1"), "info_hash must be 20 bytes");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 0, 0)), "port is not a valid port");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 70000, 0)), "port is not a valid port");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 1, 0, "&left=-1")), "left is not a number");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 1, 0, "&event=exploded")),
            "event is not started, completed, stopped or paused");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 1, 0, "&event=paused")), "(accepted)");
  EXPECT_EQ(reason(announce_target(hash_a, 1, 1, 0, "&ip=not-an-ip")), "ip is not an IP address");
}

TEST(reply_encoding, compact_and_dictionary_forms_decode_correctly) {
  announce_reply reply;
  reply.complete = 2;
  reply.incomplete = 1;
  reply.peers.push_back({*peer_id::from(peer_name(1)), boost::asio::ip::make_address("198.18.0.1"), 6881});
  reply.peers.push_back({*peer_id::from(peer_name(2)), boost::asio::ip::make_address("fd00::1"), 443});
  std::string keep;
  auto compact = decode(encode_announce_reply(reply, true, false), keep);
  EXPECT_EQ(compact.dict_find_int_value("interval"), 15);
  EXPECT_EQ(compact.dict_find_int_value("complete"), 2);
  EXPECT_EQ(compact.dict_find_int_value("incomplete"), 1);
  EXPECT_EQ(compact.dict_find_string_value("peers"), std::string("\xc6\x12\x00\x01\x1a\xe1", 6));
  EXPECT_EQ(compact.dict_find_string_value("peers6").size(), 18u);
  std::string keep2;
  auto full = decode(encode_announce_reply(reply, false, false), keep2);
  auto peers = full.dict_find_list("peers");
  ASSERT_EQ(peers.list_size(), 2);
  EXPECT_EQ(peers.list_at(0).dict_find_string_value("ip"), "198.18.0.1");
  EXPECT_EQ(peers.list_at(0).dict_find_int_value("port"), 6881);
  EXPECT_EQ(peers.list_at(0).dict_find_string_value("peer id"), peer_name(1));
  std::string keep3;
  auto failure = decode(encode_failure("nope"), keep3);
  EXPECT_EQ(failure.dict_find_string_value("failure reason"), "nope");
}

TEST_F(handler_fixture, peers_see_each_other_but_not_themselves) {
  get(announce_target(hash_a, 1, 7001, 100));
  auto reply = get(announce_target(hash_a, 2, 7002, 100), "127.0.0.2");
  std::string keep;
  auto node = decode(reply.body, keep);
  EXPECT_EQ(node.dict_find_string_value("peers"), std::string("\x7f\x00\x00\x01\x1b\x59", 6));
  EXPECT_EQ(node.dict_find_int_value("incomplete"), 2);
}

TEST_F(handler_fixture, reply_is_capped_and_random) {
  for (int i = 0; i < 800; ++i) get(announce_target(hash_a, i, 1000 + i % 60000, 100));
  std::string keep1, keep2;
  auto first = decode(get(announce_target(hash_a, 0, 1000, 100, "&numwant=1000")).body, keep1);
  EXPECT_EQ(first.dict_find_string_value("peers").size(), 500u * 6);
  auto second = decode(get(announce_target(hash_a, 0, 1000, 100, "&numwant=1000")).body, keep2);
  EXPECT_NE(first.dict_find_string_value("peers"), second.dict_find_string_value("peers"));
  std::string keep3;
  auto few = decode(get(announce_target(hash_a, 0, 1000, 100, "&numwant=7")).body, keep3);
  EXPECT_EQ(few.dict_find_string_value("peers").size(), 7u * 6);
}

TEST_F(handler_fixture, a_seed_is_only_sent_leechers) {
  get(announce_target(hash_a, 1, 7001, 0));  // seed
  get(announce_target(hash_a, 2, 7002, 0));  // seed
  get(announce_target(hash_a, 3, 7003, 5));  // leecher
  std::string keep;
  auto node = decode(get(announce_target(hash_a, 1, 7001, 0)).body, keep);
  EXPECT_EQ(node.dict_find_string_value("peers"), std::string("\x7f\x00\x00\x01\x1b\x5b", 6));
}

TEST_F(handler_fixture, silent_peers_expire_after_the_timeout) {
  get(announce_target(hash_a, 1, 7001, 100));
  now += 60;
  get(announce_target(hash_a, 2, 7002, 100));
  now += 61;  // peer 1 silent for 121 s, peer 2 for 61 s
  EXPECT_EQ(registry.expire(now), 1u);
  EXPECT_EQ(registry.peer_count(), 1u);
  now += 60;
  EXPECT_EQ(registry.expire(now), 1u);
  EXPECT_EQ(registry.peer_count(), 0u);
}

TEST_F(handler_fixture, stopped_removes_and_completed_counts) {
  get(announce_target(hash_a, 1, 7001, 100));
  get(announce_target(hash_a, 1, 7001, 0, "&event=completed"));
  get(announce_target(hash_a, 2, 7002, 100));
  get(announce_target(hash_a, 2, 7002, 100, "&event=stopped"));
  std::string keep;
  auto scrape = decode(get("/scrape?info_hash=" + escape(hash_a)).body, keep);
  auto files = scrape.dict_find_dict("files");
  auto entry = files.dict_find_dict(hash_a);
  ASSERT_TRUE(entry);
  EXPECT_EQ(entry.dict_find_int_value("complete"), 1);
  EXPECT_EQ(entry.dict_find_int_value("incomplete"), 0);
  EXPECT_EQ(entry.dict_find_int_value("downloaded"), 1);
}

TEST_F(handler_fixture, malformed_http_gets_an_error_not_a_crash) {
  EXPECT_EQ(get("/announce?info_hash=%G1").status, 400);
  EXPECT_EQ(get("/nothing").status, 404);
  EXPECT_EQ(handler.handle({"POST", "/announce", local}).status, 405);
  auto reply = get("/announce?port=1");
  EXPECT_EQ(reply.status, 200);
  EXPECT_NE(reply.body.find("failure reason"), std::string::npos);
  EXPECT_NE(get("/").body.find("murder tracker"), std::string::npos);
}

TEST(allowed_list, only_listed_torrents_are_served) {
  std::int64_t now = 5;
  swarm_registry registry{registry_limits{}};
  std::string list_path = ::testing::TempDir() + "murder-allowed-" + std::to_string(::getpid());
  std::ofstream(list_path) << "# deploys\n" << murder::to_hex(hash_a) << "  \n\n";
  allowed_torrents allowed(list_path, std::nullopt);
  request_handler handler(registry, allowed, {}, [&] { return now; });
  auto ok = handler.handle({"GET", announce_target(hash_a, 1, 7001, 1), boost::asio::ip::make_address("127.0.0.1")});
  EXPECT_EQ(ok.body.find("failure"), std::string::npos);
  auto refused = handler.handle({"GET", announce_target(hash_b, 1, 7001, 1), boost::asio::ip::make_address("127.0.0.1")});
  std::string keep;
  EXPECT_EQ(decode(refused.body, keep).dict_find_string_value("failure reason"), "torrent not served by this tracker");
  EXPECT_EQ(registry.swarms().count(*info_hash::from(hash_b)), 0u);
  // A hash added to the list later is picked up without a restart.
  std::ofstream(list_path, std::ios::app) << murder::to_hex(hash_b) << "\n";
  now += 2;
  auto later = handler.handle({"GET", announce_target(hash_b, 1, 7001, 1), boost::asio::ip::make_address("127.0.0.1")});
  EXPECT_EQ(later.body.find("failure"), std::string::npos);
  std::remove(list_path.c_str());
}

TEST(allowed_list, a_bad_line_is_named) {
  try {
    parse_allowed_list("0123\n", "allowed_list f");
    FAIL();
  } catch (const murder::failure& e) {
    EXPECT_STREQ(e.what(), "allowed_list f line 1: not a 40-digit hex info-hash");
  }
}

TEST(address_filter, announces_from_outside_the_fleet_are_refused) {
  std::int64_t now = 5;
  swarm_registry registry{registry_limits{}};
  allowed_torrents open;
  request_handler handler(registry, open, request_handler::only_from(murder::parse_cidr_list("198.18.0.0/15")), [&] { return now; });
  auto inside = handler.handle({"GET", announce_target(hash_a, 1, 7001, 1), boost::asio::ip::make_address("198.19.3.4")});
  EXPECT_EQ(inside.body.find("failure"), std::string::npos);
  auto outside = handler.handle({"GET", announce_target(hash_a, 2, 7001, 1), boost::asio::ip::make_address("192.0.2.1")});
  EXPECT_NE(outside.body.find("not allowed"), std::string::npos);
  auto spoof = handler.handle(
      {"GET", announce_target(hash_a, 3, 7001, 1, "&ip=192.0.2.9"), boost::asio::ip::make_address("198.18.0.2")});
  EXPECT_NE(spoof.body.find("not an allowed address"), std::string::npos);
  EXPECT_EQ(registry.peer_count(), 1u);
}


TEST(swarm_limits, new_torrents_beyond_max_swarms_are_refused) {
  std::int64_t now = 1000;
  registry_limits limits;
  limits.max_swarms = 3;
  swarm_registry registry{limits, 1};
  allowed_torrents open;
  request_handler handler(registry, open, {}, [&] { return now; });
  auto announce = [&](char torrent, int peer) {
    auto from = boost::asio::ip::make_address("127.0.0.1");
    return handler.handle({"GET", announce_target(std::string(20, torrent), peer, 7001, 1), from}).body;
  };
  for (char torrent : {'a', 'b', 'c'}) EXPECT_EQ(announce(torrent, 1).find("failure"), std::string::npos);
  std::string keep;
  EXPECT_EQ(decode(announce('d', 1), keep).dict_find_string_value("failure reason"), "tracker full: too many torrents");
  EXPECT_EQ(registry.swarms().size(), 3u);
  // Torrents already tracked still take new peers.
  EXPECT_EQ(announce('a', 2).find("failure"), std::string::npos);
  // Once the swarms have gone quiet and expired, their slots are free again.
  now += 121;
  registry.expire(now);
  EXPECT_EQ(announce('d', 1).find("failure"), std::string::npos);
}

TEST_F(handler_fixture, a_swarm_of_only_a_completed_count_expires) {
  const std::string made_up(20, 'M');
  const std::string forgotten(20, 'F');
  get(announce_target(made_up, 1, 7001, 0, "&event=completed"));
  get(announce_target(made_up, 1, 7001, 0, "&event=stopped"));
  get(announce_target(forgotten, 2, 7002, 0, "&event=completed"));  // never stops, never returns
  get(announce_target(hash_a, 3, 7003, 0, "&event=completed"));
  now += 60;
  registry.expire(now);
  // Within a peer timeout of its last announce, a peerless swarm's count stays for scrape.
  EXPECT_EQ(registry.swarms().count(*info_hash::from(made_up)), 1u);
  get(announce_target(hash_a, 3, 7003, 0));  // hash_a's seed keeps announcing
  now += 61;
  registry.expire(now);
  EXPECT_EQ(registry.swarms().count(*info_hash::from(made_up)), 0u);
  EXPECT_EQ(registry.swarms().count(*info_hash::from(forgotten)), 0u);
  ASSERT_EQ(registry.swarms().count(*info_hash::from(hash_a)), 1u);
  EXPECT_EQ(registry.swarms().at(*info_hash::from(hash_a)).completed(), 1);
}

// Finding 10: a peer id, which compact=0 replies show to anyone, is not enough
// to move or stop a peer.

TEST_F(handler_fixture, a_reused_peer_id_from_another_address_leaves_the_peer_alone) {
  get(announce_target(hash_a, 1, 7001, 100), "127.0.0.1");
  get(announce_target(hash_a, 1, 9999, 100), "127.0.0.9");
  get(announce_target(hash_a, 1, 9999, 100, "&event=stopped"), "127.0.0.9");
  auto seen = compact_peers(get(announce_target(hash_a, 3, 7003, 100), "127.0.0.3").body);
  EXPECT_EQ(seen, std::set<std::string>{compact_peer("127.0.0.1", 7001)});
}

TEST_F(handler_fixture, the_ip_parameter_cannot_stand_in_for_another_peer) {
  get(announce_target(hash_a, 1, 7001, 100), "127.0.0.1");
  // Same id, claiming the victim's address: a peer of its own, advertised there.
  get(announce_target(hash_a, 1, 9999, 100, "&ip=127.0.0.1"), "127.0.0.9");
  auto seen = compact_peers(get(announce_target(hash_a, 3, 7003, 100), "127.0.0.3").body);
  EXPECT_EQ(seen, (std::set<std::string>{compact_peer("127.0.0.1", 7001), compact_peer("127.0.0.1", 9999)}));
  // Its stop, claiming the victim's address, stops only itself.
  get(announce_target(hash_a, 1, 9999, 100, "&event=stopped&ip=127.0.0.1"), "127.0.0.9");
  seen = compact_peers(get(announce_target(hash_a, 3, 7003, 100), "127.0.0.3").body);
  EXPECT_EQ(seen, std::set<std::string>{compact_peer("127.0.0.1", 7001)});
  // ip= still says where a peer is to be reached.
  get(announce_target(hash_a, 4, 7004, 100, "&ip=127.0.0.5"), "127.0.0.4");
  seen = compact_peers(get(announce_target(hash_a, 3, 7003, 100), "127.0.0.3").body);
  EXPECT_EQ(seen.count(compact_peer("127.0.0.5", 7004)), 1u);
}

TEST(address_filter, the_status_page_and_scrape_are_refused_outside_the_fleet) {
  std::int64_t now = 5;
  swarm_registry registry{registry_limits{}};
  allowed_torrents open;
  request_handler handler(registry, open, request_handler::only_from(murder::parse_cidr_list("198.18.0.0/15")), [&] { return now; });
  auto outside = boost::asio::ip::make_address("192.0.2.1");
  auto inside = boost::asio::ip::make_address("198.18.0.1");
  auto page = handler.handle({"GET", "/", outside});
  EXPECT_EQ(page.status, 403);
  EXPECT_EQ(page.body.find("murder tracker"), std::string::npos);
  EXPECT_EQ(handler.handle({"GET", "/index.html", outside}).status, 403);
  EXPECT_NE(handler.handle({"GET", "/scrape", outside}).body.find("not allowed"), std::string::npos);
  auto ok = handler.handle({"GET", "/", inside});
  EXPECT_EQ(ok.status, 200);
  EXPECT_NE(ok.body.find("murder tracker"), std::string::npos);
  // What the server asks at accept, before a connection takes a slot.
  EXPECT_FALSE(handler.admits(outside));
  EXPECT_TRUE(handler.admits(inside));
  EXPECT_TRUE(handler.admits(boost::asio::ip::make_address("::ffff:198.18.0.1")));
}

}  // namespace
