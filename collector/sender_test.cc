#include "collector/sender.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "collector/test_aggregator.h"
#include "collector/test_outbox_record.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::TestAggregator;

class SenderTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_OK(Outbox::Open(dir_.Sub("outbox"), &outbox_)); }

  void StartSender(int max_in_flight = 1000, int ack_timeout_ms = 5000, int heartbeat_interval_ms = 1000) {
    SenderOptions options;
    options.aggregator_endpoint = aggregator_.endpoint();
    options.node_id = "collector-bac-son";
    options.reporting_unit = "bac-son";
    options.max_in_flight = max_in_flight;
    options.ack_timeout_ms = ack_timeout_ms;
    options.heartbeat_interval_ms = heartbeat_interval_ms;
    options.metrics = metrics_;
    sender_ = std::make_unique<Sender>(context_, options, outbox_.get(), &rejections_);
    ASSERT_OK(sender_->Start());
  }

  void Append(int n) {
    std::vector<tonghop::v1::IndicatorUpdate> figures(n);
    for (int i = 0; i < n; ++i) {
      figures[i].set_reporting_unit("bac-son");
      figures[i].set_indicator("agri.sown_area.total");
      figures[i].set_period("2017-Q1");
      figures[i].set_value(i + 0.5);
    }
    ASSERT_OK(outbox_->Append(&figures));
  }

  // What the sender would do in its loop: process, then wait on its socket briefly.
  void Step() {
    sender_->Process();
    std::vector<zmq::pollitem_t> items = {sender_->PollItem()};
    zmq::poll(items, std::chrono::milliseconds(std::min(sender_->MillisUntilDue(), 2)));
  }
  std::optional<tonghop::v1::UpdateBatch> NextBatch(int timeout_ms = 3000) {
    return aggregator_.NextBatch(timeout_ms, [this] { Step(); });
  }
  bool StepUntil(const std::function<bool()>& done, int timeout_ms = 3000) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (!done()) {
      if (MonotonicMs() > deadline) return false;
      Step();
    }
    return true;
  }

  testing::TempDir dir_;
  zmq::context_t context_{1};
  TestAggregator aggregator_{context_};
  std::unique_ptr<Outbox> outbox_;
  RejectionFile rejections_{dir_.Sub("rejected.csv")};
  std::shared_ptr<MetricsRegistry> metrics_ = std::make_shared<MetricsRegistry>();
  std::unique_ptr<Sender> sender_;
};

