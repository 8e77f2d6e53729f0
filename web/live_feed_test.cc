#include "web/live_feed.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "web/testing/sse_client.h"

namespace tonghop::web {
namespace {

using testing::SseEvent;
using testing::SseParser;
using tonghop::v1::AggregateUpdate;

AggregateUpdate Version(uint64_t seq, const std::string& indicator, const std::string& period, double value) {
  AggregateUpdate update;
  update.set_seq(seq);
  update.set_indicator(indicator);
  update.set_period(period);
  update.set_value(value);
  update.set_unit("ha");
  return update;
}

std::vector<SseEvent> Events(const std::string& text) {
  SseParser parser;
  std::vector<SseEvent> events;
  parser.Feed(text, &events);
  return events;
}

// A feed based at seq 10 on two aggregates, then versions 11..15 of agri.a and indus.b.
class LiveFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    AggregateTable table;
    table.Apply(Version(9, "agri.a", "2017-Q1", 1));
    table.Apply(Version(10, "indus.b", "2017-Q1", 2));
    feed_.Reset(0xabc, 10, table);
    feed_.Append({Version(11, "agri.a", "2017-Q1", 3), Version(12, "indus.b", "2017-Q1", 4),
                  Version(13, "agri.a", "2017-Q2", 5)},
                 13);
    feed_.Append({Version(14, "indus.b", "2017-Q2", 6), Version(15, "agri.a", "2017-Q1", 7)}, 15);
  }
  std::vector<SseEvent> ReadAll(LiveFeed::Cursor* cursor, const std::string& filter = "") {
    std::string out;
    EXPECT_EQ(feed_.Read(cursor, filter, 1 << 20, &out), LiveFeed::ReadResult::kOk);
    return Events(out);
  }
  static std::vector<std::string> Ids(const std::vector<SseEvent>& events, const std::string& kind = "version") {
    std::vector<std::string> ids;
    for (const auto& e : events) {
      if (e.event == kind) ids.push_back(e.id);
    }
    return ids;
  }
  LiveFeed feed_{1 << 20, nullptr};
};

TEST_F(LiveFeedTest, ANewClientGetsASnapshotOfItsFilterThenTheStatus) {
  LiveFeed::Cursor cursor;
  EXPECT_FALSE(feed_.Place(std::nullopt, &cursor));
  EXPECT_TRUE(feed_.HasNews(cursor)) << "its snapshot";
  std::vector<SseEvent> events = ReadAll(&cursor, "i/agri.");
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].event, "snapshot");
  EXPECT_EQ(events[0].id, "15");
  nlohmann::json snapshot = nlohmann::json::parse(events[0].data);
  EXPECT_EQ(snapshot["stream_id"], "0000000000000abc");
  EXPECT_EQ(snapshot["seq"], 15);
  ASSERT_EQ(snapshot["aggregates"].size(), 2u);
  EXPECT_EQ(snapshot["aggregates"][0]["indicator"], "agri.a");
  EXPECT_EQ(snapshot["aggregates"][0]["period"], "2017-Q1");
  EXPECT_EQ(snapshot["aggregates"][0]["value"], 7.0);
  EXPECT_EQ(snapshot["aggregates"][0]["seq"], 15);
  EXPECT_EQ(snapshot["aggregates"][1]["period"], "2017-Q2");
  EXPECT_EQ(events[1].event, "status");
  // Nothing more until something changes.
  EXPECT_FALSE(feed_.HasNews(cursor));
  EXPECT_TRUE(ReadAll(&cursor, "i/agri.").empty());
  feed_.Append({Version(16, "indus.b", "2017-Q1", 8), Version(17, "agri.a", "2017-Q2", 9)}, 17);
  EXPECT_TRUE(feed_.HasNews(cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor, "i/agri.")), std::vector<std::string>({"17"}));
}

// A deletion (every figure voided) reaches the pages that hold the aggregate as a version event
// saying so, and a new page's snapshot no longer has it.
TEST_F(LiveFeedTest, ADeletionIsLoggedForPagesAndLeavesTheSnapshot) {
  LiveFeed::Cursor following;
  ASSERT_TRUE(feed_.Place(15, &following));
  AggregateUpdate deletion;
  deletion.set_seq(16);
  deletion.set_indicator("agri.a");
  deletion.set_period("2017-Q2");
  deletion.set_deleted(true);
  feed_.Append({deletion}, 16);
  std::vector<SseEvent> events = ReadAll(&following);
  ASSERT_EQ(Ids(events), std::vector<std::string>({"16"}));
  nlohmann::json data = nlohmann::json::parse(events[0].data);
  EXPECT_EQ(data["deleted"], true);
  EXPECT_EQ(data["indicator"], "agri.a");
  EXPECT_EQ(data["period"], "2017-Q2");

  LiveFeed::Cursor joining;
  EXPECT_FALSE(feed_.Place(std::nullopt, &joining));
  nlohmann::json snapshot = nlohmann::json::parse(ReadAll(&joining, "i/agri.")[0].data);
  ASSERT_EQ(snapshot["aggregates"].size(), 1u);
  EXPECT_EQ(snapshot["aggregates"][0]["period"], "2017-Q1");
}

