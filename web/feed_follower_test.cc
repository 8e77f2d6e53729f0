// FeedFollower between a real CloneServer (CloneSource) and a real CloneReplica on loopback, and
// clients reading the LiveFeed it fills as the HTTP server's streams do.
#include "core/clock.h"
#include "web/feed_follower.h"

#include <map>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/clone_source.h"
#include "core/testing/status_matchers.h"
#include "web/testing/sse_client.h"

namespace tonghop::web {
namespace {

using tonghop::testing::CloneSource;
using tonghop::testing::TestReplicaOptions;

// What a stream's client holds: (indicator, period) -> (seq, value), from snapshots and versions.
struct ClientTable {
  std::map<std::pair<std::string, std::string>, std::pair<uint64_t, double>> rows;
  uint64_t last_id = 0;
  std::vector<uint64_t> version_ids;

  void Take(const std::string& text) {
    std::vector<testing::SseEvent> events;
    parser.Feed(text, &events);
    for (const auto& event : events) {
      if (event.event == "snapshot") {
        rows.clear();
        const nlohmann::json snapshot = nlohmann::json::parse(event.data);
        for (const auto& a : snapshot["aggregates"]) Put(a);
      } else if (event.event == "version") {
        Put(nlohmann::json::parse(event.data));
        version_ids.push_back(std::stoull(event.id));
      }
      if (!event.id.empty()) last_id = std::stoull(event.id);
    }
  }
  // The highest seq wins, as for every Clone subscriber.
  void Put(const nlohmann::json& a) {
    auto& row = rows[{a["indicator"], a["period"]}];
    if (a["seq"].get<uint64_t>() > row.first) row = {a["seq"].get<uint64_t>(), a["value"].get<double>()};
  }
  // "" when the rows are exactly `table`'s.
  std::string Diff(const AggregateTable& table) const {
    if (rows.size() != table.size()) return fmt::format("{} rows held, {} expected", rows.size(), table.size());
    for (const auto& [key, update] : table.entries()) {
      auto it = rows.find(key);
      if (it == rows.end()) return key.first + "/" + key.second + " missing";
      if (it->second.first != update.seq()) {
        return fmt::format("{}/{}: seq {} held, {} expected", key.first, key.second, it->second.first, update.seq());
      }
    }
    return "";
  }
  testing::SseParser parser;
};

class FeedFollowerTest : public ::testing::Test {
 protected:
  // `heartbeat_interval_ms`: how soon an idle source says where it is (and so reveals a hole).
  explicit FeedFollowerTest(int heartbeat_interval_ms = 50, int server_timeout_ms = 300)
      : source_{context_, 0x5eed, heartbeat_interval_ms}, server_timeout_ms_(server_timeout_ms) {}

  void SetUp() override {
    ASSERT_OK(source_.Start());
    options_.stale_after_ms = 400;
    options_.source = source_.publish_endpoint();
    follower_ = std::make_unique<FeedFollower>(&feed_, options_);
    CloneReplicaOptions replica_options = TestReplicaOptions(source_.publish_endpoint(), source_.snapshot_endpoint());
    replica_options.server_timeout_ms = server_timeout_ms_;
    replica_ = std::make_unique<CloneReplica>(context_, replica_options);
    ASSERT_OK(replica_->Start());
  }