// What a one-shot sender (tonghop import) reports each figure's fate from, and learns which units
// its key may report for.
TEST_F(SenderTest, EachSettlementIsToldAndTheKeysRegistrationIsKnown) {
  aggregator_.sender_key = "collector:bac-son";
  Append(3);
  StartSender(1000, 5000, /*heartbeat_interval_ms=*/100);
  std::vector<Sender::Settlement> settled;
  sender_->OnSettled([&](const Sender::Settlement& s) { settled.push_back(s); });
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->updates_size(), 3);
  // A heartbeat's answer says as whom the key is registered.
  for (int64_t deadline = MonotonicMs() + 5000; sender_->sender_key().empty() && MonotonicMs() < deadline;) {
    aggregator_.NextBatch(20, [this] { Step(); });
  }
  EXPECT_TRUE(sender_->heard_from_aggregator());
  EXPECT_EQ(sender_->sender_key(), "collector:bac-son");
  EXPECT_FALSE(sender_->handshake_refused());
  tonghop::v1::UpdateReplies replies;
  replies.set_outbox_id(outbox_->id());
  replies.add_acks()->set_seq(1);
  auto* duplicate = replies.add_acks();
  duplicate->set_seq(2);
  duplicate->set_duplicate(true);
  auto* reject = replies.add_rejects();
  reject->set_seq(3);
  reject->set_reason(tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
  reject->set_text("field 'indicator': unknown");
  aggregator_.Reply(replies);
  ASSERT_TRUE(StepUntil([&] { return settled.size() == 3; }));
  EXPECT_TRUE(settled[0].acked);
  EXPECT_FALSE(settled[0].duplicate);
  EXPECT_TRUE(settled[1].duplicate);
  EXPECT_FALSE(settled[2].acked);
  EXPECT_EQ(settled[2].reason, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
  EXPECT_EQ(settled[2].text, "field 'indicator': unknown");
  EXPECT_EQ(outbox_->pending_count(), 0u) << "told once the outbox has recorded it";
}

TEST_F(SenderTest, AcksDrainTheOutboxInOrder) {
  Append(250);
  StartSender();
  uint64_t next = 1;
  while (next <= 250) {
    auto batch = NextBatch();
    ASSERT_TRUE(batch.has_value()) << "waiting for seq " << next;
    EXPECT_EQ(batch->outbox_id(), outbox_->id());
    EXPECT_EQ(batch->node_id(), "collector-bac-son");
    EXPECT_LE(batch->updates_size(), Sender::kMaxUpdatesPerBatch);
    for (const auto& u : batch->updates()) {
      EXPECT_EQ(u.seq(), next++);
      EXPECT_EQ(u.indicator(), "agri.sown_area.total");
    }
    aggregator_.AckAll(*batch);
  }
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_EQ(sender_->in_flight(), 0u);
  EXPECT_GT(sender_->last_ack_at_ms(), 0);
  EXPECT_EQ(sender_->rewinds(), 0u);
  // Figures appended later leave too.
  Append(1);
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  EXPECT_EQ(batch->updates(0).seq(), 251u);
}

// A resend that crosses its ack is acked again, as a duplicate: the figure left the outbox once,
// and tonghop_collector_updates_acked_total counts it once.
TEST_F(SenderTest, AnAckRepeatedForAResendIsCountedOnce) {
  Append(3);
  StartSender();
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  aggregator_.AckAll(*batch);
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  tonghop::v1::UpdateReplies again;
  again.set_outbox_id(outbox_->id());
  for (const auto& u : batch->updates()) {
    auto* ack = again.add_acks();
    ack->set_seq(u.seq());
    ack->set_duplicate(true);
  }
  aggregator_.Reply(again);
  auto acked = [&] {
    double total = 0;
    for (const auto& family : metrics_->Collect()) {
      if (family.name != "tonghop_collector_updates_acked_total") continue;
      for (const auto& metric : family.metric) total += metric.counter.value;
    }
    return total;
  };
  const int64_t settle_until = MonotonicMs() + 300;
  while (MonotonicMs() < settle_until) Step();
  EXPECT_EQ(acked(), 3);
}

TEST_F(SenderTest, NoMoreThanTheWindowIsInFlight) {
  Append(400);
  StartSender(/*max_in_flight=*/150);
  std::vector<tonghop::v1::UpdateBatch> batches;
  size_t received = 0;
  while (auto batch = NextBatch(300)) {
    received += batch->updates_size();
    batches.push_back(*batch);
  }
  EXPECT_EQ(received, 150u);
  EXPECT_EQ(sender_->in_flight(), 150u);
  aggregator_.AckAll(batches[0]);
  auto more = NextBatch();
  ASSERT_TRUE(more.has_value());
  EXPECT_EQ(more->updates(0).seq(), 151u);
}

TEST_F(SenderTest, OutOfSequenceRewindsOnce) {
  Append(300);
  StartSender();
  std::vector<tonghop::v1::UpdateBatch> sent;
  for (int i = 0; i < 3; ++i) {
    auto batch = NextBatch();
    ASSERT_TRUE(batch.has_value());
    sent.push_back(*batch);
  }
  // The first batch (seqs 1..100) was lost: the aggregator refuses the other two.
  auto out_of_sequence = [&](const tonghop::v1::UpdateBatch& batch) {
    tonghop::v1::UpdateReplies replies;
    replies.set_outbox_id(batch.outbox_id());
    for (const auto& u : batch.updates()) {
      auto* r = replies.add_rejects();
      r->set_seq(u.seq());
      r->set_reason(tonghop::v1::REJECT_REASON_OUT_OF_SEQUENCE);
      r->set_expected_seq(1);
    }
    return replies;
  };
  aggregator_.Reply(out_of_sequence(sent[1]));
  std::vector<tonghop::v1::UpdateBatch> resent;
  for (int i = 0; i < 3; ++i) {
    auto batch = NextBatch();
    ASSERT_TRUE(batch.has_value());
    resent.push_back(*batch);
  }
  EXPECT_EQ(resent[0].updates(0).seq(), 1u);
  EXPECT_EQ(resent[2].updates(99).seq(), 300u);
  // The refusal of the third original batch arrives after the resend went out: it is about the
  // burst already being resent and must not cause another.
  aggregator_.Reply(out_of_sequence(sent[2]));
  for (const auto& batch : resent) aggregator_.AckAll(batch);
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_EQ(sender_->rewinds(), 1u);
  EXPECT_FALSE(NextBatch(200).has_value());
}

TEST_F(SenderTest, SilenceTriggersResend) {
  Append(10);
  StartSender(1000, /*ack_timeout_ms=*/300);
  auto first = NextBatch();
  ASSERT_TRUE(first.has_value());
  const int64_t sent_at = MonotonicMs();
  auto again = NextBatch();
  ASSERT_TRUE(again.has_value());
  EXPECT_GE(MonotonicMs() - sent_at, 250);
  EXPECT_EQ(again->updates(0).seq(), 1u);
  EXPECT_EQ(again->updates_size(), 10);
  aggregator_.AckAll(*again);
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_GE(sender_->rewinds(), 1u);
}

TEST_F(SenderTest, UnavailableWaitsThenResends) {
  Append(5);
  StartSender(1000, /*ack_timeout_ms=*/300);
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  tonghop::v1::UpdateReplies replies;
  replies.set_outbox_id(outbox_->id());
  for (const auto& u : batch->updates()) {
    auto* r = replies.add_rejects();
    r->set_seq(u.seq());
    r->set_reason(tonghop::v1::REJECT_REASON_UNAVAILABLE);
    r->set_text("disk full");
  }
  aggregator_.Reply(replies);
  const int64_t refused_at = MonotonicMs();
  auto again = NextBatch();
  ASSERT_TRUE(again.has_value());
  EXPECT_GE(MonotonicMs() - refused_at, 250);
  EXPECT_EQ(again->updates(0).seq(), 1u);
  aggregator_.AckAll(*again);
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
}

TEST_F(SenderTest, FinalRejectIsSetAsideAndWrittenToRejectedCsv) {
  Append(3);
  StartSender();
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  tonghop::v1::UpdateReplies replies;
  replies.set_outbox_id(outbox_->id());
  replies.add_acks()->set_seq(1);
  replies.add_acks()->set_seq(3);
  auto* r = replies.add_rejects();
  r->set_seq(2);
  r->set_reason(tonghop::v1::REJECT_REASON_UNIT_NOT_EXPECTED);
  r->set_text("unit 'bac-son' does not report agri.sown_area.total");
  aggregator_.Reply(replies);
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_EQ(outbox_->rejected_count(), 1u);
  std::string text;
  ASSERT_OK(ReadFileToString(rejections_.path(), &text));
  EXPECT_TRUE(text.starts_with("seq,indicator,period,value,reason,text,rejected_at\n2,agri.sown_area.total,2017-Q1,1.5,"
                               "UNIT_NOT_EXPECTED,unit 'bac-son' does not report agri.sown_area.total,"))
      << text;
  // It is not sent again.
  EXPECT_FALSE(NextBatch(200).has_value());
}

// An outbox record that cannot be read goes out as its placeholder, in its place among its
// neighbours, reporting for the collector's own unit: the aggregator checks every update's unit
// against the sender's key, and must consume the seq, not refuse it for now.
TEST_F(SenderTest, AnUnreadableRecordGoesOutAsAPlaceholderForTheOwnUnit) {
  Append(3);
  outbox_.reset();
  ASSERT_OK(testing::WritePendingRecord(dir_.Sub("outbox"), 2, "\xff garbage"));
  ASSERT_OK(Outbox::Open(dir_.Sub("outbox"), &outbox_));
  StartSender();
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->updates_size(), 3);
  const auto& placeholder = batch->updates(1);
  EXPECT_EQ(placeholder.seq(), 2u);
  EXPECT_EQ(placeholder.reporting_unit(), "bac-son");
  EXPECT_TRUE(placeholder.unreadable_reason().starts_with("the collector could not read its outbox record of seq 2"))
      << placeholder.unreadable_reason();
  EXPECT_EQ(batch->updates(2).indicator(), "agri.sown_area.total");

  tonghop::v1::UpdateReplies replies;
  replies.set_outbox_id(outbox_->id());
  replies.add_acks()->set_seq(1);
  replies.add_acks()->set_seq(3);
  auto* r = replies.add_rejects();
  r->set_seq(2);
  r->set_reason(tonghop::v1::REJECT_REASON_MALFORMED);
  r->set_text(placeholder.unreadable_reason());
  aggregator_.Reply(replies);
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_EQ(outbox_->rejected_count(), 1u);
  EXPECT_EQ(outbox_->unreadable_count(), 1u);
  std::string text;
  ASSERT_OK(ReadFileToString(rejections_.path(), &text));
  // No figure to show: indicator, period and value stay empty.
  EXPECT_NE(text.find("\n2,,,,MALFORMED,the collector could not read its outbox record of seq 2"), std::string::npos)
      << text;
  EXPECT_FALSE(NextBatch(200).has_value());
}

