// The Clone pattern end to end on loopback: CloneServer, CloneReplica, topics and AggregateTable.
#include <chrono>
#include <thread>

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include "core/aggregate_table.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/clone_server.h"
#include "core/testing/clone_source.h"
#include "core/testing/log_capture.h"
#include "core/topics.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::CloneSource;
using testing::PumpUntil;
using testing::SteadyFeed;
using testing::TableDiff;
using testing::TestReplicaOptions;
using tonghop::v1::AggregateUpdate;
using tonghop::v1::SnapshotReply;
using tonghop::v1::SnapshotRequest;

AggregateUpdate Version(const std::string& indicator, const std::string& period, uint64_t seq) {
  AggregateUpdate update;
  update.set_indicator(indicator);
  update.set_period(period);
  update.set_seq(seq);
  return update;
}

const std::vector<std::string> kIndicators = {"agri.sown_area.total", "agri.sown_area.rice",
                                              "agri.livestock.pigs", "indus.production_index",
                                              "trade.retail_sales", "edu.schools_standard"};
const std::vector<std::string> kPeriods = {"2017", "2017-H1", "2017-Q1", "2017-Q2", "2017-01", "2017-02"};

// Pumps until `replica` is in sync, holds exactly `source`'s table and `also` holds; on timeout,
// the first difference of the tables.
::testing::AssertionResult PumpUntilInSyncWith(const std::vector<CloneSource*>& sources, CloneReplica& replica,
                                               const CloneSource& source, int timeout_ms,
                                               const std::function<bool()>& also = [] { return true; }) {
  if (PumpUntil(sources, {&replica}, [&] {
        return replica.synced() && TableDiff(source.table(), replica.table()).empty() && also();
      }, timeout_ms)) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << TableDiff(source.table(), replica.table());
}

// Fills `source` with a version of every (indicator, period) above, `rounds` times over.
void Fill(CloneSource& source, int rounds, bool publish = true) {
  for (int round = 0; round < rounds; ++round) {
    for (const auto& indicator : kIndicators) {
      for (const auto& period : kPeriods) source.Put(indicator, period, round * 10.5, publish);
    }
  }
}

