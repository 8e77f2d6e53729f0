// The aggregator in-process, over real sockets (ipc in a temp dir) and a real RocksDB: a test
// collector speaks the ingest protocol, a CloneReplica reads the feed.
#include "aggregator/aggregator.h"

#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>
#include <zmq_addon.hpp>

#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/csv.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

class AggregatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.catalog_dir = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";
    options_.data_dir = dir_.Sub("db");
    options_.ingest_endpoint = "ipc://" + dir_.Sub("ingest");
    options_.publish_endpoint = "ipc://" + dir_.Sub("pub");
    options_.snapshot_endpoint = "ipc://" + dir_.Sub("snap");
    options_.query_endpoint = "ipc://" + dir_.Sub("query");
    options_.heartbeat_interval_ms = 100;
    options_.stop = &stop_;
    StartAggregator();
    collector_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    collector_.set(zmq::sockopt::linger, 0);
    collector_.connect(options_.ingest_endpoint);
  }
  void TearDown() override {
    StopAggregator();
    collector_.close();
  }
  void StartAggregator() {
    stop_ = false;
    thread_ = std::thread([this] { status_ = RunAggregator(options_); });
  }
  void StopAggregator() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    EXPECT_TRUE(status_.ok()) << status_.ToString();
  }

  tonghop::v1::IndicatorUpdate Update(uint64_t seq, const char* unit, const char* indicator, double value) {
    tonghop::v1::IndicatorUpdate u;
    u.set_seq(seq);
    u.set_reporting_unit(unit);
    u.set_indicator(indicator);
    u.set_period("2017-Q1");
    u.set_value(value);
    return u;
  }
  // Sends one batch from outbox 77 and returns the replies to it.
  tonghop::v1::UpdateReplies Send(const std::vector<tonghop::v1::IndicatorUpdate>& updates, uint64_t outbox_id = 77) {
    tonghop::v1::CollectorMessage message;
    auto* batch = message.mutable_updates();
    batch->set_node_id("test-collector");
    batch->set_outbox_id(outbox_id);
    for (const auto& u : updates) *batch->add_updates() = u;
    EXPECT_OK(SendProto(collector_, message));
    return Receive();
  }
  tonghop::v1::UpdateReplies Receive() {
    std::vector<zmq::pollitem_t> items = {{collector_.handle(), 0, ZMQ_POLLIN, 0}};
    int64_t deadline = MonotonicMs() + 5000;
    while (MonotonicMs() < deadline) {
      zmq::poll(items, std::chrono::milliseconds(100));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t frame;
      (void)collector_.recv(frame);
      tonghop::v1::AggregatorMessage reply;
      EXPECT_TRUE(ParseProto(frame, &reply));
      if (reply.has_replies()) return reply.replies();
    }
    ADD_FAILURE() << "no reply from the aggregator within 5 s";
    return {};
  }
  // The feed's state as a subscriber sees it.
  AggregateTable Feed() {
    CloneReplicaOptions options;
    options.publish_endpoint = options_.publish_endpoint;
    options.snapshot_endpoint = options_.snapshot_endpoint;
    CloneReplica replica(context_, options);
    EXPECT_OK(replica.Start());
    Status s = replica.WaitUntilSynced(5000);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return replica.table();
  }

  testing::TempDir dir_;
  AggregatorOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Status status_;
  zmq::context_t context_{1};
  zmq::socket_t collector_;
};

TEST_F(AggregatorTest, AcksAfterStoringAndPublishesTheNewTotal) {
  auto replies = Send({Update(1, "north", "agri.area.total", 100.1), Update(2, "south", "agri.area.total", 100.2)});
  ASSERT_EQ(replies.acks_size(), 2);
  EXPECT_EQ(replies.outbox_id(), 77u);
  EXPECT_EQ(replies.acks(0).seq(), 1u);
  EXPECT_FALSE(replies.acks(1).duplicate());
  AggregateTable feed = Feed();
  const auto* total = feed.Find("agri.area.total", "2017-Q1");
  ASSERT_NE(total, nullptr);
  EXPECT_EQ(total->value(), 200.3);
  EXPECT_DOUBLE_EQ(total->pct_of_plan(), 20.03);
  EXPECT_EQ(total->units_reported(), 2u);
}

TEST_F(AggregatorTest, DuplicatesAreAckedNotAppliedAndGapsAskForAResend) {
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 10)}).acks_size(), 1);
  auto dup = Send({Update(1, "north", "agri.area.total", 999)});
  ASSERT_EQ(dup.acks_size(), 1);
  EXPECT_TRUE(dup.acks(0).duplicate());
  auto gap = Send({Update(5, "north", "agri.area.total", 999)});
  ASSERT_EQ(gap.rejects_size(), 1);
  EXPECT_EQ(gap.rejects(0).reason(), RejectReason::REJECT_REASON_OUT_OF_SEQUENCE);
  EXPECT_EQ(gap.rejects(0).expected_seq(), 2u);
  EXPECT_EQ(Feed().Find("agri.area.total", "2017-Q1")->value(), 10);
}

