// The whole collector (RunCollector in a thread) against a TestAggregator on loopback, driven
// through its drop folder and its local API as a district would.
#include "collector/collector.h"

#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

#include "collector/test_aggregator.h"
#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "tonghop/v1/local.pb.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {
namespace fs = std::filesystem;

class CollectorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    options_.reporting_unit = "bac-son";
    options_.aggregator_endpoints = {aggregator_.endpoint()};
    options_.data_dir = dir_.Sub("collector");
    options_.scan_interval_ms = 50;
    options_.heartbeat_interval_ms = 100;
    // TestAggregator has no catalog to send: take figures at once (tests/figures_test.cc drives
    // the catalog through a real aggregator).
    options_.catalog_wait_ms = 0;
    options_.stop = &stop_;
  }
  void TearDown() override {
    if (thread_.joinable()) {
      Status s = Stop();
      EXPECT_TRUE(s.ok()) << s.ToString();
    }
  }
  void Start() {
    stop_ = false;
    thread_ = std::thread([this] { status_ = RunCollector(options_); });
  }
  Status Stop() {
    stop_ = true;
    thread_.join();
    return status_;
  }

  // One request through the local API, as `tonghop submit` sends it.
  tonghop::v1::LocalReply Call(const tonghop::v1::LocalRequest& request) {
    zmq::socket_t client(context_, zmq::socket_type::req);
    client.set(zmq::sockopt::linger, 0);
    client.set(zmq::sockopt::rcvtimeo, 5000);
    client.connect("ipc://" + options_.data_dir + "/submit.sock");
    client.send(zmq::buffer(request.SerializeAsString()));
    zmq::message_t frame;
    tonghop::v1::LocalReply reply;
    EXPECT_TRUE(client.recv(frame).has_value()) << "no reply from the collector";
    EXPECT_TRUE(ParseProto(frame, &reply));
    return reply;
  }
  tonghop::v1::LocalReply Submit(const std::string& indicator, double value) {
    tonghop::v1::LocalRequest request;
    auto* figure = request.mutable_submit()->add_figures();
    figure->set_indicator(indicator);
    figure->set_period("2017-Q1");
    figure->set_value(value);
    return Call(request);
  }
  tonghop::v1::LocalReply OutboxStatus() {
    tonghop::v1::LocalRequest request;
    request.mutable_status();
    return Call(request);
  }

  testing::TempDir dir_;
  zmq::context_t context_{1};
  testing::TestAggregator aggregator_{context_};
  CollectorOptions options_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  Status status_;
};

TEST_F(CollectorTest, StartupErrorsSayWhatToDo) {
  CollectorOptions no_unit = options_;
  no_unit.reporting_unit = "";
  Status s = RunCollector(no_unit);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.message().find("--reporting_unit is required"), std::string::npos) << s.message();

  // Both go into every batch: the aggregator would refuse each one.
  CollectorOptions latin1_unit = options_;
  latin1_unit.reporting_unit = "l\xf4" "c-binh";
  s = RunCollector(latin1_unit);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "--reporting_unit is not valid UTF-8 (byte 0xf4 at offset 1)");
  CollectorOptions long_node_id = options_;
  long_node_id.node_id = std::string(201, 'n');
  s = RunCollector(long_node_id);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "--node_id is 201 bytes long; at most 200 are accepted");

  dir_.Write("a-file", "x");
  CollectorOptions bad_dir = options_;
  bad_dir.data_dir = dir_.Sub("a-file/collector");
  s = RunCollector(bad_dir);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("--data_dir"), std::string::npos) << s.message();
}

TEST_F(CollectorTest, DropFileAndSubmittedFigureReachTheAggregator) {
  Start();
  dir_.Write("collector/drop/agriculture.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,926\n"
                                               "agri.sown_area.tobacco,2017-Q1,203\n");
  fs::last_write_time(dir_.Sub("collector/drop/agriculture.csv"), fs::file_time_type::clock::now() - std::chrono::seconds(2));
  auto batch = aggregator_.NextBatch(5000);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->updates_size(), 2);
  EXPECT_EQ(batch->node_id(), "collector-bac-son");
  EXPECT_EQ(batch->updates(0).seq(), 1u);
  EXPECT_EQ(batch->updates(0).reporting_unit(), "bac-son");
  EXPECT_EQ(batch->updates(1).value(), 203);
  aggregator_.AckAll(*batch);
  EXPECT_TRUE(fs::exists(dir_.Sub("collector/drop/done/agriculture.csv")));

  auto reply = Submit("health.examinations", 7508);
  ASSERT_EQ(reply.error(), "");
  ASSERT_EQ(reply.seqs_size(), 1);
  EXPECT_EQ(reply.seqs(0), 3u);
  batch = aggregator_.NextBatch(5000);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->updates(0).indicator(), "health.examinations");
  aggregator_.AckAll(*batch);

  // Status once the ack is in: nothing pending, the aggregator heard from.
  tonghop::v1::LocalReply status;
  const int64_t deadline = MonotonicMs() + 5000;
  do {
    aggregator_.NextBatch(20);  // answers heartbeats
    status = OutboxStatus();
  } while ((status.pending() != 0 || !status.aggregator_reachable()) && MonotonicMs() < deadline);
  EXPECT_EQ(status.pending(), 0u);
  EXPECT_TRUE(status.aggregator_reachable());
  EXPECT_EQ(status.next_seq(), 4u);
  EXPECT_EQ(status.reporting_unit(), "bac-son");
  EXPECT_NE(status.outbox_id(), 0u);
  EXPECT_GT(status.last_ack_at_ms(), 0);

  // The collector answers in its --lang, Vietnamese unless told otherwise.
  EXPECT_NE(Submit("", 1).error().find("cột 'indicator': đang trống"), std::string::npos) << Submit("", 1).error();
}