  // Drives source, replica and follower, and lets `client` (if any) read the feed after each turn,
  // until `done` or timeout_ms.
  bool Pump(const std::function<bool()>& done, int timeout_ms, ClientTable* client = nullptr,
            LiveFeed::Cursor* cursor = nullptr) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (!done()) {
      if (MonotonicMs() >= deadline) return false;
      std::vector<zmq::pollitem_t> items = source_.PollItems();
      for (const auto& item : replica_->PollItems()) items.push_back(item);
      zmq::poll(items, std::chrono::milliseconds(5));
      source_.Pump();
      replica_->Process([this](const tonghop::v1::AggregateUpdate& u) { follower_->OnChange(u, replica_->stream_id()); });
      follower_->Update(*replica_);
      if (client != nullptr) {
        std::string out;
        EXPECT_EQ(feed_.Read(cursor, "", 1 << 20, &out), LiveFeed::ReadResult::kOk);
        client->Take(out);
      }
    }
    return true;
  }
  bool Converged() const {
    return replica_->synced() && feed_.stream_id() == source_.stream_id() && feed_.seq() == source_.table().max_seq();
  }
  void Fill(int rounds, int skip_every = 0) {
    for (int round = 0; round < rounds; ++round) {
      for (int i = 0; i < 30; ++i) {
        for (const char* period : {"2017-01", "2017-Q1", "2017"}) {
          const bool publish = skip_every == 0 || (i + round) % skip_every != 0;
          source_.Put(fmt::format("{}.k{}", i % 2 ? "agri" : "indus", i), period, round + i * 0.5, publish);
        }
      }
    }
  }