TEST_F(AggregatorTest, InvalidUpdatesAreRejectedForGoodAndLeaveTheTotalsAlone) {
  auto replies = Send({Update(1, "north", "agri.area.total", 10), Update(2, "bank", "agri.area.total", 5),
                       Update(3, "north", "agri.nope", 5), Update(4, "north", "agri.area.total", std::nan(""))});
  ASSERT_EQ(replies.acks_size(), 1);
  ASSERT_EQ(replies.rejects_size(), 3);
  EXPECT_EQ(replies.rejects(0).reason(), RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED);
  EXPECT_EQ(replies.rejects(1).reason(), RejectReason::REJECT_REASON_UNKNOWN_INDICATOR);
  EXPECT_EQ(replies.rejects(2).reason(), RejectReason::REJECT_REASON_INVALID_VALUE);
  // The stream goes on after a rejection: seq 5 is next.
  ASSERT_EQ(Send({Update(5, "south", "agri.area.total", 1)}).acks_size(), 1);
  EXPECT_EQ(Feed().Find("agri.area.total", "2017-Q1")->value(), 11);
}

// A void through the ingest link: acked, the total goes back to the other units' figures; the last
// figure voided deletes the aggregate from the feed, also after a restart; a void of nothing is
// refused for good, and the stream goes on.
TEST_F(AggregatorTest, AVoidRemovesTheFigureAndTheLastOneDeletesTheAggregate) {
  auto void_of = [&](uint64_t seq, const char* unit) {
    tonghop::v1::IndicatorUpdate u = Update(seq, unit, "agri.area.total", 0);
    u.set_kind(tonghop::v1::UPDATE_KIND_VOID);
    return u;
  };
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 10), Update(2, "south", "agri.area.total", 20.5)}).acks_size(), 2);
  ASSERT_EQ(Send({void_of(3, "south")}).acks_size(), 1);
  EXPECT_EQ(Feed().Find("agri.area.total", "2017-Q1")->value_decimal(), "10");

  auto nothing = Send({void_of(4, "south")});
  ASSERT_EQ(nothing.rejects_size(), 1);
  EXPECT_EQ(nothing.rejects(0).reason(), RejectReason::REJECT_REASON_NOTHING_TO_VOID);
  EXPECT_NE(nothing.rejects(0).text().find("nothing changed"), std::string::npos) << nothing.rejects(0).text();

  ASSERT_EQ(Send({void_of(5, "north")}).acks_size(), 1);
  for (const char* period : {"2017-Q1", "2017-H1", "2017"}) {
    EXPECT_EQ(Feed().Find("agri.area.total", period), nullptr) << period;
  }
  StopAggregator();
  StartAggregator();
  AggregateTable feed = Feed();
  EXPECT_EQ(feed.size(), 0u) << "a restart brings no voided total back";
  ASSERT_EQ(Send({Update(6, "south", "agri.area.total", 3)}).acks_size(), 1);
  EXPECT_EQ(Feed().Find("agri.area.total", "2017-Q1")->value_decimal(), "3");
}

TEST_F(AggregatorTest, RestoresEverythingAfterARestart) {
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 10), Update(2, "south", "agri.area.total", 20)}).acks_size(), 2);
  uint64_t seq_before = Feed().max_seq();
  StopAggregator();
  StartAggregator();
  // The position survived: seq 2 is a duplicate, 3 is next.
  auto dup = Send({Update(2, "south", "agri.area.total", 999), Update(3, "north", "agri.area.total", 15)});
  ASSERT_EQ(dup.acks_size(), 2);
  EXPECT_TRUE(dup.acks(0).duplicate());
  AggregateTable feed = Feed();
  EXPECT_EQ(feed.Find("agri.area.total", "2017-Q1")->value(), 35);
  // One new version each for the quarter and the half-year and year derived from it.
  EXPECT_EQ(feed.max_seq(), seq_before + 3);
}

// A restart under the same catalog keeps the stored totals as they are; an edited plan makes it
// recompute them, and only the totals whose % of plan changed get new versions.
TEST_F(AggregatorTest, ARestartRecomputesTheTotalsOnlyWhenTheCatalogChanged) {
  StopAggregator();
  const std::string catalog = dir_.Sub("catalog");
  std::filesystem::copy(options_.catalog_dir, catalog);
  options_.catalog_dir = catalog;
  StartAggregator();
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 10)}).acks_size(), 1);
  const AggregateTable before = Feed();
  StopAggregator();
  StartAggregator();
  EXPECT_EQ(Feed().max_seq(), before.max_seq());

  StopAggregator();
  std::string plans;
  ASSERT_OK(ReadFileToString(catalog + "/plans.csv", &plans));
  ASSERT_OK(WriteStringToFile(catalog + "/plans.csv", plans + "agri.area.total,2018,500\n"));
  StartAggregator();
  EXPECT_EQ(Feed().max_seq(), before.max_seq());  // a 2018 plan changes no 2017 total
  StopAggregator();
  std::string edited = plans;
  const std::string old_plan = "agri.area.total,2017,";
  edited.replace(edited.find(old_plan), old_plan.size(), "agri.area.total,2017,1");  // 1 prepended: 10x or more
  ASSERT_OK(WriteStringToFile(catalog + "/plans.csv", edited));
  StartAggregator();
  const AggregateTable after = Feed();
  EXPECT_GT(after.max_seq(), before.max_seq());
  EXPECT_NE(after.Find("agri.area.total", "2017-Q1")->pct_of_plan(),
            before.Find("agri.area.total", "2017-Q1")->pct_of_plan());
}

