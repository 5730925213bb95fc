#include <chrono>
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
  EXPECT_EQ(decode_state(bytes, after, 500, "test").peers, 5u);
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

// Finding 8: made-up info-hashes must not pile up swarms without bound.


// Finding 8: a state file never stops a start.

lt::entry state_peer(const std::string& id, const std::string& ip, int port) {
  lt::entry peer(lt::entry::dictionary_t);
  peer["id"] = id;
  peer["ip"] = ip;
  peer["port"] = port;
  peer["seed"] = 0;
  return peer;
}

TEST(state_file, damaged_entries_are_skipped_and_the_rest_loaded) {
  const std::string v4("\xc6\x12\x00\x01", 4);
  lt::entry root(lt::entry::dictionary_t);
  root["version"] = 1;
  lt::entry& swarms = root["swarms"];
  swarms = lt::entry(lt::entry::dictionary_t);
  lt::entry good(lt::entry::dictionary_t);
  good["completed"] = 2;
  lt::entry not_a_peer(lt::entry::int_t);
  not_a_peer = 7;
  good["peers"] = lt::entry::list_type{state_peer(peer_name(1), v4, 7001), state_peer(peer_name(2), "\xc6\x12", 7002),
                                       state_peer("short", v4, 7003), state_peer(peer_name(4), v4, 0), not_a_peer};
  swarms[hash_a] = good;
  swarms["not twenty bytes"] = good;
  swarms[hash_b] = std::string("not a dictionary");
  lt::entry negative(lt::entry::dictionary_t);
  negative["completed"] = -5;
  swarms[std::string(20, 'C')] = negative;
  std::string bytes;
  lt::bencode(std::back_inserter(bytes), root);

  swarm_registry registry{registry_limits{}};
  state_load_result loaded;
  ASSERT_NO_THROW(loaded = decode_state(bytes, registry, 500, "test"));
  EXPECT_EQ(loaded.swarms, 1u);
  EXPECT_EQ(loaded.peers, 1u);
  EXPECT_EQ(loaded.malformed_swarms, 3u);
  EXPECT_EQ(loaded.malformed_peers, 4u);
  ASSERT_EQ(registry.swarms().size(), 1u);
  const swarm& s = registry.swarms().at(*info_hash::from(hash_a));
  EXPECT_EQ(s.completed(), 2);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s.peers()[0].key.id.view(), peer_name(1));
  EXPECT_EQ(s.peers()[0].port, 7001);
}

TEST(state_file, swarms_beyond_the_cap_are_dropped_those_with_peers_kept_first) {
  swarm_registry before{registry_limits{}, 1};
  for (int i = 0; i < 6; ++i) {
    swarm& s = before.swarm_for(*info_hash::from(std::string(20, static_cast<char>('a' + i))));
    s.add_completed(1);
    if (i % 2 == 1) continue;
    peer_entry peer;
    peer.key.id = *peer_id::from(peer_name(i));
    peer.key.source = stored_address::from(boost::asio::ip::make_address("198.18.0.1"));
    peer.address = peer.key.source;
    peer.port = 7000;
    s.upsert(peer);
  }
  registry_limits small;
  small.max_swarms = 4;
  swarm_registry after{small, 1};
  auto loaded = decode_state(encode_state(before), after, 500, "test");
  EXPECT_EQ(loaded.swarms, 4u);
  EXPECT_EQ(loaded.over_cap_swarms, 2u);
  EXPECT_EQ(loaded.peers, 3u);
  EXPECT_EQ(after.swarms().size(), 4u);
  EXPECT_EQ(after.peer_count(), 3u);
}

