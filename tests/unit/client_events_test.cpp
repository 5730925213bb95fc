// murder_client's --json event lines (status_events.hpp, docs/STATUS.md): what
// the client writes, the front ends read back field for field.
#include <gtest/gtest.h>

#include "murder/client/metrics_file.hpp"
#include "murder/client/status_events.hpp"

using namespace murder::client;

namespace {

run_figures peer_figures(const char* state, std::uint64_t total, std::uint64_t done, std::uint64_t from_peers) {
  run_figures peer;
  peer.role = "peer";
  peer.state = state;
  peer.bytes_total = total;
  peer.bytes_done = done;
  peer.bytes_from_peers = from_peers;
  return peer;
}

template <class Event>
Event round_trip(const Event& event) {
  auto line = to_json_line(event);
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  auto parsed = parse_event_line(line);
  EXPECT_TRUE(parsed) << line;
  if (!parsed) return {};
  EXPECT_TRUE(std::holds_alternative<Event>(*parsed)) << line;
  return std::holds_alternative<Event>(*parsed) ? std::get<Event>(*parsed) : Event{};
}

TEST(client_events, every_event_reads_back_field_for_field) {
  transfer_status progress{"rel.tgz", 1048576, 33564862, 9830400, 12, 8, 1, true};
  auto p = round_trip(progress);
  EXPECT_EQ(p.name, "rel.tgz");
  EXPECT_EQ(p.bytes_done, 1048576u);
  EXPECT_EQ(p.bytes_total, 33564862u);
  EXPECT_EQ(p.download_rate, 9830400);
  EXPECT_EQ(p.upload_rate, 12);
  EXPECT_EQ(p.peers, 8);
  EXPECT_EQ(p.seeds, 1);
  EXPECT_TRUE(p.checking);

  // Byte counts past 2^53 stay exact: no trip through a double.
  done_event done{"/tmp/rel \"quoted\".tgz", (1ULL << 60) + 1, 30012345, 4.21, 0.35};
  auto d = round_trip(done);
  EXPECT_EQ(d.path, done.path);
  EXPECT_EQ(d.bytes, (1ULL << 60) + 1);
  EXPECT_EQ(d.bytes_from_peers, 30012345u);
  EXPECT_DOUBLE_EQ(d.download_seconds, 4.21);
  EXPECT_DOUBLE_EQ(d.deliver_seconds, 0.35);

  auto s = round_trip(seeding_event{"/tmp/rel.tgz", 33564862});
  EXPECT_EQ(s.path, "/tmp/rel.tgz");
  EXPECT_EQ(s.bytes, 33564862u);

  auto f = round_trip(failed_event{4, "no progress for 60 s\nfrom 198.18.0.3"});
  EXPECT_EQ(f.exit_code, 4);
  EXPECT_EQ(f.message, "no progress for 60 s\nfrom 198.18.0.3");

  run_figures figures = seed_figures("stopped", 33564862, 34012345, 51234);
  auto stop = round_trip(stop_event{"/srv/murder/run/seed-T.pid", "stopped", 4242, figures});
  EXPECT_EQ(stop.pidfile, "/srv/murder/run/seed-T.pid");
  EXPECT_EQ(stop.outcome, "stopped");
  EXPECT_EQ(stop.pid, 4242);
  ASSERT_TRUE(stop.figures);
  EXPECT_EQ(stop.figures->role, "seed");
  EXPECT_EQ(stop.figures->bytes_uploaded, 34012345u);
  EXPECT_EQ(stop.figures->requests_refused, 51234u);
  auto gone = round_trip(stop_event{"/x.pid", "not_running", std::nullopt, std::nullopt});
  EXPECT_FALSE(gone.pid);
  EXPECT_FALSE(gone.figures);

  auto st = round_trip(status_event{"/x.pid", true, 77, std::nullopt});
  EXPECT_TRUE(st.running);
  EXPECT_EQ(st.pid, 77);

  // A detached peer's figures, as murderctl follows them.
  run_figures peer = peer_figures("failed", 1000, 600, 650);
  peer.exit_code = 4;
  peer.error = "no progress for 60 s";
  auto followed = round_trip(status_event{"/p.pid", false, std::nullopt, peer});
  ASSERT_TRUE(followed.figures);
  EXPECT_EQ(followed.figures->state, "failed");
  EXPECT_EQ(followed.figures->bytes_done, 600u);
  EXPECT_EQ(followed.figures->bytes_from_peers, 650u);
  EXPECT_EQ(followed.figures->exit_code, 4);
  EXPECT_EQ(followed.figures->error, "no progress for 60 s");
}

// The lines as docs/STATUS.md shows them: a reader written from the document
// reads what the client writes.
TEST(client_events, the_documented_lines_are_what_is_written) {
  EXPECT_EQ(to_json_line(done_event{"/tmp/T.tgz", 33564862, 30012345, 4.21, 0.35}),
            R"({"event":"done","path":"/tmp/T.tgz","bytes":33564862,"bytes_from_peers":30012345,)"
            R"("download_seconds":4.21,"deliver_seconds":0.35})");
  EXPECT_EQ(to_json_line(transfer_status{"T.tgz", 1048576, 33564862, 9830400, 0, 8, 1, false}),
            R"({"event":"progress","name":"T.tgz","bytes_done":1048576,"bytes_total":33564862,)"
            R"("download_rate":9830400,"upload_rate":0,"peers":8,"seeds":1,"checking":false})");
  EXPECT_EQ(to_json_line(status_event{"/srv/murder/run/peer-T.pid", true, 4242,
                                      peer_figures("downloading", 33564862, 1048576, 1100000)}),
            R"({"event":"status","pidfile":"/srv/murder/run/peer-T.pid","running":true,"pid":4242,"figures":)"
            R"({"role":"peer","state":"downloading","bytes_total":33564862,"bytes_uploaded":0,"copies_uploaded":0.0,)"
            R"("requests_refused":0,"bytes_done":1048576,"bytes_from_peers":1100000}})");
}

// A tag or path is any bytes: one that is not UTF-8 still makes a line (the
// bad byte replaced), never an exception that would lose the event.
TEST(client_events, bytes_that_are_not_utf8_still_make_a_line) {
  auto line = to_json_line(failed_event{5, "cannot write /srv/caf\xe9/T.tgz"});
  auto parsed = parse_event_line(line);
  ASSERT_TRUE(parsed) << line;
  EXPECT_EQ(std::get<failed_event>(*parsed).message, "cannot write /srv/caf\xef\xbf\xbd/T.tgz");
}

TEST(client_events, other_lines_are_skipped_and_unknown_fields_ignored) {
  EXPECT_FALSE(parse_event_line("murder_client: seeding /tmp/T.tgz"));
  EXPECT_FALSE(parse_event_line(""));
  EXPECT_FALSE(parse_event_line("{not json"));
  EXPECT_FALSE(parse_event_line(R"({"no_event":1})"));
  EXPECT_FALSE(parse_event_line(R"({"event":"from_the_future","x":1})"));
  EXPECT_FALSE(parse_event_line(R"({"event":"done","path":"/a"})"));  // bytes missing
  auto later = parse_event_line(R"({"event":"seeding","path":"/a","bytes":5,"added_later":[1,2]})");
  ASSERT_TRUE(later);
  EXPECT_EQ(std::get<seeding_event>(*later).bytes, 5u);
}

}  // namespace