// A collector's heartbeat says how far the aggregator had settled its outbox. An aggregator holding
// less (its database restored from a backup taken before) answers with the seq to resend from; one
// holding as much asks for nothing.
TEST_F(AggregatorTest, AHeartbeatFromAnOutboxItHoldsLessOfIsAnsweredWithAResendRequest) {
  // Each from a connection of its own: the aggregator answers one heartbeat per connection per burst.
  auto heartbeat = [&](uint64_t outbox_id, uint64_t settled_seq) {
    zmq::socket_t dealer(context_, zmq::socket_type::dealer);
    dealer.set(zmq::sockopt::linger, 0);
    dealer.connect(options_.ingest_endpoint);
    tonghop::v1::CollectorMessage message;
    message.mutable_heartbeat()->set_sent_at_ms(NowMs());
    message.mutable_heartbeat()->set_outbox_id(outbox_id);
    message.mutable_heartbeat()->set_settled_seq(settled_seq);
    EXPECT_OK(SendProto(dealer, message));
    std::vector<zmq::pollitem_t> items = {{dealer.handle(), 0, ZMQ_POLLIN, 0}};
    const int64_t deadline = MonotonicMs() + 5000;
    while (MonotonicMs() < deadline) {
      zmq::poll(items, std::chrono::milliseconds(100));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t frame;
      (void)dealer.recv(frame);
      tonghop::v1::AggregatorMessage reply;
      EXPECT_TRUE(ParseProto(frame, &reply));
      if (reply.has_heartbeat()) return reply.heartbeat();
    }
    ADD_FAILURE() << "no heartbeat answer within 5 s";
    return tonghop::v1::Heartbeat();
  };
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 1), Update(2, "south", "agri.area.total", 2)}).acks_size(), 2);

  tonghop::v1::Heartbeat answer = heartbeat(77, 5);
  EXPECT_EQ(answer.outbox_id(), 77u);
  EXPECT_EQ(answer.resend_from_seq(), 3u);
  answer = heartbeat(78, 4);  // an outbox this database has never seen
  EXPECT_EQ(answer.outbox_id(), 78u);
  EXPECT_EQ(answer.resend_from_seq(), 1u);
  for (auto [outbox, settled] : {std::pair<uint64_t, uint64_t>{77, 2}, {77, 1}, {78, 0}, {0, 9}}) {
    answer = heartbeat(outbox, settled);
    EXPECT_EQ(answer.resend_from_seq(), 0u) << outbox << " settled up to " << settled;
  }
  // A heartbeat from an older collector (neither field) is answered as before.
  EXPECT_EQ(heartbeat(0, 0).resend_from_seq(), 0u);
}

// docs/PROTOCOL.md: a REQ client may query as well as a DEALER; its reply must come back with the
// empty delimiter REQ expects, or the REQ socket drops it.
TEST_F(AggregatorTest, AReqClientGetsItsQueryAnswered) {
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 10)}).acks_size(), 1);
  zmq::socket_t req(context_, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.set(zmq::sockopt::rcvtimeo, 5000);
  req.connect(options_.query_endpoint);
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period("2017-Q1");
  ASSERT_OK(SendProto(req, request));
  zmq::message_t frame;
  ASSERT_TRUE(req.recv(frame)) << "no reply within 5 s";
  tonghop::v1::QueryReply reply;
  ASSERT_TRUE(ParseProto(frame, &reply));
  ASSERT_EQ(reply.values().aggregates_size(), 1) << reply.error();
  EXPECT_EQ(reply.values().aggregates(0).value(), 10);
}

TEST_F(AggregatorTest, GarbageFromTheNetworkIsDroppedAndServiceGoesOn) {
  zmq::message_t junk("\xff\xfe garbage", 10);
  (void)collector_.send(junk, zmq::send_flags::none);
  std::array<zmq::const_buffer, 3> frames = {zmq::str_buffer("a"), zmq::str_buffer("b"), zmq::str_buffer("c")};
  (void)zmq::send_multipart(collector_, frames);
  tonghop::v1::CollectorMessage no_outbox;
  no_outbox.mutable_updates()->set_node_id("x");
  *no_outbox.mutable_updates()->add_updates() = Update(1, "north", "agri.area.total", 1);
  ASSERT_OK(SendProto(collector_, no_outbox));
  auto malformed = Receive();
  ASSERT_EQ(malformed.rejects_size(), 1);
  EXPECT_EQ(malformed.rejects(0).reason(), RejectReason::REJECT_REASON_MALFORMED);
  ASSERT_EQ(Send({Update(1, "north", "agri.area.total", 4)}).acks_size(), 1);
}

}  // namespace
}  // namespace tonghop