TEST(state_file, the_announcing_address_survives_a_restart) {
  swarm_registry before{registry_limits{}, 1};
  announce_request r;
  r.hash = *info_hash::from(hash_a);
  r.id = *peer_id::from(peer_name(1));
  r.port = 7001;
  r.ip = boost::asio::ip::make_address("198.18.0.5");
  before.announce(r, boost::asio::ip::make_address("198.18.0.1"), 1);
  swarm_registry after{registry_limits{}, 1};
  decode_state(encode_state(before), after, 500, "test");
  // The same peer re-announcing refreshes its entry instead of adding a twin.
  after.announce(r, boost::asio::ip::make_address("198.18.0.1"), 501);
  EXPECT_EQ(after.peer_count(), 1u);
  EXPECT_EQ(after.swarms().at(r.hash).peers()[0].address.ip().to_string(), "198.18.0.5");
}

class state_restore_test : public murder::testing::sandbox_test {};

TEST_F(state_restore_test, a_corrupt_or_oversized_file_means_an_empty_start) {
  write(path("state"), "d7:versioni1e6:swarmsd20:AAAA");  // cut short
  swarm_registry registry{registry_limits{}, 1};
  state_restore restored;
  ASSERT_NO_THROW(restored = restore_state(path("state"), registry, 5));
  ASSERT_TRUE(restored.problem);
  EXPECT_NE(restored.problem->find("not bencoded"), std::string::npos) << *restored.problem;
  EXPECT_EQ(registry.swarms().size(), 0u);
  EXPECT_FALSE(fs::exists(path("state")));
  EXPECT_TRUE(fs::exists(path("state.bad")));

  swarm_registry saved{registry_limits{}, 1};
  announce_request r;
  r.hash = *info_hash::from(hash_a);
  r.id = *peer_id::from(peer_name(1));
  r.port = 7001;
  saved.announce(r, boost::asio::ip::make_address("198.18.0.1"), 1);
  save_state(saved, path("big"));
  auto too_big = restore_state(path("big"), registry, 5, 16);
  ASSERT_TRUE(too_big.problem);
  EXPECT_NE(too_big.problem->find("over the limit"), std::string::npos) << *too_big.problem;
  EXPECT_EQ(registry.swarms().size(), 0u);

  fs::rename(path("big.bad"), path("big"));
  auto fits = restore_state(path("big"), registry, 5);
  EXPECT_FALSE(fits.problem);
  EXPECT_EQ(fits.loaded.peers, 1u);
  EXPECT_EQ(registry.peer_count(), 1u);

  auto absent = restore_state(path("absent"), registry, 5);
  EXPECT_FALSE(absent.problem);
  EXPECT_EQ(absent.loaded.swarms, 0u);
}

// Finding 10: the allowed directory is parsed only where it changed, and the
// swarms of torrents taken out of it go.

class allowed_dir_test : public murder::testing::sandbox_test {
 protected:
  void SetUp() override {
    sandbox_test::SetUp();
    fs::create_directories(path("torrents"));
  }
  // Makes torrents/NAME.torrent for a payload of its own; returns its info-hash.
  info_hash make_torrent(const std::string& name) {
    write(path("payloads/" + name), "the payload called " + name);
    murder::torrent_spec spec;
    spec.payload = path("payloads/" + name);
    spec.trackers = {"http://127.0.0.1:8998/announce"};
    spec.hash_threads = 1;
    auto made = murder::make_torrent_file(spec, path("torrents/" + name + ".torrent"));
    return *info_hash::from(*murder::from_hex(made.info_hash));
  }
};

TEST_F(allowed_dir_test, unknown_hashes_do_not_reparse_an_unchanged_directory) {
  info_hash a = make_torrent("a");
  info_hash b = make_torrent("b");
  allowed_torrents allowed(std::nullopt, path("torrents"));
  EXPECT_EQ(allowed.size(), 2u);
  EXPECT_EQ(allowed.torrents_parsed(), 2u);
  std::int64_t now = 100;
  for (int i = 0; i < 20; ++i) {
    now += 2;  // past the once-a-second limit every time
    EXPECT_FALSE(allowed.allows(*info_hash::from(peer_name(i)), now));
  }
  EXPECT_EQ(allowed.torrents_parsed(), 2u);
  // A torrent added later is served without a restart, and only it is parsed.
  info_hash c = make_torrent("c");
  now += 2;
  EXPECT_TRUE(allowed.allows(c, now));
  EXPECT_EQ(allowed.torrents_parsed(), 3u);
  EXPECT_TRUE(allowed.allows(a, now));
  EXPECT_TRUE(allowed.allows(b, now));
}