TEST_F(CollectorTest, RestartResendsWhatWasNotAcked) {
  Start();
  ASSERT_EQ(Submit("agri.sown_area.total", 926).error(), "");
  ASSERT_EQ(Submit("agri.sown_area.tobacco", 203).error(), "");
  uint64_t received = 0;
  uint64_t outbox_id = 0;
  while (received < 2) {
    auto batch = aggregator_.NextBatch(5000);
    ASSERT_TRUE(batch.has_value());
    received += batch->updates_size();
    outbox_id = batch->outbox_id();
  }
  // Never acked: the collector stops with both pending and sends them again when it is back.
  ASSERT_OK(Stop());
  Start();
  auto batch = aggregator_.NextBatch(5000);
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->outbox_id(), outbox_id);
  ASSERT_EQ(batch->updates_size(), 2);
  EXPECT_EQ(batch->updates(0).seq(), 1u);
  EXPECT_EQ(batch->updates(1).indicator(), "agri.sown_area.tobacco");
  aggregator_.AckAll(*batch);
  tonghop::v1::LocalReply status;
  const int64_t deadline = MonotonicMs() + 5000;
  do {
    status = OutboxStatus();
  } while (status.pending() != 0 && MonotonicMs() < deadline);
  EXPECT_EQ(status.pending(), 0u);
  EXPECT_EQ(status.next_seq(), 3u);
}

// A collector of a pair delivers every figure to both aggregators; a figure is pending until each
// has acked it, and the status shows what each still lacks.
TEST_F(CollectorTest, APairGetsEveryFigureAndPendingIsShownPerAggregator) {
  testing::TestAggregator second(context_);
  options_.aggregator_endpoints = {aggregator_.endpoint(), second.endpoint()};
  Start();
  ASSERT_EQ(Submit("agri.sown_area.total", 926).error(), "");
  auto batch = aggregator_.NextBatch(5000);
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->updates_size(), 1);
  aggregator_.AckAll(*batch);
  tonghop::v1::LocalReply status;
  int64_t deadline = MonotonicMs() + 10'000;
  do {
    aggregator_.NextBatch(20);
    status = OutboxStatus();
  } while ((status.aggregators_size() != 2 || status.aggregators(0).pending() != 0) && MonotonicMs() < deadline);
  ASSERT_EQ(status.aggregators_size(), 2);
  EXPECT_EQ(status.aggregators(0).endpoint(), aggregator_.endpoint());
  EXPECT_EQ(status.aggregators(0).pending(), 0u);
  EXPECT_EQ(status.aggregators(0).settled_seq(), 1u);
  EXPECT_EQ(status.aggregators(1).endpoint(), second.endpoint());
  EXPECT_EQ(status.aggregators(1).pending(), 1u);
  EXPECT_EQ(status.pending(), 1u);  // the second has not acked it
  EXPECT_EQ(status.retained(), 0u);
  // `tonghop submit` has its verdict from the first aggregator: it need not wait for the second.
  tonghop::v1::LocalRequest verdicts;
  verdicts.mutable_verdict()->add_seqs(1);
  auto verdict = Call(verdicts);
  ASSERT_EQ(verdict.verdicts_size(), 1) << verdict.error();
  EXPECT_EQ(verdict.verdicts(0).state(), tonghop::v1::VERDICT_STATE_STORED);

  auto second_batch = second.NextBatch(5000);
  ASSERT_TRUE(second_batch.has_value());
  ASSERT_EQ(second_batch->updates_size(), 1);
  EXPECT_EQ(second_batch->updates(0).seq(), 1u);
  EXPECT_EQ(second_batch->updates(0).indicator(), "agri.sown_area.total");
  EXPECT_EQ(second_batch->outbox_id(), batch->outbox_id());
  second.AckAll(*second_batch);
  deadline = MonotonicMs() + 10'000;
  do {
    aggregator_.NextBatch(10);
    second.NextBatch(10);
    status = OutboxStatus();
  } while ((status.pending() != 0 || !status.aggregator_reachable()) && MonotonicMs() < deadline);
  EXPECT_EQ(status.pending(), 0u);
  EXPECT_EQ(status.aggregators(1).pending(), 0u);
  EXPECT_EQ(status.retained(), 1u);
  EXPECT_TRUE(status.aggregator_reachable());
}

TEST_F(CollectorTest, AnAggregatorGivenTwiceIsRefused) {
  options_.aggregator_endpoints = {aggregator_.endpoint(), aggregator_.endpoint()};
  Status s = RunCollector(options_);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("given twice"), std::string::npos) << s.message();
}

TEST_F(CollectorTest, SecondCollectorOnTheSameDataDirIsRefused) {
  Start();
  ASSERT_EQ(Submit("agri.sown_area.total", 1).error(), "");  // the first is up
  CollectorOptions second = options_;
  second.stop = nullptr;
  Status s = RunCollector(second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outbox"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tonghop