TEST_F(SenderTest, HeartbeatsTellWhetherTheAggregatorIsReachable) {
  aggregator_.answer_heartbeats = false;
  StartSender(1000, 5000, /*heartbeat_interval_ms=*/50);
  // Connected but never answered: not reachable.
  const int64_t until = MonotonicMs() + 100;
  while (MonotonicMs() < until) {
    Step();
    aggregator_.NextBatch(5);
    ASSERT_FALSE(sender_->aggregator_reachable());
  }
  EXPECT_GE(aggregator_.heartbeats, 1);
  aggregator_.answer_heartbeats = true;
  EXPECT_TRUE(StepUntil([&] {
    aggregator_.NextBatch(5);
    return sender_->aggregator_reachable();
  }));
  aggregator_.answer_heartbeats = false;
  const int64_t silent_since = MonotonicMs();
  EXPECT_TRUE(StepUntil([&] {
    aggregator_.NextBatch(5);
    return !sender_->aggregator_reachable();
  }));
  EXPECT_GE(MonotonicMs() - silent_since, 100);
}

TEST_F(SenderTest, ForeignAndMalformedRepliesAreIgnored) {
  Append(2);
  StartSender();
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  aggregator_.SendRaw("\xff\xff not a protobuf");
  tonghop::v1::UpdateReplies foreign;
  foreign.set_outbox_id(outbox_->id() + 1);
  foreign.add_acks()->set_seq(1);
  aggregator_.Reply(foreign);
  for (int i = 0; i < 50; ++i) Step();
  EXPECT_EQ(outbox_->pending_count(), 2u);
  aggregator_.AckAll(*batch);
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
}