// Sends `frames` on a fresh DEALER to `endpoint` and collects the replies up to the last one.
std::vector<SnapshotReply> RawSnapshot(zmq::context_t& context, CloneSource& source,
                                       const std::vector<std::string>& frames) {
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.connect(source.snapshot_endpoint());
  for (size_t i = 0; i < frames.size(); ++i) {
    dealer.send(zmq::buffer(frames[i]), i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
  std::vector<SnapshotReply> replies;
  std::vector<zmq::pollitem_t> items = {{dealer.handle(), 0, ZMQ_POLLIN, 0}};
  const int64_t deadline = MonotonicMs() + 3'000;
  while (MonotonicMs() < deadline && (replies.empty() || !replies.back().last())) {
    source.Pump();
    zmq::poll(items, std::chrono::milliseconds(10));
    zmq::message_t message;
    while (dealer.recv(message, zmq::recv_flags::dontwait)) {
      EXPECT_FALSE(message.more()) << "a snapshot reply is one frame";
      SnapshotReply reply;
      EXPECT_TRUE(reply.ParseFromArray(message.data(), static_cast<int>(message.size())));
      replies.push_back(reply);
    }
  }
  return replies;
}

// A ROUTER on a free loopback port, for a test to play a snapshot server by hand with.
zmq::socket_t HandPlayedSnapshotPort(zmq::context_t& context) {
  zmq::socket_t router(context, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.bind("tcp://127.0.0.1:*");
  return router;
}

std::string Request(const std::string& filter, uint64_t since_seq) {
  SnapshotRequest request;
  request.set_filter(filter);
  request.set_since_seq(since_seq);
  return request.SerializeAsString();
}

TEST(AggregateTableTest, KeepsTheHighestSeqPerKey) {
  AggregateTable table;
  EXPECT_TRUE(table.Apply(Version("a", "2017", 5)));
  EXPECT_FALSE(table.Apply(Version("a", "2017", 5)));
  EXPECT_FALSE(table.Apply(Version("a", "2017", 3)));
  EXPECT_TRUE(table.Apply(Version("a", "2017-Q1", 2)));
  EXPECT_EQ(table.max_seq(), 5u);
  EXPECT_TRUE(table.Apply(Version("a", "2017", 9)));
  EXPECT_EQ(table.Find("a", "2017")->seq(), 9u);
  EXPECT_EQ(table.Find("a", "2017-Q2"), nullptr);
  EXPECT_EQ(table.size(), 2u);
  EXPECT_EQ(table.max_seq(), 9u);
  table.Clear();
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.max_seq(), 0u);
}

// A deletion (the Clone pattern's empty KVPUB) takes the entry away but keeps its seq, so that an
// older version arriving late cannot bring it back and the next version chains onto it.
TEST(AggregateTableTest, ADeletionRemovesTheEntryAndKeepsItsSeq) {
  AggregateTable table;
  ASSERT_TRUE(table.Apply(Version("a", "2017", 5)));
  AggregateUpdate deletion = Version("a", "2017", 7);
  deletion.set_deleted(true);
  EXPECT_TRUE(table.Apply(deletion));
  EXPECT_EQ(table.Find("a", "2017"), nullptr);
  EXPECT_EQ(table.size(), 0u);
  EXPECT_EQ(table.SeqOf("a", "2017"), 7u);
  EXPECT_EQ(table.max_seq(), 7u);
  ASSERT_EQ(table.deletions().size(), 1u);
  EXPECT_FALSE(table.Apply(Version("a", "2017", 6))) << "an older version must not bring it back";
  EXPECT_EQ(table.Find("a", "2017"), nullptr);
  EXPECT_TRUE(table.Apply(Version("a", "2017", 9)));
  ASSERT_NE(table.Find("a", "2017"), nullptr);
  EXPECT_EQ(table.deletions().size(), 0u);
  EXPECT_EQ(table.size(), 1u);
}

TEST(TopicsTest, TopicsNameBothFamilies) {
  AggregateUpdate update = Version("agri.sown_area.total", "2017-Q1", 1);
  EXPECT_EQ(IndicatorTopic(update), "i/agri.sown_area.total/2017-Q1");
  EXPECT_EQ(PeriodTopic(update), "p/2017-Q1/agri.sown_area.total");
}

TEST(TopicsTest, FilterMatchesExactlyThePrefixesOfEitherTopic) {
  AggregateUpdate update = Version("agri.sown_area.total", "2017-Q1", 1);
  for (const char* yes : {"", "i/", "i/agri.", "i/agri.sown_area.total/", "i/agri.sown_area.total/2017-Q1",
                          "p/", "p/2017-Q1/", "p/2017-Q", "p/2017-Q1/agri.", "p/2017-Q1/agri.sown_area.total"}) {
    EXPECT_TRUE(FilterMatches(yes, update)) << yes;
  }
  for (const char* no : {"i/indus.", "i/agri.sown_area.total/2017-Q2", "i/agri.sown_area.total2017",
                         "i/agri.sown_area.total/2017-Q1x", "p/2017-Q2/", "p/2017-Q1/indus.",
                         "p/2017-Q1agri", "hb", "x/", "2017-Q1"}) {
    EXPECT_FALSE(FilterMatches(no, update)) << no;
  }
  // The piecewise comparison agrees with building the topics, over many shapes of key and filter.
  for (const auto& indicator : {"a", "ab", "a.b", "a/b"}) {
    for (const auto& period : {"2017", "2017-Q1", "20"}) {
      AggregateUpdate u = Version(indicator, period, 1);
      for (const std::string& topic : {IndicatorTopic(u), PeriodTopic(u), std::string("i/a/2017"),
                                      std::string("p/2017/a"), std::string("i/ab/20")}) {
        for (size_t n = 0; n <= topic.size(); ++n) {
          std::string filter = topic.substr(0, n);
          bool expected = IndicatorTopic(u).starts_with(filter) || PeriodTopic(u).starts_with(filter);
          EXPECT_EQ(FilterMatches(filter, u), expected) << filter << " on " << IndicatorTopic(u);
        }
      }
    }
  }
}

TEST(TopicsTest, ValidateFilterAcceptsTopicPrefixesOnlyAndSaysWhatToUse) {
  for (const char* ok : {"", "i/", "i/agri.", "p/2017-Q1/"}) EXPECT_EQ(ValidateFilter(ok), "") << ok;
  for (const char* bad : {"i", "p", "hb", "agri.", "x/"}) {
    std::string why = ValidateFilter(bad);
    EXPECT_NE(why.find(std::string("'") + bad + "'"), std::string::npos) << why;
    EXPECT_NE(why.find("p/<period>/"), std::string::npos) << why;
  }
  EXPECT_NE(ValidateFilter("i/" + std::string(300, 'a')), "");
  // The longest a libzmq 4.3.4 subscriber can send intact (core/topics.h).
  EXPECT_EQ(ValidateFilter("i/" + std::string(kMaxFilterBytes - 2, 'a')), "");
  EXPECT_NE(ValidateFilter("i/" + std::string(kMaxFilterBytes - 1, 'a')), "");
}

TEST(CloneServerTest, SnapshotComesInChunksOf500WithTheSeqAndStreamInTheLast) {
  zmq::context_t context;
  CloneSource source(context, 0xabcdef);
  ASSERT_OK(source.Start());
  for (int i = 0; i < 1'234; ++i) source.Put(fmt::format("agri.x{:04}", i), "2017-Q1", i);
  std::vector<SnapshotReply> replies = RawSnapshot(context, source, {Request("", 0)});
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0].aggregates_size(), 500);
  EXPECT_EQ(replies[1].aggregates_size(), 500);
  EXPECT_EQ(replies[2].aggregates_size(), 234);
  EXPECT_FALSE(replies[0].last());
  EXPECT_FALSE(replies[1].last());
  EXPECT_TRUE(replies[2].last());
  EXPECT_EQ(replies[2].seq(), 1'234u);
  EXPECT_EQ(replies[2].stream_id(), 0xabcdefu);

  // since_seq: only what is above it.
  replies = RawSnapshot(context, source, {Request("i/agri.x12", 1'200)});
  ASSERT_EQ(replies.size(), 1u);
  ASSERT_EQ(replies[0].aggregates_size(), 34);  // agri.x1200 .. agri.x1233 have seqs 1201 .. 1234
  EXPECT_EQ(replies[0].aggregates(0).indicator(), "agri.x1200");
  EXPECT_EQ(replies[0].seq(), 1'234u);
}

TEST(CloneServerTest, BadRequestsGetAnEmptyLastReplyAndTheServerGoesOn) {
  zmq::context_t context;
  CloneSource source(context, 7);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  const std::vector<std::vector<std::string>> bad = {
      {std::string("\xff\xff\xff", 3)},       // not a protobuf
      {Request("", 0), Request("", 0)},       // two bodies
      {Request("x/", 0)},                      // not a topic prefix
      {Request("hb", 0)}};
  for (const auto& frames : bad) {
    std::vector<SnapshotReply> replies = RawSnapshot(context, source, frames);
    ASSERT_EQ(replies.size(), 1u);
    EXPECT_TRUE(replies[0].last());
    EXPECT_EQ(replies[0].aggregates_size(), 0);
    EXPECT_EQ(replies[0].seq(), 0u) << "an error reply must not vouch for any seq";
  }
  std::vector<SnapshotReply> replies = RawSnapshot(context, source, {Request("p/2017-Q1/", 0)});
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0].aggregates_size(), static_cast<int>(kIndicators.size()));
  EXPECT_EQ(replies[0].seq(), source.table().max_seq());
}

TEST(CloneReplicaTest, RejectsAFilterThatIsNotATopicPrefix) {
  zmq::context_t context;
  CloneReplica replica(context, TestReplicaOptions("tcp://127.0.0.1:1", "tcp://127.0.0.1:1", "agri."));
  Status s = replica.Start();
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
}

TEST(CloneReplicaTest, LateJoinerGetsTheFullStateThenFollowsTheStream) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  for (int i = 0; i < 1'100; ++i) source.Put(fmt::format("pop.x{:04}", i), "2017", i);
  Fill(source, 3);

  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  std::vector<AggregateUpdate> changes;
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  EXPECT_EQ(TableDiff(source.table(), replica.table()), "");
  EXPECT_EQ(replica.stream_id(), 42u);
  EXPECT_EQ(replica.verified_seq(), source.table().max_seq());

  Fill(source, 2);
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    return TableDiff(source.table(), replica.table()).empty() && replica.verified_seq() == source.table().max_seq();
  }, 5'000)) << TableDiff(source.table(), replica.table());
  EXPECT_EQ(replica.resyncs(), 0u) << "nothing was lost, so nothing should have been resynchronised";
}

// A deleted aggregate leaves a live replica, is absent from a late joiner's snapshot, and reaches a
// replica that missed it through its catch-up snapshot.
TEST(CloneReplicaTest, DeletionsReachLiveReplicasLateJoinersAndCatchUps) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    source.Put("probe", "2017", 1);
    return replica.table().Find("probe", "2017") != nullptr;
  }, 5'000));
  auto exact = [&] {
    return replica.synced() && TableDiff(source.table(), replica.table()).empty() &&
           replica.verified_seq() == source.table().max_seq();
  };

  source.Delete(kIndicators[0], "2017");
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, exact, 5'000)) << TableDiff(source.table(), replica.table());
  EXPECT_EQ(replica.table().Find(kIndicators[0], "2017"), nullptr);

  // Lost in transit: only the heartbeat tells, and the catch-up snapshot carries the deletion.
  const uint64_t resyncs_before = replica.resyncs();
  source.Delete(kIndicators[1], "2017", /*publish=*/false);
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, exact, 5'000)) << TableDiff(source.table(), replica.table());
  EXPECT_EQ(replica.table().Find(kIndicators[1], "2017"), nullptr);
  EXPECT_GT(replica.resyncs(), resyncs_before);

  CloneReplica late(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(late.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&late}, [&] { return late.synced(); }, 5'000));
  EXPECT_EQ(TableDiff(source.table(), late.table()), "");
  EXPECT_EQ(late.table().deletions().size(), 0u) << "a full snapshot leaves deleted aggregates out";

  // A figure again: a new version chained onto the deletion, taken without a resync.
  const uint64_t resyncs_after_catch_up = replica.resyncs();
  source.Put(kIndicators[0], "2017", 3);
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, exact, 5'000)) << TableDiff(source.table(), replica.table());
  EXPECT_EQ(replica.resyncs(), resyncs_after_catch_up);
}

TEST(CloneReplicaTest, FilteredReplicasHoldExactlyTheirSubset) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 2);
  CloneReplica by_prefix(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint(), "i/agri."));
  CloneReplica by_period(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint(), "p/2017-Q1/"));
  ASSERT_OK(by_prefix.Start());
  ASSERT_OK(by_period.Start());
  auto exact = [&] {
    return by_prefix.synced() && by_period.synced() &&
           TableDiff(source.table(), by_prefix.table(), "i/agri.").empty() &&
           TableDiff(source.table(), by_period.table(), "p/2017-Q1/").empty() &&
           by_prefix.verified_seq() == source.table().max_seq() &&
           by_period.verified_seq() == source.table().max_seq();
  };
  ASSERT_TRUE(PumpUntil({&source}, {&by_prefix, &by_period}, exact, 5'000));
  // Live versions, matching and not; the heartbeat then proves the replicas complete.
  Fill(source, 2);
  source.Put("agri.new_crop", "2017-Q1", 1);
  source.Put("indus.new_plant", "2017-Q1", 1);
  source.Put("indus.new_plant", "2017-Q2", 1);
  ASSERT_TRUE(PumpUntil({&source}, {&by_prefix, &by_period}, exact, 5'000))
      << TableDiff(source.table(), by_prefix.table(), "i/agri.") << " / "
      << TableDiff(source.table(), by_period.table(), "p/2017-Q1/");
  EXPECT_EQ(by_prefix.table().size(), 3u * kPeriods.size() + 1);
  EXPECT_EQ(by_period.table().size(), kIndicators.size() + 2);
}

// Heartbeats come every interval however busy the feed, and a heartbeat's seq counts versions a
// filter does not select: a filtered replica catches up at each one while versions flow, for a
// round trip, and an unfiltered one, which holds that seq already, never does (docs/PUBLISHER.md,
// rule 4; `tonghop watch` shows "resyncing" only after 1 s of it).
TEST(CloneReplicaTest, UnderAFeedThatNeverPausesOnlyAFilteredReplicaCatchesUpAndBriefly) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/200);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplica filtered(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint(), "i/agri."));
  CloneReplica whole(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(filtered.Start());
  ASSERT_OK(whole.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&filtered, &whole}, [&] { return filtered.synced() && whole.synced(); }, 5'000));

  struct SyncWatch {
    const CloneReplica* replica;
    bool was_synced = true;
    int catch_ups = 0;
    int64_t out_since_ms = 0;
    int64_t longest_out_ms = 0;
    void Look(int64_t now) {
      const bool synced = replica->synced();
      if (was_synced && !synced) {
        ++catch_ups;
        out_since_ms = now;
      } else if (!was_synced && synced) {
        longest_out_ms = std::max(longest_out_ms, now - out_since_ms);
      }
      was_synced = synced;
    }
  };
  SyncWatch filtered_watch{&filtered}, whole_watch{&whole};
  SteadyFeed feed(&source, "indus.power", "2017-Q1");  // a key the filter does not select
  PumpUntil({&source}, {&filtered, &whole}, [&] {
    feed.Tick();
    const int64_t now = MonotonicMs();
    filtered_watch.Look(now);
    whole_watch.Look(now);
    return false;
  }, 1'500);
  EXPECT_GE(filtered_watch.catch_ups, 4) << "about one catch-up per heartbeat in 1.5 s at 200 ms";
  EXPECT_LT(filtered_watch.longest_out_ms, 500) << "a catch-up is a round trip, well under watch's 1 s";
  EXPECT_EQ(whole_watch.catch_ups, 0);
  EXPECT_TRUE(PumpUntil({&source}, {&filtered, &whole}, [&] {
    return filtered.synced() && whole.synced() && TableDiff(source.table(), filtered.table(), "i/agri.").empty() &&
           TableDiff(source.table(), whole.table()).empty();
  }, 5'000));
}

// PROTOCOL.md, "Guarantees": under a load that never stops, a lost version that no later version
// of its aggregate betrays is repaired within a heartbeat interval and a catch-up. Before
// heartbeats came every interval, it stayed lost until the load stopped.
TEST(CloneReplicaTest, ALostVersionIsRepairedWhileTheFeedNeverPauses) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/200);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));
  source.Put("agri.lost", "2017-Q1", 7, /*publish=*/false);
  SteadyFeed feed(&source, "indus.power", "2017-Q1");  // versions chained: no gap betrays the loss
  const bool repaired = PumpUntil({&source}, {&replica}, [&] {
    feed.Tick();
    return replica.table().SeqOf("agri.lost", "2017-Q1") != 0;
  }, 1'500);
  EXPECT_TRUE(repaired) << "agri.lost/2017-Q1 not held after 1.5 s of a feed that never paused";
}

TEST(CloneReplicaTest, LossAtTheHighWaterMarkEndsWithTheServersExactState) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/50, /*send_hwm=*/10);
  ASSERT_OK(source.Start());
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.link.receive_hwm = 10;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));

  // ~20 MB in a burst the replica does not read: far beyond both HWMs and the kernel's buffers.
  source.set_unit(std::string(1'000, 'u'));
  for (int i = 0; i < 20'000; ++i) source.Put(kIndicators[i % 6] + fmt::format(".k{}", i % 300), "2017-Q1", i);
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    return replica.synced() && TableDiff(source.table(), replica.table()).empty() &&
           replica.verified_seq() == source.table().max_seq();
  }, 10'000)) << TableDiff(source.table(), replica.table());
  EXPECT_GT(replica.resyncs(), 0u);
}

TEST(CloneReplicaTest, MissedVersionsAreCaughtUpFromTheirSuccessors) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/10'000);  // no heartbeat to help
  ASSERT_OK(source.Start());
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  // The snapshot is taken, but the subscription may still be on its way: wait until live
  // versions flow before losing some on purpose.
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    source.Put("probe", "2017", 1);
    return replica.table().Find("probe", "2017") != nullptr;
  }, 5'000));
  const uint64_t resyncs_before = replica.resyncs();
  for (int round = 0; round < 3; ++round) {
    for (size_t i = 0; i < kIndicators.size(); ++i) {
      // Every other indicator loses its version of this round; the next round reveals it.
      source.Put(kIndicators[i], "2017", round, /*publish=*/i % 2 == 1 || round == 2);
    }
  }
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));
  EXPECT_GT(replica.resyncs(), resyncs_before);
}

