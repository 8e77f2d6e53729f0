#include "collector/outbox.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

tonghop::v1::IndicatorUpdate Figure(const std::string& indicator, double value) {
  tonghop::v1::IndicatorUpdate u;
  u.set_reporting_unit("cao-loc");
  u.set_indicator(indicator);
  u.set_period("2017-Q1");
  u.set_value(value);
  return u;
}

std::vector<uint64_t> Seqs(const std::vector<tonghop::v1::IndicatorUpdate>& updates) {
  std::vector<uint64_t> seqs;
  for (const auto& u : updates) seqs.push_back(u.seq());
  return seqs;
}

TEST(OutboxTest, SeqsContinueAndIdStaysAcrossReopen) {
  testing::TempDir dir;
  uint64_t id = 0;
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
    EXPECT_NE(box->id(), 0u);
    EXPECT_EQ(box->next_seq(), 1u);
    id = box->id();
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3)};
    ASSERT_OK(box->Append(&figures));
    EXPECT_EQ(Seqs(figures), (std::vector<uint64_t>{1, 2, 3}));
  }
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  EXPECT_EQ(box->id(), id);
  EXPECT_EQ(box->next_seq(), 4u);
  EXPECT_EQ(box->pending_count(), 3u);
  std::vector<tonghop::v1::IndicatorUpdate> more = {Figure("d", 4), Figure("e", 5)};
  ASSERT_OK(box->Append(&more));
  EXPECT_EQ(Seqs(more), (std::vector<uint64_t>{4, 5}));

  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_OK(box->ReadPending(1, 100, &read));
  ASSERT_EQ(Seqs(read), (std::vector<uint64_t>{1, 2, 3, 4, 5}));
  EXPECT_EQ(read[2].indicator(), "c");
  EXPECT_EQ(read[2].value(), 3);
}

TEST(OutboxTest, EachNewOutboxHasItsOwnId) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> a, b;
  ASSERT_OK(Outbox::Open(dir.Sub("a"), &a));
  ASSERT_OK(Outbox::Open(dir.Sub("b"), &b));
  EXPECT_NE(a->id(), b->id());
}

TEST(OutboxTest, SecondOpenOfTheSameOutboxFails) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> a, b;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &a));
  Status s = Outbox::Open(dir.Sub("outbox"), &b);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("outbox"), std::string::npos) << s.message();
}

TEST(OutboxTest, ReadPendingStartsAtSeqAndStopsAtMax) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  std::vector<tonghop::v1::IndicatorUpdate> figures(10, Figure("a", 1));
  ASSERT_OK(box->Append(&figures));
  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_OK(box->ReadPending(4, 3, &read));
  EXPECT_EQ(Seqs(read), (std::vector<uint64_t>{4, 5, 6}));
  read.clear();
  ASSERT_OK(box->ReadPending(11, 3, &read));
  EXPECT_TRUE(read.empty());
}

TEST(OutboxTest, SettleForgetsAckedAndSetsRejectedAside) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3),
                                                         Figure("d", 4), Figure("e", 5)};
    ASSERT_OK(box->Append(&figures));
    std::vector<tonghop::storage::v1::RejectedUpdate> moved;
    // Seq 2 acked twice (a duplicate ack), 9 was never stored.
    ASSERT_TRUE(box->Settle({1, 2, 2, 9}, {{3, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR, "unknown 'c'"}},
                            1234, &moved)
                    .ok());
    EXPECT_EQ(box->pending_count(), 2u);
    EXPECT_EQ(box->rejected_count(), 1u);
    EXPECT_EQ(box->FirstPendingSeq(), 4u);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(moved[0].update().indicator(), "c");
    EXPECT_EQ(moved[0].update().seq(), 3u);
    EXPECT_EQ(moved[0].reason(), tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
    EXPECT_EQ(moved[0].rejected_at_ms(), 1234);

    // Settling the same seqs again changes nothing.
    moved.clear();
    ASSERT_OK(box->Settle({1, 3}, {{3, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR, "again"}}, 1, &moved));
    EXPECT_TRUE(moved.empty());
    EXPECT_EQ(box->pending_count(), 2u);
    EXPECT_EQ(box->rejected_count(), 1u);
  }
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  EXPECT_EQ(box->pending_count(), 2u);
  EXPECT_EQ(box->rejected_count(), 1u);
  EXPECT_EQ(box->next_seq(), 6u);
  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_OK(box->ReadPending(1, 100, &read));
  EXPECT_EQ(Seqs(read), (std::vector<uint64_t>{4, 5}));
  ASSERT_OK(box->Settle({4, 5}, {}, 0, nullptr));
  EXPECT_EQ(box->pending_count(), 0u);
  EXPECT_EQ(box->FirstPendingSeq(), 6u);
}

TEST(OutboxTest, FileRecordIsStoredWithItsFigures) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  std::vector<tonghop::v1::IndicatorUpdate> first = {Figure("a", 1)};
  ASSERT_OK(box->Append(&first));
  EXPECT_FALSE(box->FindFile("agri.csv").has_value());
  std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2)};
  tonghop::storage::v1::IngestedFile file;
  file.set_name("agri.csv");
  file.set_size(42);
  file.set_mtime_ns(99);
  ASSERT_OK(box->Append(&figures, &file));
  auto found = box->FindFile("agri.csv");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->size(), 42u);
  EXPECT_EQ(found->mtime_ns(), 99);
  EXPECT_EQ(found->first_seq(), 2u);
  EXPECT_EQ(found->figures(), 2u);
}

}  // namespace
}  // namespace tonghop