// The aggregator's database was restored from a backup that holds this outbox up to seq 50, and it
// says so by refusing the next update OUT_OF_SEQUENCE. The collector sends seqs 51 on again, those
// it had settled first, as they were, then the pending ones.
TEST_F(SenderTest, AnAggregatorThatLostAcknowledgedUpdatesGetsThemAgainFromRetention) {
  Append(200);
  StartSender();
  for (int i = 0; i < 2; ++i) {
    auto batch = NextBatch();
    ASSERT_TRUE(batch.has_value());
    aggregator_.AckAll(*batch);
  }
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  Append(10);
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  ASSERT_EQ(batch->updates(0).seq(), 201u);
  tonghop::v1::UpdateReplies replies;
  replies.set_outbox_id(outbox_->id());
  for (const auto& u : batch->updates()) {
    auto* r = replies.add_rejects();
    r->set_seq(u.seq());
    r->set_reason(tonghop::v1::REJECT_REASON_OUT_OF_SEQUENCE);
    r->set_expected_seq(51);
  }
  aggregator_.Reply(replies);
  uint64_t next = 51;
  while (next <= 210) {
    auto again = NextBatch();
    ASSERT_TRUE(again.has_value()) << "waiting for seq " << next;
    for (const auto& u : again->updates()) {
      ASSERT_EQ(u.seq(), next) << "each seq once, in order";
      EXPECT_EQ(u.value(), static_cast<double>((next - 1) % 200) + 0.5) << "seq " << next << " as it was sent";
      EXPECT_TRUE(u.unreadable_reason().empty());
      ++next;
    }
    aggregator_.AckAll(*again);
  }
  EXPECT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0 && sender_->in_flight() == 0; }));
  EXPECT_EQ(sender_->lost(), 0u);
  EXPECT_FALSE(NextBatch(200).has_value());
}