TEST(CloneReplicaTest, TrailingLossIsRevealedByTheHeartbeat) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  // New keys (prev_seq 0) that never reach the replica: only the heartbeat's seq tells.
  source.Put("agri.lost", "2017-Q1", 1, /*publish=*/false);
  source.Put("agri.lost", "2017-Q2", 2, /*publish=*/false);
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));
  EXPECT_EQ(replica.resyncs(), 1u);
  EXPECT_EQ(replica.verified_seq(), source.table().max_seq());
}

TEST(CloneReplicaTest, ANewStreamIdClearsTheTableAndResyncs) {
  zmq::context_t context;
  CloneSource source(context, 1);
  ASSERT_OK(source.Start());
  Fill(source, 3);
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  ASSERT_EQ(replica.table().size(), kIndicators.size() * kPeriods.size());

  // A rebuilt aggregator database: fewer keys, seqs from 1 again (below what the replica holds).
  source.Reset(2);
  source.Put("agri.only", "2017", 5);
  source.Put("agri.only", "2017", 6);
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000, [&] { return replica.stream_id() == 2; }));
  EXPECT_EQ(replica.table().size(), 1u);
  EXPECT_GT(replica.resyncs(), 0u);
}

// Found by the failover benchmark in CI (.ci/run, tonghop-bench --quick): a publisher that moved to
// the other aggregator of a pair relayed its stream without a pause, and heartbeats went out only
// after a pause then, so a subscriber never heard that the stream had changed. Here the new
// stream's versions are all of a key the replica does not hold, chained from 0, so that no gap
// reveals it either, and the interval's heartbeat is not due within the test: only the heartbeat
// of the change can.
TEST(CloneReplicaTest, AStreamChangeIsHeardWhileTheFeedNeverPauses) {
  zmq::context_t context;
  CloneSource source(context, 0xa, /*heartbeat_interval_ms=*/3'000);
  ASSERT_OK(source.Start());
  Fill(source, 3);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.server_timeout_ms = 10'000;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));

  source.Reset(0xb);
  bool followed = false;
  for (int i = 0; i < 100 && !followed; ++i) {  // a version every 10 ms
    source.Put("agri.only", "2017", i);
    PumpUntil({&source}, {&replica}, [] { return false; }, 10);
    followed = replica.stream_id() == 0xb && replica.synced() && TableDiff(source.table(), replica.table()).empty();
  }
  EXPECT_TRUE(followed) << "after 1 s of the new stream, the replica holds stream " << std::hex << replica.stream_id()
                        << ": " << TableDiff(source.table(), replica.table());
}

// Found by the fault schedules (seed 2515915705, under ASan): a publisher started while its
// aggregator was being replaced by a restored backup heard the old database's last versions
// before its first snapshot, which came from the restored one. Those versions had higher seqs than
// the snapshot's, so the snapshot did not replace them, and the old values stayed, in the
// publisher and in every subscriber that took its snapshot.
TEST(CloneReplicaTest, VersionsHeardBeforeTheFirstSnapshotDoNotOutliveIt) {
  zmq::context_t context;
  CloneSource source(context, 0xa);
  ASSERT_OK(source.Start());
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  // The old database publishes while nothing answers the replica's snapshot request.
  for (int i = 1; i <= 25; ++i) {
    source.Put("agri.rice", "2017", 100 + i);
    PumpUntil({}, {&replica}, [] { return false; }, 20);
  }
  // The restored database: seqs from 1 again, and it answers.
  source.Reset(0xb);
  source.Put("agri.rice", "2017", 7);
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000, [&] { return replica.stream_id() == 0xb; }))
      << "agri.rice/2017 held at seq " << replica.table().SeqOf("agri.rice", "2017") << ", the source's is seq 1";
}