// --metrics-file: the figures as node-exporter's textfile collector reads them.
TEST(client_metrics, a_done_peer_in_the_text_format) {
  murder::client::run_figures f;
  f.role = "peer";
  f.state = "done";
  f.bytes_total = 1000;
  f.bytes_done = 1000;
  f.bytes_uploaded = 2500;
  f.bytes_from_peers = 1010;
  const std::string text = murder::client::metrics_text(f, "v\"1", 7);
  const std::string labels = "{role=\"peer\",tag=\"v\\\"1\"}";
  for (const std::string& line : std::vector<std::string>{
           "murder_client_payload_bytes" + labels + " 1000", "murder_client_bytes_done" + labels + " 1000",
        "murder_client_bytes_uploaded" + labels + " 2500", "murder_client_copies_uploaded" + labels + " 2.5",
        "murder_client_bytes_from_peers" + labels + " 1010", "murder_client_peers" + labels + " 7",
        "murder_client_state{role=\"peer\",tag=\"v\\\"1\",state=\"done\"} 1",
        "murder_client_state{role=\"peer\",tag=\"v\\\"1\",state=\"downloading\"} 0",
           "# TYPE murder_client_peers gauge"}) {
    EXPECT_NE(text.find("\n" + line + "\n"), std::string::npos) << line << " in\n" << text;
  }
}