// An idle collector (nothing pending) learns of the loss from the answer to its heartbeat, which
// carries its outbox and the highest seq the aggregator had settled.
TEST_F(SenderTest, AHeartbeatAnswerAsksAnIdleCollectorToResendWhatItRetains) {
  Append(30);
  StartSender(1000, 5000, /*heartbeat_interval_ms=*/50);
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  aggregator_.AckAll(*batch);
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  EXPECT_TRUE(StepUntil([&] {
    aggregator_.NextBatch(5);
    return aggregator_.last_heartbeat.settled_seq() == 30;
  }));
  EXPECT_EQ(aggregator_.last_heartbeat.outbox_id(), outbox_->id());

  aggregator_.resend_from_seq = 11;
  auto again = NextBatch();
  ASSERT_TRUE(again.has_value());
  aggregator_.resend_from_seq = 0;
  ASSERT_EQ(again->updates_size(), 20);
  EXPECT_EQ(again->updates(0).seq(), 11u);
  EXPECT_EQ(again->updates(0).value(), 10.5);
  EXPECT_EQ(again->updates(19).seq(), 30u);
  aggregator_.AckAll(*again);
  EXPECT_TRUE(StepUntil([&] { return sender_->in_flight() == 0; }));
  EXPECT_FALSE(NextBatch(200).has_value()) << "one request, one resend";
}

// Seqs asked for again after the retention window dropped them go as placeholders, which the
// aggregator records as lost, so that its sequence goes on to the retained ones; the loss is counted.
TEST_F(SenderTest, SeqsNoLongerRetainedGoAsPlaceholdersAndAreCountedAsLost) {
  Append(20);
  StartSender(1000, 5000, /*heartbeat_interval_ms=*/50);
  auto batch = NextBatch();
  ASSERT_TRUE(batch.has_value());
  aggregator_.AckAll(*batch);
  ASSERT_TRUE(StepUntil([&] { return outbox_->pending_count() == 0; }));
  size_t pruned = 0;
  // Keep at most the bytes of the last five.
  ASSERT_OK(outbox_->PruneRetained(0, outbox_->retained_bytes() / 20 * 5 + 5, 1000, &pruned));
  ASSERT_EQ(pruned, 15u);

  aggregator_.resend_from_seq = 1;
  auto again = NextBatch();
  ASSERT_TRUE(again.has_value());
  aggregator_.resend_from_seq = 0;
  ASSERT_EQ(again->updates_size(), 20);
  for (int i = 0; i < 15; ++i) {
    const auto& u = again->updates(i);
    EXPECT_EQ(u.seq(), static_cast<uint64_t>(i + 1));
    EXPECT_EQ(u.reporting_unit(), "bac-son");
    EXPECT_TRUE(u.indicator().empty());
    EXPECT_TRUE(u.unreadable_reason().starts_with(fmt::format("the collector no longer retains seq {}", i + 1)))
        << u.unreadable_reason();
  }
  EXPECT_EQ(again->updates(15).seq(), 16u);
  EXPECT_EQ(again->updates(15).value(), 15.5);
  EXPECT_EQ(sender_->lost(), 15u);
}

}  // namespace
}  // namespace tonghop