// A catch-up answered from another stream starts the replica over. Versions of the old stream
// still queued on its SUB socket must not reach the new table, where their higher seqs would
// outrank the new snapshot's for good.
TEST(CloneReplicaTest, VersionsStillQueuedFromTheOldStreamDoNotReachTheNewTable) {
  zmq::context_t context;
  CloneSource source(context, 0xa, /*heartbeat_interval_ms=*/50, /*send_hwm=*/1'000'000);
  ASSERT_OK(source.Start());
  source.Put("agri.rice", "2017", 1);
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));
  // 25,000 versions queue on the replica's SUB; the 100th is not published, a gap it asks about.
  for (int i = 0; i < 25'000; ++i) source.Put("agri.rice", "2017", i, /*publish=*/i != 100);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  replica.Process({});
  // The server is a restored database now, and answers the catch-up from its new stream.
  source.Reset(0xb);
  source.Put("agri.rice", "2017", 7);
  for (int i = 0; i < 30; ++i) {
    source.Pump();
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  replica.Process({});
  EXPECT_EQ(replica.stream_id(), 0xbu);
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000, [&] { return replica.stream_id() == 0xb; }))
      << "agri.rice/2017 held at seq " << replica.table().SeqOf("agri.rice", "2017") << ", the source's is seq 1";
}

