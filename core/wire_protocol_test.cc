#include "core/wire_protocol.h"
#include "core/transport.h"

#include <cmath>
#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop {
namespace {

tonghop::v1::CollectorMessage ThreeUpdates() {
  tonghop::v1::CollectorMessage message;
  auto* batch = message.mutable_updates();
  batch->set_node_id("collector-cao-loc");
  batch->set_outbox_id(0xabc);
  for (uint64_t seq : {7, 8, 9}) {
    auto* u = batch->add_updates();
    u->set_seq(seq);
    u->set_reporting_unit("cao-loc");
    u->set_indicator("agri.sown_area.total");
    u->set_period("2017-Q1");
    u->set_value(static_cast<double>(seq));
  }
  return message;
}

// `message` serialized with `placeholder`'s bytes replaced by `raw` (same length).
std::string WithRawBytes(const google::protobuf::Message& message, const std::string& placeholder,
                         const std::string& raw) {
  std::string bytes = message.SerializeAsString();
  bytes.replace(bytes.find(placeholder), placeholder.size(), raw);
  return bytes;
}

TEST(WireProtocolTest, AFrameProtobufParsesIsDecodedAsItIs) {
  const auto sent = ThreeUpdates();
  tonghop::v1::CollectorMessage decoded;
  ASSERT_OK(DecodeCollectorMessage(sent.SerializeAsString(), &decoded));
  EXPECT_EQ(decoded.SerializeAsString(), sent.SerializeAsString());
}

TEST(WireProtocolTest, AnUpdateWithANonUtf8StringIsMarkedAndTheOthersKept) {
  auto sent = ThreeUpdates();
  sent.mutable_updates()->mutable_updates(1)->set_indicator("agri.XX.total");
  sent.mutable_updates()->mutable_updates(1)->set_period("2017-QQ");
  const std::string frame = WithRawBytes(sent, "agri.XX", "agri.\xff\xc3");
  tonghop::v1::CollectorMessage strict;
  ASSERT_FALSE(strict.ParseFromString(frame));  // what the aggregator used to drop without a word

  ::testing::internal::CaptureStderr();
  tonghop::v1::CollectorMessage decoded;
  Status s = DecodeCollectorMessage(frame, &decoded);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");  // protobuf's log line is not let through
  ASSERT_OK(s);
  const auto& batch = decoded.updates();
  EXPECT_EQ(batch.outbox_id(), 0xabcu);
  ASSERT_EQ(batch.updates_size(), 3);
  EXPECT_EQ(batch.updates(0).SerializeAsString(), sent.updates().updates(0).SerializeAsString());
  EXPECT_EQ(batch.updates(2).SerializeAsString(), sent.updates().updates(2).SerializeAsString());
  const auto& bad = batch.updates(1);
  EXPECT_EQ(bad.seq(), 8u);
  EXPECT_EQ(bad.unreadable_reason(), "field 'indicator' of seq 8 is not valid UTF-8");
  EXPECT_EQ(bad.indicator(), "agri.\\xff\\xc3.total");  // shown, not copied
  EXPECT_EQ(bad.period(), "2017-QQ");
  EXPECT_EQ(bad.reporting_unit(), "cao-loc");
}

TEST(WireProtocolTest, ANonUtf8NodeIdMarksEveryUpdateOfTheBatch) {
  auto sent = ThreeUpdates();
  sent.mutable_updates()->set_node_id("collector-XX");
  tonghop::v1::CollectorMessage decoded;
  ASSERT_OK(DecodeCollectorMessage(WithRawBytes(sent, "collector-XX", "collector-\xc0\xaf"), &decoded));
  EXPECT_EQ(decoded.updates().node_id(), "collector-\\xc0\\xaf");
  for (const auto& u : decoded.updates().updates()) {
    EXPECT_EQ(u.unreadable_reason(), "field 'node_id' of the batch is not valid UTF-8") << u.seq();
  }
}

TEST(WireProtocolTest, WhatIsNotWireFormatIsRefusedWithNothingDecoded) {
  const std::string good = ThreeUpdates().SerializeAsString();
  for (const std::string& frame : {std::string("\xff\xff\xff\xff garbage"), good.substr(0, good.size() / 2)}) {
    tonghop::v1::CollectorMessage decoded = ThreeUpdates();
    Status s = DecodeCollectorMessage(frame, &decoded);
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_EQ(s.message(), "not a tonghop.v1.CollectorMessage: not protobuf wire format (truncated or corrupt)");
    EXPECT_FALSE(decoded.has_updates());
  }
}

TEST(WireProtocolTest, ParseWireMessageNamesTheFieldByItsPath) {
  tonghop::v1::LocalRequest request;
  request.mutable_submit()->add_figures()->set_indicator("agri.sown_area.total");
  request.mutable_submit()->add_figures()->set_indicator("agri.XX");
  tonghop::v1::LocalRequest parsed;
  ASSERT_OK(ParseWireMessage(request.SerializeAsString(), &parsed));
  EXPECT_EQ(parsed.submit().figures(1).indicator(), "agri.XX");

  ::testing::internal::CaptureStderr();
  Status s = ParseWireMessage(WithRawBytes(request, "agri.XX", "agri.\xed\xa0"), &parsed);
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "");
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_EQ(s.message(), "field 'submit.figures[1].indicator' is not valid UTF-8");
  EXPECT_FALSE(parsed.has_submit());

