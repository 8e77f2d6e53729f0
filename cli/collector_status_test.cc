#include "cli/collector_status.h"

#include <gtest/gtest.h>

namespace tonghop::cli {
namespace {

TEST(CollectorStatusTest, PrintsEveryFieldOneLineEach) {
  tonghop::v1::LocalReply reply;
  reply.set_reporting_unit("cao-loc");
  reply.set_outbox_id(0xabc);
  reply.set_pending(12);
  reply.set_next_seq(140);
  reply.set_rejected_total(2);
  reply.set_aggregator_reachable(true);
  reply.set_last_ack_at_ms(1'700'000'000'000);
  std::string text = FormatCollectorStatus(reply, 1'700'000'012'500);
  EXPECT_NE(text.find("reporting_unit: cao-loc\n"), std::string::npos) << text;
  EXPECT_NE(text.find("outbox_id: 0000000000000abc\n"), std::string::npos) << text;
  // deploy/local/province.sh reads this line.
  EXPECT_NE(text.find("\npending: 12\n"), std::string::npos) << text;
  EXPECT_NE(text.find("next_seq: 140\n"), std::string::npos) << text;
  EXPECT_NE(text.find("rejected: 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("unreadable: 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("retained: 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lost: 0\n"), std::string::npos) << text;
  EXPECT_NE(text.find("aggregator: reachable\n"), std::string::npos) << text;
  EXPECT_NE(text.find("(12 s ago)\n"), std::string::npos) << text;
}

TEST(CollectorStatusTest, APairShowsALineForEachAggregator) {
  tonghop::v1::LocalReply reply;
  reply.set_pending(5);
  reply.set_aggregator_reachable(false);
  auto* a = reply.add_aggregators();
  a->set_endpoint("tcp://agg-a:5550");
  a->set_reachable(true);
  a->set_last_ack_at_ms(1'700'000'000'000);
  auto* b = reply.add_aggregators();
  b->set_endpoint("tcp://agg-b:5550");
  b->set_pending(5);
  std::string text = FormatCollectorStatus(reply, 1'700'000'002'000);
  EXPECT_NE(text.find("\npending: 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\naggregator: unreachable\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\naggregator tcp://agg-a:5550: reachable; pending: 0; last_ack: "), std::string::npos) << text;
  EXPECT_NE(text.find("(2 s ago)\naggregator tcp://agg-b:5550: unreachable; pending: 5; last_ack: never\n"),
            std::string::npos)
      << text;
  // One aggregator: no such lines.
  reply.mutable_aggregators()->RemoveLast();
  EXPECT_EQ(FormatCollectorStatus(reply, 1'700'000'002'000).find("tcp://agg-a"), std::string::npos);
}

TEST(CollectorStatusTest, UnreadableRecordsShowTheLastOne) {
  tonghop::v1::LocalReply reply;
  reply.set_unreadable_total(2);
  reply.set_last_unreadable("seq 7: field 'indicator' is not valid UTF-8 (figure 3 of drop file agri.csv)");
  std::string text = FormatCollectorStatus(reply, 1'700'000'000'000);
  EXPECT_NE(text.find("\nunreadable: 2 (last: seq 7: field 'indicator' is not valid UTF-8 (figure 3 of drop file "
                      "agri.csv))\n"),
            std::string::npos)
      << text;
}

TEST(CollectorStatusTest, RetainedFiguresShowTheOldestAndLostOnesTheirCount) {
  tonghop::v1::LocalReply reply;
  reply.set_retained(250);
  reply.set_oldest_retained_at_ms(1'700'000'000'000);
  reply.set_lost_total(3);
  std::string text = FormatCollectorStatus(reply, 1'700'003'600'000);
  EXPECT_NE(text.find("\nretained: 250 (oldest acknowledged "), std::string::npos) << text;
  EXPECT_NE(text.find("(3600 s ago))\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nlost: 3 (asked for again by a restored aggregator"), std::string::npos) << text;
}

TEST(CollectorStatusTest, NeverAckedAndUnreachable) {
  tonghop::v1::LocalReply reply;
  std::string text = FormatCollectorStatus(reply, 1'700'000'000'000);
  EXPECT_NE(text.find("aggregator: unreachable\n"), std::string::npos) << text;
  EXPECT_NE(text.find("last_ack: never\n"), std::string::npos) << text;
}

TEST(CollectorStatusTest, VietnameseNamesTheLinesInWords) {
  tonghop::v1::LocalReply reply;
  reply.set_reporting_unit("cao-loc");
  reply.set_pending(12);
  reply.set_aggregator_reachable(true);
  reply.set_aggregator_error("disk full");
  std::string text = FormatCollectorStatus(reply, 1'700'000'000'000, Language::kVietnamese);
  EXPECT_NE(text.find("đơn vị báo cáo: cao-loc\n"), std::string::npos) << text;
  EXPECT_NE(text.find("\nchờ gửi: 12\n"), std::string::npos) << text;
  EXPECT_NE(text.find("máy chủ tổng hợp: kết nối được nhưng không lưu được: disk full\n"), std::string::npos) << text;
  EXPECT_NE(text.find("xác nhận gần nhất: chưa có\n"), std::string::npos) << text;
}

}  // namespace
}  // namespace tonghop::cli