TEST_F(LiveFeedTest, AReconnectingClientGetsExactlyWhatFollowsItsLastEvent) {
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(12, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"13", "14", "15"}));
  ASSERT_TRUE(feed_.Place(10, &cursor));  // the base itself
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"11", "12", "13", "14", "15"}));
  ASSERT_TRUE(feed_.Place(15, &cursor));
  EXPECT_TRUE(Ids(ReadAll(&cursor)).empty());
  ASSERT_TRUE(feed_.Place(12, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor, "p/2017-Q2/")), std::vector<std::string>({"13", "14"}));
}

TEST_F(LiveFeedTest, AnIdTheFeedCannotReplayFromGetsASnapshot) {
  LiveFeed::Cursor cursor;
  EXPECT_FALSE(feed_.Place(9, &cursor)) << "before the base";
  EXPECT_EQ(Ids(ReadAll(&cursor), "snapshot"), std::vector<std::string>({"15"}));
  EXPECT_FALSE(feed_.Place(16, &cursor)) << "beyond what the feed holds: another stream, or another node";
  EXPECT_EQ(Ids(ReadAll(&cursor), "snapshot"), std::vector<std::string>({"15"}));
  // A snapshot's id is a place to resume from, like a version's.
  ASSERT_TRUE(feed_.Place(15, &cursor));
  EXPECT_TRUE(ReadAll(&cursor).empty() || Ids(ReadAll(&cursor)).empty());
}

TEST_F(LiveFeedTest, TheLogKeepsItsBoundAndThenReplaysOnlyWhatItStillHolds) {
  LiveFeed small(1000, nullptr);
  AggregateTable empty;
  small.Reset(1, 0, empty);
  for (uint64_t seq = 1; seq <= 100; ++seq) small.Append({Version(seq, "agri.a", "2017-01", seq)}, seq);
  nlohmann::json status = nlohmann::json::parse(small.StatusJson());
  EXPECT_LE(status["replay_log"]["bytes"].get<uint64_t>(), 1000u);
  const uint64_t held = status["replay_log"]["versions"];
  ASSERT_GT(held, 0u);
  ASSERT_LT(held, 20u);
  const uint64_t oldest = 100 - held + 1;
  LiveFeed::Cursor cursor;
  EXPECT_FALSE(small.Place(oldest - 1, &cursor)) << "dropped from the log";
  ASSERT_TRUE(small.Place(oldest, &cursor));
  std::string out;
  ASSERT_EQ(small.Read(&cursor, "", 1 << 20, &out), LiveFeed::ReadResult::kOk);
  EXPECT_EQ(Ids(Events(out)).size(), held - 1);
  EXPECT_EQ(Ids(Events(out)).back(), "100");
  EXPECT_FALSE(small.Place(0, &cursor)) << "the base, no longer reached by the log";

  // A client placed on entries that are then dropped is behind: it must be cut off.
  ASSERT_TRUE(small.Place(oldest, &cursor));
  for (uint64_t seq = 101; seq <= 200; ++seq) small.Append({Version(seq, "agri.a", "2017-01", seq)}, seq);
  EXPECT_GT(small.BytesBehind(cursor), 1000u);
  out.clear();
  EXPECT_EQ(small.Read(&cursor, "", 1 << 20, &out), LiveFeed::ReadResult::kBehind);
}

TEST_F(LiveFeedTest, AfterALossTheLogKeepsTheNodesOrderAndAResumeFollowsIt) {
  // 17 and 19 came live; 16 and 18, lost upstream, came after them by a catch-up.
  feed_.Append({Version(17, "agri.a", "2017-Q3", 1), Version(19, "indus.b", "2017-Q3", 2)}, 15);
  feed_.Append({Version(16, "indus.b", "2017-Q4", 3), Version(18, "agri.a", "2017-Q4", 4)}, 19);
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(19, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"16", "18"})) << "what followed 19, not what is above it";
  ASSERT_TRUE(feed_.Place(17, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"19", "16", "18"}));
  EXPECT_EQ(feed_.seq(), 19u);
}

