// The seed's one-copy ledger and the status file murder_client keeps beside its pidfile.
#include <gtest/gtest.h>

#include <set>

#include "murder/client/one_copy.hpp"
#include "murder/client/status_file.hpp"
#include "sandbox.hpp"

namespace {

using murder::client::piece_ledger;
using murder::client::run_figures;

int a_tag, b_tag, c_tag;
const void* const a = &a_tag;
const void* const b = &b_tag;
const void* const c = &c_tag;

TEST(piece_ledger, a_piece_goes_out_once_while_it_is_on_its_way) {
  piece_ledger ledger(4);
  EXPECT_TRUE(ledger.take_first_copy(a, 2));
  EXPECT_TRUE(ledger.take_first_copy(a, 2)) << "the receiver asks for the piece's other blocks";
  EXPECT_FALSE(ledger.take_first_copy(b, 2)) << "a second copy while the first is on its way";
}

TEST(piece_ledger, a_piece_someone_holds_is_not_sent_again) {
  piece_ledger ledger(4);
  ASSERT_TRUE(ledger.take_first_copy(a, 1));
  ledger.gained(a, 1);
  EXPECT_EQ(ledger.holders(1), 1);
  EXPECT_FALSE(ledger.take_first_copy(b, 1));
  EXPECT_FALSE(ledger.take_first_copy(a, 1));
  ledger.gained(c, 3);  // a peer that joined holding it
  EXPECT_FALSE(ledger.take_first_copy(b, 3));
}

TEST(piece_ledger, a_cancelled_or_abandoned_piece_is_free_again) {
  piece_ledger ledger(3);
  ASSERT_TRUE(ledger.take_first_copy(a, 0));
  ledger.released(b, 0);  // someone else's cancel changes nothing
  EXPECT_FALSE(ledger.take_first_copy(b, 0));
  ledger.released(a, 0);
  EXPECT_TRUE(ledger.take_first_copy(b, 0));
}

TEST(piece_ledger, a_piece_whose_holders_all_left_can_be_sent_again) {
  piece_ledger ledger(2);
  ledger.gained(a, 0);
  ledger.gained(b, 0);
  ledger.lost(a, 0);
  EXPECT_FALSE(ledger.take_first_copy(c, 0));
  ledger.lost(b, 0);
  EXPECT_EQ(ledger.holders(0), 0);
  EXPECT_TRUE(ledger.take_first_copy(c, 0));
}

TEST(piece_ledger, fresh_pieces_are_handed_out_in_turn_until_none_is_left) {
  piece_ledger ledger(4);
  ledger.gained(a, 1);
  ASSERT_TRUE(ledger.take_first_copy(b, 2));
  std::set<int> offered;
  offered.insert(ledger.fresh_piece());
  offered.insert(ledger.fresh_piece());
  EXPECT_EQ(offered, (std::set<int>{0, 3}));
  ASSERT_TRUE(ledger.take_first_copy(c, 0));
  ASSERT_TRUE(ledger.take_first_copy(c, 3));
  EXPECT_EQ(ledger.fresh_piece(), -1);
}

class status_file_test : public murder::testing::sandbox_test {};

TEST_F(status_file_test, lives_beside_the_pidfile) {
  EXPECT_EQ(murder::client::status_path_for("/srv/murder/run/seed-v1.pid"), "/srv/murder/run/seed-v1.status.json");
  EXPECT_EQ(murder::client::status_path_for("/run/odd"), "/run/odd.status.json");
}

TEST_F(status_file_test, round_trips_every_field) {
  run_figures written = murder::client::seed_figures("stopped", 33564862, 34012345, 51234);
  auto file = path("seed-v1.status.json");
  murder::client::write_status(file, written);
  auto read = murder::client::read_status(file);
  ASSERT_TRUE(read.has_value());
  EXPECT_EQ(read->role, "seed");
  EXPECT_EQ(read->state, "stopped");
  EXPECT_EQ(read->bytes_total, 33564862u);
  EXPECT_EQ(read->bytes_uploaded, 34012345u);
  EXPECT_EQ(read->requests_refused, 51234u);
  EXPECT_NEAR(read->copies_uploaded(), 34012345.0 / 33564862.0, 1e-9);
  EXPECT_NE(slurp(file).find("\"copies_uploaded\":1.01"), std::string::npos) << slurp(file);
}

TEST_F(status_file_test, a_missing_or_damaged_file_gives_nothing) {
  EXPECT_FALSE(murder::client::read_status(path("absent.status.json")).has_value());
  write(path("cut.status.json"), "{\"role\": \"seed\", \"state\": ");
  EXPECT_FALSE(murder::client::read_status(path("cut.status.json")).has_value());
  write(path("wrong.status.json"), "{\"role\": \"seed\", \"state\": \"stopped\", \"bytes_total\": \"many\"}");
  EXPECT_FALSE(murder::client::read_status(path("wrong.status.json")).has_value());
  EXPECT_THROW(murder::client::figures_from_json("[1, 2]"), std::invalid_argument);
}

}  // namespace
