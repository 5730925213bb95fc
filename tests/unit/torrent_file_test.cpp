#include <libtorrent/hasher.hpp>
#include <libtorrent/torrent_info.hpp>

#include "murder/core/error.hpp"
#include "murder/core/torrent_file.hpp"
#include "sandbox.hpp"

namespace {

class torrent_file_test : public murder::testing::sandbox_test {};

TEST(piece_size, follows_the_documented_rule) {
  EXPECT_EQ(murder::piece_size_for(0), 64 * 1024);
  EXPECT_EQ(murder::piece_size_for(1), 64 * 1024);
  EXPECT_EQ(murder::piece_size_for(512ull << 20), 64 * 1024);           // 512 MiB: 8192 pieces exactly
  EXPECT_EQ(murder::piece_size_for((512ull << 20) + 1), 128 * 1024);
  EXPECT_EQ(murder::piece_size_for(2ull << 30), 256 * 1024);
  EXPECT_EQ(murder::piece_size_for(32ull << 30), 4 * 1024 * 1024);
  EXPECT_EQ(murder::piece_size_for(1ull << 50), 16 * 1024 * 1024);     // capped
}

TEST(announce_url, accepts_host_port_and_urls_and_rejects_the_rest) {
  EXPECT_EQ(murder::announce_url("tracker1:8998"), "http://tracker1:8998/announce");
  EXPECT_EQ(murder::announce_url("http://t:1/announce"), "http://t:1/announce");
  EXPECT_THROW(murder::announce_url("tracker1"), murder::failure);
  EXPECT_THROW(murder::announce_url("t:80/x"), murder::failure);
  EXPECT_THROW(murder::announce_url("t:port"), murder::failure);
}

TEST_F(torrent_file_test, round_trip_every_field) {
  std::string payload(3 * 64 * 1024 + 17, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>(i * 7 + i / 251);
  write(path("rel.tgz"), payload);
  murder::torrent_spec spec;
  spec.payload = path("rel.tgz");
  spec.trackers = {"http://a:8998/announce", "http://b:8998/announce"};
  spec.comment = "deploy 42";
  auto made = murder::make_torrent_file(spec, path("rel.tgz.torrent"));

  auto info = murder::load_torrent(path("rel.tgz.torrent"));
  auto read = murder::summarize(*info);
  EXPECT_EQ(read.info_hash, made.info_hash);
  EXPECT_EQ(read.info_hash.size(), 40u);
  EXPECT_EQ(read.name, "rel.tgz");
  EXPECT_EQ(read.total_size, payload.size());
  EXPECT_EQ(read.piece_size, 64 * 1024);
  EXPECT_EQ(read.num_pieces, 4);
  EXPECT_TRUE(read.is_private);
  EXPECT_EQ(read.trackers, spec.trackers);
  EXPECT_EQ(info->comment(), "deploy 42");
  EXPECT_EQ(info->creator(), "murder");
  EXPECT_EQ(info->creation_date(), 0);
  EXPECT_FALSE(info->info_hashes().has_v2());
  // Each tracker is its own tier, so a dead first tracker is skipped over.
  EXPECT_EQ(info->trackers()[0].tier, 0);
  EXPECT_EQ(info->trackers()[1].tier, 1);
  // Hashes of the pieces are those of the payload's bytes.
  libtorrent::hasher h(payload.data(), 64 * 1024);
  EXPECT_EQ(info->hash_for_piece(libtorrent::piece_index_t{0}), h.final());
}

TEST_F(torrent_file_test, same_payload_gives_same_torrent_bytes) {
  write(path("x.tgz"), std::string(100000, 'x'));
  murder::torrent_spec spec;
  spec.payload = path("x.tgz");
  spec.trackers = {"http://a:1/announce"};
  murder::make_torrent_file(spec, path("one.torrent"));
  murder::make_torrent_file(spec, path("two.torrent"));
  EXPECT_EQ(slurp(path("one.torrent")), slurp(path("two.torrent")));
}

TEST_F(torrent_file_test, missing_payload_and_corrupt_torrent_name_the_path) {
  murder::torrent_spec spec;
  spec.payload = path("absent.tgz");
  spec.trackers = {"http://a:1/announce"};
  try {
    murder::make_torrent_file(spec, path("t.torrent"));
    FAIL() << "no error for a missing payload";
  } catch (const murder::failure& e) {
    EXPECT_EQ(e.code(), murder::exit_code::bad_input);
    EXPECT_NE(std::string(e.what()).find("absent.tgz"), std::string::npos);
  }
  EXPECT_FALSE(std::filesystem::exists(path("t.torrent")));
  write(path("bad.torrent"), "d8:announce3:abc4:info");
  try {
    murder::load_torrent(path("bad.torrent"));
    FAIL() << "no error for a corrupt torrent";
  } catch (const murder::failure& e) {
    EXPECT_NE(std::string(e.what()).find("bad.torrent"), std::string::npos);
  }
}

}  // namespace