  s = ParseWireMessage("\x0a\x05\x0a", &parsed);
  EXPECT_EQ(s.message(), "not a tonghop.v1.LocalRequest: not protobuf wire format (truncated or corrupt)");
}

}  // namespace
}  // namespace tonghop

namespace tonghop {
namespace {

// A stranger on the public snapshot port could otherwise write a log line per message it sends.
TEST(WireProtocolTest, ParseProtoRefusesANonUtf8StringWithoutALogLine) {
  tonghop::v1::SnapshotRequest request;
  std::string bytes = "\x0a\x03\xff\xfe\xfd";  // field 1 (filter), 3 bytes that are not UTF-8
  zmq::message_t frame(bytes.data(), bytes.size());
  ::testing::internal::CaptureStderr();
  const bool parsed = ParseProto(frame, &request);
  const std::string logged = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(parsed);
  EXPECT_EQ(logged, "");
}

Decimal D(const char* text) {
  Decimal d;
  EXPECT_OK(Decimal::Parse(text, &d, Decimal::kMaxDigits));
  return d;
}

TEST(WireProtocolTest, AFigureTravelsAsExactTextAndAsTheNearestDouble) {
  tonghop::v1::IndicatorUpdate update;
  SetFigureValue(D("123456789012345.123456"), &update);
  EXPECT_EQ(update.value_decimal(), "123456789012345.123456");
  EXPECT_EQ(update.value(), 123456789012345.123456);
  Decimal read;
  ASSERT_OK(FigureValue(update, &read));
  EXPECT_EQ(read.ToString(), "123456789012345.123456");
  // A collector that predates the text sends only the double: the decimal it stands for.
  update.Clear();
  update.set_value(17.28);
  ASSERT_OK(FigureValue(update, &read));
  EXPECT_EQ(read.micros(), 17'280000);
  update.set_value_decimal("17,28");
  EXPECT_FALSE(FigureValue(update, &read).ok());
  EXPECT_EQ(ValueText(update), "17,28");
}

TEST(WireProtocolTest, AbsentNumbersStayAbsentAndUnreadableOnesAreNone) {
  tonghop::v1::AggregateUpdate update;
  SetValue(D("23134"), &update);
  SetPctOfPlan(D("22.58"), &update);
  SetYoyPct(std::nullopt, &update);
  EXPECT_EQ(ValueOf(update)->ToString(), "23134");
  EXPECT_EQ(PctOfPlanOf(update)->ToString(), "22.58");
  EXPECT_EQ(update.pct_of_plan(), 22.58);
  EXPECT_FALSE(update.has_yoy_pct());
  EXPECT_FALSE(YoyPctOf(update));
  EXPECT_FALSE(YtdValueOf(update));
  SetPctOfPlan(std::nullopt, &update);
  EXPECT_FALSE(update.has_pct_of_plan());
  EXPECT_TRUE(update.pct_of_plan_decimal().empty());
  update.set_value_decimal("");
  update.set_value(std::nan(""));
  EXPECT_FALSE(ValueOf(update));
  EXPECT_EQ(ValueText(update), "nan");
  // A total may have more digits than any figure.
  SetValue(D("12345678901234567890123.5"), &update);
  EXPECT_EQ(ValueOf(update)->ToString(), "12345678901234567890123.5");
}

TEST(WireProtocolTest, RecordsKeepSixtyFourBitMicrosWhenTheyFitAndTextBeyond) {
  tonghop::storage::v1::UnitValue record;
  SetStoredValue(D("17.28"), &record);
  EXPECT_EQ(record.value_micros(), 17'280000);
  EXPECT_TRUE(record.value_decimal().empty());  // as every record before issue 11: an older build reads it
  Decimal read;
  ASSERT_OK(StoredValue(record, &read));
  EXPECT_EQ(read.ToString(), "17.28");
  SetStoredValue(D("123456789012345.123456"), &record);
  EXPECT_EQ(record.value_micros(), 0);
  ASSERT_OK(StoredValue(record, &read));
  EXPECT_EQ(read.ToString(), "123456789012345.123456");
  record.set_value_decimal("x");
  EXPECT_EQ(StoredValue(record, &read).code(), Status::Code::kCorruption);

  tonghop::storage::v1::AuditRecord audit;
  std::optional<Decimal> previous;
  ASSERT_OK(AuditPreviousValue(audit, &previous));
  EXPECT_FALSE(previous);
  SetAuditPreviousValue(D("9999999999999.5"), &audit);
  SetAuditValue(D("-1.5"), &audit);
  EXPECT_FALSE(audit.has_previous_micros());
  ASSERT_OK(AuditPreviousValue(audit, &previous));
  EXPECT_EQ(previous->ToString(), "9999999999999.5");
  ASSERT_OK(AuditValue(audit, &read));
  EXPECT_EQ(read.ToString(), "-1.5");
}

// Issue 11: snapshot_queries_test kept its own copy of the audit-record-to-revision conversion,
// which read value_micros only: a value beyond 64-bit micros came out as 0 there.
TEST(WireProtocolTest, AnAuditRecordBecomesTheRevisionItTellsOfExactly) {
  tonghop::storage::v1::AuditRecord audit;
  audit.set_reporting_unit("so-tai-chinh");
  audit.set_node_id("collector-so-tai-chinh");
  audit.set_observed_at_ms(1);
  audit.set_applied_at_ms(2);
  SetAuditPreviousValue(D("17.28"), &audit);
  SetAuditValue(D("123456789012345.123456"), &audit);
  tonghop::v1::FigureRevision revision;
  ASSERT_OK(AuditRevision(audit, &revision));
  EXPECT_EQ(revision.reporting_unit(), "so-tai-chinh");
  EXPECT_EQ(revision.node_id(), "collector-so-tai-chinh");
  EXPECT_EQ(revision.observed_at_ms(), 1);
  EXPECT_EQ(revision.applied_at_ms(), 2);
  EXPECT_EQ(ValueText(revision), "123456789012345.123456");
  EXPECT_EQ(revision.previous_value(), 17.28);

  // A rejected figure has no value, only the reason.
  audit.set_rejected(tonghop::v1::REJECT_REASON_NEGATIVE_VALUE);
  audit.set_reject_text("field 'value': -1 is negative");
  revision.Clear();
  ASSERT_OK(AuditRevision(audit, &revision));
  EXPECT_TRUE(revision.value_decimal().empty());
  EXPECT_EQ(revision.rejected(), tonghop::v1::REJECT_REASON_NEGATIVE_VALUE);
  EXPECT_EQ(revision.reject_text(), "field 'value': -1 is negative");

  // A void: the figure it removed is the previous value; there is no value.
  audit.set_rejected(tonghop::v1::REJECT_REASON_UNSPECIFIED);
  audit.set_reject_text("");
  audit.clear_value_micros();
  audit.clear_value_decimal();
  audit.set_voided(true);
  audit.set_entered_by("office:office-1");
  revision.Clear();
  ASSERT_OK(AuditRevision(audit, &revision));
  EXPECT_TRUE(revision.voided());
  EXPECT_TRUE(revision.value_decimal().empty());
  EXPECT_EQ(revision.previous_value_decimal(), "17.28");
  EXPECT_EQ(revision.entered_by(), "office:office-1");

  audit.set_voided(false);
  audit.set_value_decimal("x");
  EXPECT_EQ(AuditRevision(audit, &revision).code(), Status::Code::kCorruption);
}

TEST(WireProtocolTest, ARelayedTotalsCompletenessTravelsAndIsKeptAsItCame) {
  const BelowCompleteness partial{true, 17, 18, "cao-loc: 9 of 10 units"};
  tonghop::v1::IndicatorUpdate update;
  SetBelowCompleteness(partial, &update);
  tonghop::v1::IndicatorUpdate parsed;
  ASSERT_TRUE(parsed.ParseFromString(update.SerializeAsString()));
  BelowCompleteness read;
  ASSERT_OK(BelowCompletenessOf(parsed, &read));
  EXPECT_EQ(read, partial);
  tonghop::storage::v1::UnitValue record;
  SetStoredBelowCompleteness(read, &record);
  EXPECT_EQ(StoredBelowCompleteness(record), partial);
  EXPECT_EQ(partial.Describe("lang-son"), "lang-son: 17 of 18 units (cao-loc: 9 of 10 units)");

  // A unit's own figure: complete, no counts.
  BelowCompleteness own;
  ASSERT_OK(BelowCompletenessOf(tonghop::v1::IndicatorUpdate(), &own));
  EXPECT_EQ(own, BelowCompleteness());
  EXPECT_EQ(own.Describe("cao-loc"), "");
}

TEST(WireProtocolTest, ARelayedTotalsCompletenessIsCheckedNamingTheField) {
  tonghop::v1::IndicatorUpdate update;
  update.set_units_reported(19);
  update.set_units_expected(18);
  BelowCompleteness read;
  EXPECT_EQ(BelowCompletenessOf(update, &read).message(), "field 'units_reported': 19 is above units_expected 18");
  update.set_units_reported(18);
  update.set_partial_reason("x");
  EXPECT_EQ(BelowCompletenessOf(update, &read).message(), "field 'partial_reason': set on a figure that is not partial");
  update.set_partial(true);
  update.set_partial_reason(std::string(501, 'x'));
  EXPECT_TRUE(BelowCompletenessOf(update, &read).message().starts_with("field 'partial_reason': ")) << BelowCompletenessOf(update, &read).ToString();
}

TEST(WireProtocolTest, ATotalsCompletenessIsWhatItsRelayCarriesUp) {
  tonghop::v1::AggregateUpdate total;
  total.set_partial(true);
  total.set_units_reported(3);
  total.set_units_expected(4);
  total.set_partial_reason("a: 1 of 2 units");
  EXPECT_EQ(BelowCompletenessOf(total), (BelowCompleteness{true, 3, 4, "a: 1 of 2 units"}));
  total.set_partial(false);
  total.set_units_reported(4);
  EXPECT_EQ(BelowCompletenessOf(total), (BelowCompleteness{false, 4, 4, ""}));
}

}  // namespace
}  // namespace tonghop