// A seed announces right after murderctl renamed its torrent into the
// directory, often within the second of the tracker's last look: the changed
// directory is read again at once, or the seed would be refused and libtorrent
// would not ask again for half a minute.
TEST_F(allowed_dir_test, a_torrent_landing_within_the_second_is_served_at_once) {
  make_torrent("a");
  // The directory last changed well before this look, as it would have.
  fs::last_write_time(path("torrents"), fs::file_time_type::clock::now() - std::chrono::seconds(10));
  allowed_torrents allowed(std::nullopt, path("torrents"));
  std::int64_t now = 100;
  EXPECT_FALSE(allowed.allows(*info_hash::from(peer_name(1)), now));  // a look at second 100
  size_t listings = allowed.directory_listings();
  EXPECT_FALSE(allowed.allows(*info_hash::from(peer_name(2)), now));  // unchanged: no listing
  EXPECT_EQ(allowed.directory_listings(), listings);
  info_hash b = make_torrent("b");
  EXPECT_TRUE(allowed.allows(b, now));  // the same second
  EXPECT_EQ(allowed.directory_listings(), listings + 1);
}

TEST_F(allowed_dir_test, swarms_of_removed_torrents_are_dropped) {
  info_hash a = make_torrent("a");
  info_hash b = make_torrent("b");
  allowed_torrents allowed(std::nullopt, path("torrents"));
  swarm_registry registry{registry_limits{}, 1};
  std::int64_t now = 100;
  request_handler handler(registry, allowed, {}, [&] { return now; });
  auto local = boost::asio::ip::make_address("127.0.0.1");
  handler.handle({"GET", announce_target(std::string(a.view()), 1, 7001, 1), local});
  handler.handle({"GET", announce_target(std::string(b.view()), 1, 7001, 1), local});
  ASSERT_EQ(registry.swarms().size(), 2u);
  now += 2;
  EXPECT_EQ(drop_unserved_swarms(allowed, registry, now), 0u);
  fs::remove(path("torrents/b.torrent"));
  now += 2;
  EXPECT_EQ(drop_unserved_swarms(allowed, registry, now), 1u);
  EXPECT_EQ(registry.swarms().count(a), 1u);
  EXPECT_EQ(registry.swarms().count(b), 0u);
  auto refused = handler.handle({"GET", announce_target(std::string(b.view()), 1, 7001, 1), local});
  EXPECT_NE(refused.body.find("torrent not served"), std::string::npos);
}

}  // namespace

// The page and /metrics name a swarm by its .torrent's tag, escaped for each.
TEST_F(allowed_dir_test, a_swarm_is_named_by_its_tag_escaped) {
  const info_hash h = make_torrent("<b>\"x.tgz");
  allowed_torrents allowed(std::nullopt, path("torrents"));
  swarm_registry registry{registry_limits{}, 1};
  request_handler handler{registry, allowed, {}, [] { return std::int64_t{1}; }};
  auto get = [&](const std::string& target) {
    return handler.handle({"GET", target, boost::asio::ip::make_address("127.0.0.1")}).body;
  };
  get(announce_target(std::string(h.view()), 1, 6881, 5));
  EXPECT_EQ(allowed.label(h)->tag, "<b>\"x");
  EXPECT_EQ(allowed.label(h)->size, std::string("the payload called <b>\"x.tgz").size());
  const std::string page = get("/");
  EXPECT_NE(page.find("data-tag=\"&lt;b&gt;&quot;x\""), std::string::npos) << page;
  EXPECT_EQ(page.find("<b>"), std::string::npos);
  EXPECT_NE(get("/metrics").find("tag=\"<b>\\\"x\""), std::string::npos);
}