TEST_F(LiveFeedTest, AVersionNoNewerThanTheTablesIsNotLoggedTwice) {
  // A replica that starts over brings every version again: only the newer ones are news.
  feed_.Append({Version(15, "agri.a", "2017-Q1", 7), Version(11, "agri.a", "2017-Q1", 3), Version(16, "agri.a", "2017-Q1", 8)},
               16);
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(15, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"16"}));
  EXPECT_EQ(nlohmann::json::parse(*feed_.AggregateJson("agri.a", "2017-Q1"))["value"], 8.0);
}

TEST_F(LiveFeedTest, ReadsStopNearTheirByteBoundAndTheRestFollows) {
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(10, &cursor));
  std::string out;
  ASSERT_EQ(feed_.Read(&cursor, "", 1, &out), LiveFeed::ReadResult::kOk);
  EXPECT_EQ(Ids(Events(out)), std::vector<std::string>({"11"}));
  EXPECT_GT(feed_.BytesBehind(cursor), 0u);
  EXPECT_EQ(Ids(ReadAll(&cursor)), std::vector<std::string>({"12", "13", "14", "15"}));
  EXPECT_EQ(feed_.BytesBehind(cursor), 0u);
}

TEST_F(LiveFeedTest, ANewBaseSendsEveryClientASnapshot) {
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(15, &cursor));
  ReadAll(&cursor);
  AggregateTable other;
  other.Apply(Version(3, "trade.c", "2017", 1));
  feed_.Reset(0xdef, 3, other);
  std::vector<SseEvent> events = ReadAll(&cursor);
  ASSERT_EQ(Ids(events, "snapshot"), std::vector<std::string>({"3"}));
  nlohmann::json snapshot = nlohmann::json::parse(events[0].data);
  EXPECT_EQ(snapshot["stream_id"], "0000000000000def");
  ASSERT_EQ(snapshot["aggregates"].size(), 1u);
  EXPECT_EQ(snapshot["aggregates"][0]["indicator"], "trade.c");
  // The old stream's seqs mean nothing now.
  EXPECT_FALSE(feed_.Place(12, &cursor));
}

TEST_F(LiveFeedTest, HealthChangesReachEveryClientOnce) {
  LiveFeed::Cursor cursor;
  ASSERT_TRUE(feed_.Place(15, &cursor));
  EXPECT_EQ(Ids(ReadAll(&cursor), "status").size(), 1u);
  EXPECT_TRUE(ReadAll(&cursor).empty());
  FeedHealth stale;
  stale.state = FeedHealth::State::kStale;
  stale.reason_code = "publisher_unreachable";
  stale.reason = "no message from the publisher";
  stale.since_ms = 1234;
  feed_.SetHealth(stale);
  std::vector<SseEvent> events = ReadAll(&cursor);
  ASSERT_EQ(events.size(), 1u);
  nlohmann::json status = nlohmann::json::parse(events[0].data);
  EXPECT_EQ(status["state"], "stale");
  EXPECT_EQ(status["reason_code"], "publisher_unreachable");
  EXPECT_EQ(status["since_ms"], 1234);
  EXPECT_EQ(status["seq"], 15);
}

TEST_F(LiveFeedTest, TheApiSelectsByIndicatorOrPrefixAndPeriod) {
  auto indicators = [&](std::string_view indicator, std::string_view period) {
    std::vector<std::string> found;
    const nlohmann::json answer = nlohmann::json::parse(feed_.AggregatesJson(indicator, period));
    for (const auto& a : answer["aggregates"]) {
      found.push_back(a["indicator"].get<std::string>() + "/" + a["period"].get<std::string>());
    }
    return found;
  };
  EXPECT_EQ(indicators("", ""), std::vector<std::string>({"agri.a/2017-Q1", "agri.a/2017-Q2", "indus.b/2017-Q1",
                                                          "indus.b/2017-Q2"}));
  EXPECT_EQ(indicators("agri.", ""), std::vector<std::string>({"agri.a/2017-Q1", "agri.a/2017-Q2"}));
  EXPECT_EQ(indicators("agri", ""), std::vector<std::string>()) << "an id, not a prefix, without the final '.'";
  EXPECT_EQ(indicators("indus.b", "2017-Q2"), std::vector<std::string>({"indus.b/2017-Q2"}));
  nlohmann::json all = nlohmann::json::parse(feed_.AggregatesJson("", ""));
  EXPECT_EQ(all["seq"], 15);
  EXPECT_EQ(all["stream_id"], "0000000000000abc");
  EXPECT_EQ(feed_.AggregateJson("agri.a", "2017-Q3"), std::nullopt);
  EXPECT_EQ(nlohmann::json::parse(*feed_.AggregateJson("agri.a", "2017-Q1"))["value"], 7.0);
  EXPECT_EQ(feed_.VersionsOf("2017-Q2").size(), 2u);
}

}  // namespace
}  // namespace tonghop::web
