#include <cstdio>
#include <set>

#include <libtorrent/bdecode.hpp>

#include "murder/core/error.hpp"
#include "murder/core/hex.hpp"
#include "murder/tracker/allowed_torrents.hpp"
#include "murder/tracker/request_handler.hpp"
#include "murder/tracker/state_file.hpp"
#include "sandbox.hpp"

namespace lt = libtorrent;
using namespace murder::tracker;

namespace {

const std::string hash_a(20, 'A');
const std::string hash_b(20, 'B');

std::string escape(const std::string& raw) {
  std::string out;
  for (unsigned char c : raw) {
    char buf[4];
    std::snprintf(buf, sizeof buf, "%%%02X", c);
    out += buf;
  }
  return out;
}

std::string peer_name(int i) {
  char id[21];
  std::snprintf(id, sizeof id, "-XX0000-%012d", i);
  return id;
}

std::string announce_target(const std::string& hash, int peer, int port, long left, const std::string& extra = "") {
  return "/announce?info_hash=" + escape(hash) + "&peer_id=" + escape(peer_name(peer)) + "&port=" +
         std::to_string(port) + "&left=" + std::to_string(left) + "&compact=1" + extra;
}

lt::bdecode_node decode(const std::string& body, std::string& keep) {
  keep = body;
  lt::error_code ec;
  auto node = lt::bdecode(keep, ec);
  EXPECT_FALSE(ec) << body;
  return node;
}

struct handler_fixture : ::testing::Test {
  std::int64_t now = 1000;
  swarm_registry registry{registry_limits{}, 42};
  allowed_torrents open_tracker;
  request_handler handler{registry, open_tracker, {}, [this] { return now; }};
  boost::asio::ip::address local = boost::asio::ip::make_address("127.0.0.1");

  http_reply get(const std::string& target, const std::string& from = "127.0.0.1") {
    return handler.handle({"GET", target, boost::asio::ip::make_address(from)});
  }
};

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
  EXPECT_EQ(reason(announce_target(hash_a, 1, 1, 0, "&event=exploded")), "event is not started, completed or stopped");
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
  request_handler handler(registry, open, murder::parse_cidr_list("198.18.0.0/15"), [&] { return now; });
  auto inside = handler.handle({"GET", announce_target(hash_a, 1, 7001, 1), boost::asio::ip::make_address("198.19.3.4")});
  EXPECT_EQ(inside.body.find("failure"), std::string::npos);
  auto outside = handler.handle({"GET", announce_target(hash_a, 2, 7001, 1), boost::asio::ip::make_address("192.0.2.1")});
  EXPECT_NE(outside.body.find("not allowed"), std::string::npos);
  auto spoof = handler.handle(
      {"GET", announce_target(hash_a, 3, 7001, 1, "&ip=192.0.2.9"), boost::asio::ip::make_address("198.18.0.2")});
  EXPECT_NE(spoof.body.find("not an allowed address"), std::string::npos);
  EXPECT_EQ(registry.peer_count(), 1u);
}

TEST(state_file, round_trips_swarms_and_rejects_garbage) {
  swarm_registry before{registry_limits{}};
  announce_request r;
  r.hash = *info_hash::from(hash_a);
  for (int i = 0; i < 5; ++i) {
    r.id = *peer_id::from(peer_name(i));
    r.port = static_cast<std::uint16_t>(7000 + i);
    r.left = i == 0 ? 0 : 10;
    before.announce(r, boost::asio::ip::make_address(i == 4 ? "fd00::4" : "198.18.0." + std::to_string(i)), 1);
  }
  before.swarm_for(r.hash).add_completed(3);
  std::string bytes = encode_state(before);
  swarm_registry after{registry_limits{}};
  EXPECT_EQ(decode_state(bytes, after, 500, "test"), 5u);
  const swarm& s = after.swarms().at(r.hash);
  EXPECT_EQ(s.seeds(), 1);
  EXPECT_EQ(s.leechers(), 4);
  EXPECT_EQ(s.completed(), 3);
  for (const auto& p : s.peers()) EXPECT_EQ(p.last_seen, 500);
  EXPECT_EQ(encode_state(after).size(), bytes.size());

  swarm_registry untouched{registry_limits{}};
  for (std::string garbage : {std::string("not bencode"), std::string("de"), std::string("d7:versioni2ee"),
                              bytes.substr(0, bytes.size() / 2)}) {
    EXPECT_THROW(decode_state(garbage, untouched, 1, "test"), murder::failure);
  }
  EXPECT_EQ(untouched.peer_count(), 0u);
}

}  // namespace