TEST(CloneReplicaTest, ASnapshotTooLateIsAskedForAgainOnAFreshSocket) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  // A snapshot server played by hand: it sits on the first request until the second comes, then
  // answers both, the first with a version the real state does not have.
  zmq::socket_t router = HandPlayedSnapshotPort(context);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), router.get(zmq::sockopt::last_endpoint));
  options.snapshot_timeout_ms = 200;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  std::vector<std::vector<zmq::message_t>> requests;
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    std::vector<zmq::message_t> frames;
    if (zmq::recv_multipart(router, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      requests.push_back(std::move(frames));
    }
    return requests.size() == 2;
  }, 5'000));
  SnapshotReply good;
  for (const auto& [key, update] : source.table().entries()) *good.add_aggregates() = update;
  good.set_last(true);
  good.set_seq(source.table().max_seq());
  good.set_stream_id(42);
  SnapshotReply stale;
  *stale.add_aggregates() = Version("stale", "2017", 1'000);
  stale.set_last(true);
  stale.set_seq(1'000);
  stale.set_stream_id(42);
  // The stale reply goes first: a replica that had asked again on the same socket would take it
  // for the answer. It is addressed to the closed socket's identity, so it has nowhere to go.
  SendRouted(router, requests[0][0], stale);
  ASSERT_OK(SendRouted(router, requests[1][0], good));
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  EXPECT_EQ(TableDiff(source.table(), replica.table()), "");
  EXPECT_EQ(replica.verified_seq(), source.table().max_seq());
}

TEST(CloneReplicaTest, ASilentServerIsReconnectedAndCaughtUpWith) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.server_timeout_ms = 300;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  // Down for longer than the server timeout, with nothing new: only the silence can make the
  // replica resync.
  source.Stop();
  PumpUntil({&source}, {&replica}, [] { return false; }, 400);
  ASSERT_OK(source.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced() && replica.resyncs() > 0; }, 5'000));
  source.Put("agri.after", "2017", 1);
  ASSERT_TRUE(PumpUntilInSyncWith({&source}, replica, source, 5'000));
}

// A relay answers under stream 0 while it holds only part of its source (at its start, or while
// it refills from the other aggregator of a pair): what it shows is applied, but is nobody's
// whole state.
TEST(CloneReplicaTest, ASnapshotOfStreamZeroIsHeldButNeverInSync) {
  zmq::context_t context;
  CloneSource relay(context, 0);
  ASSERT_OK(relay.Start());
  Fill(relay, 1);
  CloneReplica replica(context, TestReplicaOptions(relay.publish_endpoint(), relay.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&relay}, {&replica}, [&] { return replica.table().size() == relay.table().size(); }, 5'000));
  PumpUntil({&relay}, {&replica}, [] { return false; }, 300);
  EXPECT_FALSE(replica.synced());
  EXPECT_FALSE(replica.WaitUntilSynced(300).ok());
  // The relay's table is whole again, under its source's stream: now the replica is in sync.
  relay.Reset(7);
  Fill(relay, 1);
  ASSERT_TRUE(PumpUntilInSyncWith({&relay}, replica, relay, 5'000, [&] { return replica.stream_id() == 7; }));
}

// Binary Star's client failover (the ZeroMQ guide, chapter 5) over the Clone pattern: the
// replica follows the first server of its list and, when it falls silent, the next one, which
// holds the same figures under another stream (the other aggregator of a pair).
TEST(CloneReplicaTest, ASilentServerIsLeftForTheNextInTheListWhoseTableItEndsWithExactly) {
  zmq::context_t context;
  CloneSource a(context, 0xa);
  CloneSource b(context, 0xb);
  ASSERT_OK(a.Start());
  ASSERT_OK(b.Start());
  Fill(a, 2);
  Fill(b, 3);  // the same keys, other seqs and values: only b's may be left at the end
  CloneReplicaOptions options = TestReplicaOptions(a.publish_endpoint(), a.snapshot_endpoint());
  options.other_servers.push_back({b.publish_endpoint(), b.snapshot_endpoint()});
  options.server_timeout_ms = 300;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntilInSyncWith({&a, &b}, replica, a, 5'000));
  EXPECT_EQ(replica.stream_id(), 0xau);
  EXPECT_EQ(replica.server_index(), 0u);

  a.Stop();
  b.Put("agri.after_a", "2017", 1);
  b.Delete(kIndicators[0], kPeriods[0]);
  ASSERT_TRUE(PumpUntilInSyncWith({&a, &b}, replica, b, 10'000, [&] { return replica.stream_id() == 0xb; }));
  EXPECT_EQ(replica.server_index(), 1u);
  EXPECT_EQ(replica.switches(), 1u);
  EXPECT_EQ(replica.verified_seq(), b.table().max_seq());
  // And it follows b from then on.
  b.Put("agri.after_a", "2017", 2);
  ASSERT_TRUE(PumpUntilInSyncWith({&a, &b}, replica, b, 5'000));
  EXPECT_EQ(replica.switches(), 1u) << "b is heard: no reason to leave it";
}

// With every server silent the replica goes round the list, and takes whichever answers first.
TEST(CloneReplicaTest, WithEveryServerSilentTheReplicaGoesRoundTheListUntilOneAnswers) {
  zmq::context_t context;
  CloneSource a(context, 0xa);
  CloneSource b(context, 0xb);
  ASSERT_OK(a.Start());
  ASSERT_OK(b.Start());
  Fill(a, 1);
  CloneReplicaOptions options = TestReplicaOptions(a.publish_endpoint(), a.snapshot_endpoint());
  options.other_servers.push_back({b.publish_endpoint(), b.snapshot_endpoint()});
  options.server_timeout_ms = 200;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&a, &b}, {&replica}, [&] { return replica.synced(); }, 5'000));
  a.Stop();
  b.Stop();
  PumpUntil({&a, &b}, {&replica}, [] { return false; }, 1'000);
  EXPECT_GE(replica.switches(), 2u) << "back to a after b";
  // a comes back, with a new figure: the replica returns to it when its turn comes.
  a.Put("agri.back", "2017", 1);
  ASSERT_OK(a.Start());
  ASSERT_TRUE(PumpUntilInSyncWith({&a, &b}, replica, a, 10'000, [&] { return replica.server_index() == 0; }));
  EXPECT_EQ(replica.stream_id(), 0xau);
}

TEST(CloneReplicaTest, LastReceivedSaysHowLongTheServerHasBeenSilentAcrossReconnections) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.server_timeout_ms = 200;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  EXPECT_LT(MonotonicMs() - replica.last_received_ms(), 1'000);
  source.Stop();
  const int64_t stopped = MonotonicMs();
  // What the source sent before it stopped may still be on its way (under ASan it arrived 1 ms
  // after `stopped`): let it land, well before the first reconnection at 200 ms of silence.
  PumpUntil({&source}, {&replica}, [] { return false; }, 100);
  const int64_t last_heard = replica.last_received_ms();
  // Long enough for two reconnections: neither counts as hearing from the server.
  PumpUntil({&source}, {&replica}, [] { return false; }, 700);
  EXPECT_EQ(replica.last_received_ms(), last_heard);
  ASSERT_OK(source.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.last_received_ms() > stopped; }, 5'000));
}

TEST(CloneReplicaTest, GarbageOnTheFeedIsIgnored) {
  zmq::context_t context;
  CloneSource source(context, 42);
  ASSERT_OK(source.Start());
  Fill(source, 1);
  // A feed that sends nothing but garbage, with the real server's snapshots.
  zmq::socket_t rogue(context, zmq::socket_type::pub);
  rogue.set(zmq::sockopt::linger, 0);
  rogue.bind("tcp://127.0.0.1:*");
  CloneReplicaOptions options = TestReplicaOptions(rogue.get(zmq::sockopt::last_endpoint), source.snapshot_endpoint());
  options.server_timeout_ms = 60'000;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  const std::string junk("\xff\xff\xff", 3);
  int sent = 0;
  // Keep sending until the subscription is in place and garbage has surely been read.
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    rogue.send(zmq::str_buffer("i/only-a-topic"));
    rogue.send(zmq::str_buffer("i/x"), zmq::send_flags::sndmore);
    rogue.send(zmq::buffer(junk));
    rogue.send(zmq::str_buffer("hb"), zmq::send_flags::sndmore);
    rogue.send(zmq::buffer(junk));
    rogue.send(zmq::str_buffer("i/x"), zmq::send_flags::sndmore);
    rogue.send(zmq::str_buffer("a"), zmq::send_flags::sndmore);
    rogue.send(zmq::str_buffer("b"));
    // A well-formed version last: once it is held, the garbage before it has been read.
    AggregateUpdate marker = Version("i-marker", "2017", 1'000'000 + ++sent);
    rogue.send(zmq::str_buffer("i/i-marker/2017"), zmq::send_flags::sndmore);
    rogue.send(zmq::buffer(marker.SerializeAsString()));
    return replica.table().Find("i-marker", "2017") != nullptr;
  }, 5'000));
  // Markers arriving together look like a gap, which a catch-up settles; the replica still works.
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] { return replica.synced(); }, 5'000));
  EXPECT_EQ(replica.table().size(), source.table().size() + 1);
}

// The other side of NodeLogsTest.APublisherStartedDuringAnOutageLogsItOnceAndItsEnd: a server
// whose feed is heard but whose snapshot port never answers is the one case the snapshot timeout
// warns about.
TEST(CloneReplicaTest, ASnapshotPortThatNeverAnswersWhileTheFeedIsHeardIsAWarning) {
  testing::LogCapture log(1000);
  zmq::context_t context;
  CloneSource source(context, 7);
  ASSERT_OK(source.Start());
  zmq::socket_t silent = HandPlayedSnapshotPort(context);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), silent.get(zmq::sockopt::last_endpoint));
  options.snapshot_timeout_ms = 300;
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  PumpUntil({&source}, {&replica}, [] { return false; }, 1'000);
  int warnings = 0;
  for (const auto& line : log.formatted()) {
    if (line.find("no snapshot from") != std::string::npos && line.find("warning") != std::string::npos) ++warnings;
  }
  EXPECT_GE(warnings, 2);
}

}  // namespace
}  // namespace tonghop