  zmq::context_t context_;
  CloneSource source_;
  const int server_timeout_ms_;
  LiveFeed feed_{64 << 20, nullptr};
  FeedFollowerOptions options_;
  std::unique_ptr<FeedFollower> follower_;
  std::unique_ptr<CloneReplica> replica_;
};

TEST_F(FeedFollowerTest, ALiveClientSeesEveryVersionOnceAndEndsExact) {
  Fill(2);
  ASSERT_TRUE(Pump([&] { return Converged(); }, 5'000));
  EXPECT_EQ(follower_->bases(), 1u);
  ClientTable client;
  LiveFeed::Cursor cursor;
  ASSERT_FALSE(feed_.Place(std::nullopt, &cursor));
  // Versions that never leave the source's table come back through catch-ups, after later ones.
  Fill(6, /*skip_every=*/4);
  ASSERT_TRUE(Pump([&] { return Converged() && client.Diff(source_.table()).empty(); }, 10'000, &client, &cursor))
      << client.Diff(source_.table());
  EXPECT_GT(replica_->resyncs(), 0u) << "the test meant to make the replica catch up";
  std::vector<uint64_t> ids = client.version_ids;
  std::sort(ids.begin(), ids.end());
  EXPECT_EQ(std::adjacent_find(ids.begin(), ids.end()), ids.end()) << "a version was sent twice";
  EXPECT_EQ(follower_->bases(), 1u) << "a gap is filled in place, not by a new base";
}

// A source that never says where it is: a hole in what it published stays open for good, as one
// does until the next heartbeat.
class FeedFollowerWithoutHeartbeatsTest : public FeedFollowerTest {
 protected:
  FeedFollowerWithoutHeartbeatsTest() : FeedFollowerTest(/*heartbeat_interval_ms=*/600'000, /*server_timeout_ms=*/600'000) {}
};

TEST_F(FeedFollowerWithoutHeartbeatsTest, AVersionAfterAHoleReachesClientsWhileTheHoleIsOpen) {
  Fill(1);
  ASSERT_TRUE(Pump([&] { return replica_->synced() && feed_.seq() == source_.table().max_seq(); }, 5'000));
  ClientTable client;
  LiveFeed::Cursor cursor;
  feed_.Place(std::nullopt, &cursor);
  // Until the replica's subscription has reached the source, what it publishes is lost: publish
  // until a version arrives live (a loss on the way is caught up from its successor's prev_seq).
  uint64_t live = 0;
  int64_t next_put = 0;
  ASSERT_TRUE(Pump([&] {
    if (MonotonicMs() >= next_put) {
      live = source_.Put("agri.k2", "2017-01", static_cast<double>(MonotonicMs()), true).seq();
      next_put = MonotonicMs() + 20;
    }
    return replica_->synced() && client.rows[{"agri.k2", "2017-01"}].first == live;
  }, 10'000, &client, &cursor));
  const uint64_t resyncs = replica_->resyncs();
  source_.Put("agri.lost", "2017-01", 1, /*publish=*/false);
  const uint64_t after = source_.Put("agri.k1", "2017-01", 42, /*publish=*/true).seq();
  EXPECT_TRUE(Pump([&] {
    auto row = client.rows.find({"agri.k1", "2017-01"});
    return row != client.rows.end() && row->second.first == after;
  }, 3'000, &client, &cursor)) << "the version after the hole did not reach the client";
  EXPECT_EQ(replica_->resyncs(), resyncs) << "the hole was filled: the test proves nothing";
  EXPECT_EQ(client.rows.count({"agri.lost", "2017-01"}), 0u);
}

TEST_F(FeedFollowerTest, AClientThatReconnectsWithItsLastIdEndsExact) {
  Fill(1);
  ASSERT_TRUE(Pump([&] { return Converged(); }, 5'000));
  ClientTable client;
  LiveFeed::Cursor cursor;
  feed_.Place(std::nullopt, &cursor);
  std::string out;
  feed_.Read(&cursor, "", 1 << 20, &out);
  client.Take(out);
  const uint64_t left_at = client.last_id;
  // Gone while a thousand versions go by, some of them only through catch-ups.
  for (int i = 0; i < 11; ++i) Fill(1, /*skip_every=*/5);
  ASSERT_GE(source_.table().max_seq() - left_at, 900u);
  ASSERT_TRUE(Pump([&] { return Converged(); }, 10'000));
  ASSERT_TRUE(feed_.Place(left_at, &cursor)) << "the log holds everything since " << left_at;
  out.clear();
  feed_.Read(&cursor, "", size_t{1} << 30, &out);
  client.Take(out);
  EXPECT_EQ(client.Diff(source_.table()), "");
}

TEST_F(FeedFollowerTest, ANewStreamMakesANewBase) {
  Fill(1);
  ASSERT_TRUE(Pump([&] { return Converged(); }, 5'000));
  const uint64_t old_seq = feed_.seq();
  source_.Reset(0xbeef);
  source_.Put("agri.only", "2017-Q1", 1);
  ASSERT_TRUE(Pump([&] { return Converged(); }, 5'000));
  EXPECT_EQ(follower_->bases(), 2u);
  EXPECT_EQ(feed_.stream_id(), 0xbeefu);
  LiveFeed::Cursor cursor;
  EXPECT_FALSE(feed_.Place(old_seq, &cursor));
  ClientTable client;
  std::string out;
  feed_.Read(&cursor, "", 1 << 20, &out);
  client.Take(out);
  EXPECT_EQ(client.Diff(source_.table()), "");
}

TEST_F(FeedFollowerTest, SilenceMakesTheFeedStaleUntilThePublisherIsBack) {
  EXPECT_EQ(feed_.health().state, FeedHealth::State::kStarting);
  Fill(1);
  ASSERT_TRUE(Pump([&] { return Converged() && feed_.health().state == FeedHealth::State::kLive; }, 5'000));
  source_.Stop();
  const int64_t stopped_ms = NowMs();
  ASSERT_TRUE(Pump([&] { return feed_.health().state == FeedHealth::State::kStale; }, 5'000));
  const FeedHealth stale = feed_.health();
  EXPECT_EQ(stale.reason_code, "publisher_unreachable");
  EXPECT_NE(stale.reason.find(source_.publish_endpoint()), std::string::npos) << stale.reason;
  // Stale since the last message, not since it was noticed.
  EXPECT_LE(stale.since_ms, stopped_ms + 100);
  ASSERT_OK(source_.Start());
  source_.Put("agri.after", "2017-Q1", 1);
  ASSERT_TRUE(Pump([&] { return Converged() && feed_.health().state == FeedHealth::State::kLive; }, 5'000));
}

}  // namespace
}  // namespace tonghop::web
