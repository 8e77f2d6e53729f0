#include "collector/outbox.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <rocksdb/write_batch.h>

#include "collector/test_outbox_record.h"
#include "core/clock.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"
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

// The collector's tonghop_collector_outbox_oldest_pending_age_seconds comes from here.
TEST(OutboxTest, PendingSinceIsWhenTheOldestPendingFigureWasAppended) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
    EXPECT_EQ(box->PendingSinceMs(), 0);
    std::vector<tonghop::v1::IndicatorUpdate> first = {Figure("a", 1), Figure("b", 2)};
    const int64_t before_first = NowMs();
    ASSERT_OK(box->Append(&first));
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    const int64_t before_second = NowMs();
    std::vector<tonghop::v1::IndicatorUpdate> second = {Figure("c", 3)};
    ASSERT_OK(box->Append(&second));
    EXPECT_GE(box->PendingSinceMs(), before_first);
    EXPECT_LT(box->PendingSinceMs(), before_second);
    // Part of the first append acked: its time still counts.
    ASSERT_OK(box->Settle({1}, {}, NowMs(), nullptr));
    EXPECT_LT(box->PendingSinceMs(), before_second);
    ASSERT_OK(box->Settle({2}, {}, NowMs(), nullptr));
    EXPECT_GE(box->PendingSinceMs(), before_second);
    ASSERT_OK(box->Settle({3}, {}, NowMs(), nullptr));
    EXPECT_EQ(box->PendingSinceMs(), 0);
    std::vector<tonghop::v1::IndicatorUpdate> third = {Figure("d", 4)};
    ASSERT_OK(box->Append(&third));
  }
  // Reopened: what is pending counts from the opening.
  const int64_t before_open = NowMs();
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  EXPECT_GE(box->PendingSinceMs(), before_open);
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

// Aggregators in pairs: a figure stays pending until both have settled it; each position is kept
// across a reopen, and a refusal is recorded once.
TEST(OutboxTest, APairSettlesAFigureOnceBothAggregatorsHaveIt) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box, 2));
    EXPECT_EQ(box->aggregators(), 2u);
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3),
                                                         Figure("d", 4)};
    ASSERT_OK(box->Append(&figures));
    std::vector<tonghop::storage::v1::RejectedUpdate> moved;
    ASSERT_OK(box->Settle({1, 2}, {{3, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR, "unknown 'c'"}}, 10, &moved, 0));
    EXPECT_EQ(box->settled_seq(0), 3u);
    EXPECT_EQ(box->settled_seq(1), 0u);
    EXPECT_EQ(box->pending_count(0), 1u);
    EXPECT_EQ(box->pending_count(1), 4u);
    EXPECT_EQ(box->pending_count(), 4u);  // the second has none of them
    EXPECT_EQ(box->FirstPendingSeq(), 1u);
    EXPECT_EQ(box->FirstUnsettledSeq(0), 4u);
    EXPECT_EQ(box->retained_count(), 0u);
    ASSERT_EQ(moved.size(), 1u);
    EXPECT_EQ(box->rejected_count(), 1u);
    EXPECT_TRUE(box->IsPending(3));

    // The second aggregator settles the first two, and refuses seq 3 too: recorded once.
    moved.clear();
    ASSERT_OK(box->Settle({1}, {{3, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR, "unknown 'c'"}}, 20, &moved, 1));
    EXPECT_TRUE(moved.empty());
    EXPECT_EQ(box->rejected_count(), 1u);
    EXPECT_EQ(box->settled_seq(1), 3u);
    EXPECT_EQ(box->pending_count(), 1u);
    EXPECT_EQ(box->FirstPendingSeq(), 4u);
    EXPECT_EQ(box->retained_count(), 3u);
    EXPECT_EQ(box->oldest_retained_at_ms(), 20);
    EXPECT_FALSE(box->IsPending(3));
    // Only the first has seq 4.
    ASSERT_OK(box->Settle({4}, {}, 30, nullptr, 0));
    EXPECT_EQ(box->pending_count(), 1u);
    EXPECT_EQ(box->pending_count(0), 0u);
    EXPECT_TRUE(box->Settle({4}, {}, 30, nullptr, 2).IsInvalidArgument());
  }
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box, 2));
    EXPECT_EQ(box->settled_seq(0), 4u);
    EXPECT_EQ(box->settled_seq(1), 3u);
    EXPECT_EQ(box->pending_count(), 1u);
    EXPECT_EQ(box->retained_count(), 3u);
  }
  // Back to one aggregator: what the first settled is settled.
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box, 1));
  EXPECT_EQ(box->pending_count(), 0u);
  EXPECT_EQ(box->retained_count(), 4u);
  EXPECT_EQ(box->FirstPendingSeq(), 5u);
}

// An aggregator added to an outbox starts where all the others are (it asks for the rest with its
// heartbeat answer, as a restored one does).
TEST(OutboxTest, AnAddedAggregatorStartsWhereEveryOneWas) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3)};
    ASSERT_OK(box->Append(&figures));
    ASSERT_OK(box->Settle({1, 2}, {}, 10, nullptr));
  }
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box, 2));
  EXPECT_EQ(box->settled_seq(1), 2u);
  EXPECT_EQ(box->pending_count(1), 1u);
  EXPECT_EQ(box->pending_count(), 1u);
  std::unique_ptr<Outbox> none;
  EXPECT_TRUE(Outbox::Open(dir.Sub("other"), &none, 0).IsInvalidArgument());
}

// A figure's version (DATA-MODEL.md, "Which figure stands") follows its seq: the time the outbox
// gives it never goes back, not even when the clock does, or across a reopen.
TEST(OutboxTest, EachFigureGetsAnEnteredTimeThatNeverGoesBack) {
  testing::TempDir dir;
  const int64_t ahead = NowMs() + 3'600'000;  // as left by a clock that ran an hour ahead
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
    const int64_t before = NowMs();
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2)};
    ASSERT_OK(box->Append(&figures));
    EXPECT_GE(figures[0].entered_at_ms(), before);
    EXPECT_LE(figures[0].entered_at_ms(), NowMs());
    EXPECT_EQ(figures[1].entered_at_ms(), figures[0].entered_at_ms());
    std::vector<tonghop::v1::IndicatorUpdate> read;
    ASSERT_OK(box->ReadPending(1, 10, &read));
    ASSERT_EQ(read.size(), 2u);
    EXPECT_EQ(read[1].entered_at_ms(), figures[1].entered_at_ms());
  }
  {
    rocksdb::Options options;
    std::vector<std::string> names;
    ASSERT_TRUE(rocksdb::DB::ListColumnFamilies(options, dir.Sub("outbox"), &names).ok());
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    rocksdb::DB* opened = nullptr;
    ASSERT_TRUE(rocksdb::DB::Open(options, dir.Sub("outbox"), families, &handles, &opened).ok());
    std::unique_ptr<rocksdb::DB> db(opened);
    EXPECT_TRUE(db->Put({}, "entered_at_ms", EncodeBigEndian64(static_cast<uint64_t>(ahead))).ok());
    for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  }
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  std::vector<tonghop::v1::IndicatorUpdate> later = {Figure("c", 3)};
  ASSERT_OK(box->Append(&later));
  EXPECT_EQ(later[0].seq(), 3u);
  EXPECT_EQ(later[0].entered_at_ms(), ahead);
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

// A pending record that does not parse is set aside with its bytes and the reason, and a
// placeholder takes its seq, so that the records after it are read (issue 10: one such record
// used to stop the outbox from sending anything, for good).
TEST(OutboxTest, AnUnreadableRecordIsSetAsideAndAPlaceholderTakesItsSeq) {
  testing::TempDir dir;
  const std::string path = dir.Sub("outbox");
  const std::string garbage = "\xff\xff\xff\xff garbage";
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(path, &box));
    std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3)};
    tonghop::storage::v1::IngestedFile file;
    file.set_name("agri.csv");
    ASSERT_OK(box->Append(&figures, &file));
  }
  ASSERT_OK(testing::WritePendingRecord(path, 2, garbage));
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(path, &box));
  EXPECT_EQ(box->unreadable_count(), 0u);
  EXPECT_EQ(box->last_unreadable(), "");

  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_OK(box->ReadPending(1, 100, &read));
  ASSERT_EQ(Seqs(read), (std::vector<uint64_t>{1, 2, 3}));
  EXPECT_EQ(read[0].indicator(), "a");
  EXPECT_EQ(read[2].indicator(), "c");
  const tonghop::v1::IndicatorUpdate placeholder = read[1];  // a copy: `read` is reused below
  EXPECT_EQ(placeholder.indicator(), "");
  EXPECT_EQ(placeholder.reporting_unit(), "");  // the sender adds its own
  EXPECT_EQ(placeholder.unreadable_reason(),
            "the collector could not read its outbox record of seq 2: not a tonghop.v1.IndicatorUpdate: not protobuf "
            "wire format (truncated or corrupt) (figure 2 of drop file agri.csv); the record is set aside there");
  EXPECT_EQ(box->unreadable_count(), 1u);
  EXPECT_EQ(box->last_unreadable(),
            "seq 2: not a tonghop.v1.IndicatorUpdate: not protobuf wire format (truncated or corrupt) (figure 2 of "
            "drop file agri.csv)");
  EXPECT_EQ(box->pending_count(), 3u);  // the placeholder is pending until the aggregator answers it

  // Read again, and after a reopen: the placeholder, and nothing set aside a second time.
  for (int reopen = 0; reopen < 2; ++reopen) {
    if (reopen) {
      box.reset();
      ASSERT_OK(Outbox::Open(path, &box));
    }
    read.clear();
    ASSERT_OK(box->ReadPending(2, 1, &read));
    ASSERT_EQ(read.size(), 1u);
    EXPECT_EQ(read[0].unreadable_reason(), placeholder.unreadable_reason());
    EXPECT_EQ(box->unreadable_count(), 1u);
    EXPECT_EQ(box->last_unreadable(), "seq 2: not a tonghop.v1.IndicatorUpdate: not protobuf wire format (truncated "
                                      "or corrupt) (figure 2 of drop file agri.csv)");
  }
  // The bytes are kept as they were found.
  box.reset();
  {
    std::unique_ptr<RocksDb> db;
    ASSERT_OK(RocksDb::Open(path, {"pending", "rejected", "files", "unreadable", "retained"}, &db));
    std::string value;
    ASSERT_TRUE(db->get()->Get({}, db->family(3), EncodeBigEndian64(2), &value).ok());
    tonghop::storage::v1::UnreadableRecord record;
    ASSERT_TRUE(record.ParseFromString(value));
    EXPECT_EQ(record.seq(), 2u);
    EXPECT_EQ(record.raw(), garbage);
    EXPECT_NE(record.set_aside_at_ms(), 0);
  }
  // The aggregator's final refusal of the placeholder settles it like any other.
  ASSERT_OK(Outbox::Open(path, &box));
  std::vector<tonghop::storage::v1::RejectedUpdate> moved;
  ASSERT_OK(box->Settle({1, 3}, {{2, tonghop::v1::REJECT_REASON_MALFORMED, "the collector could not read..."}}, 5,
                        &moved));
  ASSERT_EQ(moved.size(), 1u);
  EXPECT_EQ(moved[0].update().seq(), 2u);
  EXPECT_FALSE(moved[0].update().unreadable_reason().empty());
  EXPECT_EQ(box->pending_count(), 0u);
  EXPECT_EQ(box->unreadable_count(), 1u);
}

std::vector<uint64_t> ReadSettled(Outbox* box, uint64_t from, uint64_t until, std::vector<tonghop::v1::IndicatorUpdate>* read) {
  read->clear();
  EXPECT_OK(box->ReadSettled(from, until, 100, read));
  return Seqs(*read);
}

// Settled updates, acked or refused, stay in the outbox as they were sent, to send again to an
// aggregator restored from a backup; the highest seq settled and what is retained survive a reopen.
TEST(OutboxTest, SettledUpdatesAreRetainedAndReadAgain) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  EXPECT_EQ(box->settled_seq(), 0u);
  EXPECT_EQ(box->retained_from_seq(), 1u);
  std::vector<tonghop::v1::IndicatorUpdate> figures = {Figure("a", 1), Figure("b", 2), Figure("c", 3), Figure("d", 4),
                                                       Figure("e", 5)};
  ASSERT_OK(box->Append(&figures));
  ASSERT_OK(box->Settle({1, 2, 4}, {{3, tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR, "unknown 'c'"}}, 1000, nullptr));
  EXPECT_EQ(box->settled_seq(), 4u);
  EXPECT_EQ(box->retained_count(), 4u);
  EXPECT_GT(box->retained_bytes(), 0u);
  EXPECT_EQ(box->oldest_retained_at_ms(), 1000);
  for (int reopen = 0; reopen < 2; ++reopen) {
    if (reopen) {
      const uint64_t bytes = box->retained_bytes();
      box.reset();
      ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
      EXPECT_EQ(box->settled_seq(), 4u);
      EXPECT_EQ(box->retained_count(), 4u);
      EXPECT_EQ(box->retained_bytes(), bytes);
      EXPECT_EQ(box->oldest_retained_at_ms(), 1000);
    }
    std::vector<tonghop::v1::IndicatorUpdate> read;
    // Seq 5 is pending: ReadPending's, not ReadSettled's.
    ASSERT_EQ(ReadSettled(box.get(), 1, 6, &read), (std::vector<uint64_t>{1, 2, 3, 4}));
    EXPECT_EQ(read[2].indicator(), "c");
    EXPECT_EQ(read[3].value(), 4);
    ASSERT_EQ(ReadSettled(box.get(), 2, 4, &read), (std::vector<uint64_t>{2, 3}));
    read.clear();
    ASSERT_OK(box->ReadSettled(1, 6, 2, &read));
    EXPECT_EQ(Seqs(read), (std::vector<uint64_t>{1, 2}));
  }
  EXPECT_EQ(box->pending_count(), 1u);
  EXPECT_EQ(box->rejected_count(), 1u);
}

// The retention window: what was settled before the cutoff goes, then the oldest while more bytes
// than the bound are kept, at most so many records a call. A seq no longer retained reads as a
// placeholder saying so.
TEST(OutboxTest, PruneDropsTheOldestByAgeAndBySize) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  std::vector<tonghop::v1::IndicatorUpdate> figures(10, Figure("a", 1));
  ASSERT_OK(box->Append(&figures));
  // Settled at 1100, 1200 ... 2000: records of one size.
  for (uint64_t seq = 1; seq <= 10; ++seq) ASSERT_OK(box->Settle({seq}, {}, 1000 + static_cast<int64_t>(seq) * 100, nullptr));
  const uint64_t each = box->retained_bytes() / 10;
  ASSERT_EQ(box->retained_bytes(), each * 10);
  size_t pruned = 0;
  ASSERT_OK(box->PruneRetained(/*settled_before_ms=*/1100, UINT64_MAX, 1000, &pruned));
  EXPECT_EQ(pruned, 0u) << "nothing was settled before 1100";
  ASSERT_OK(box->PruneRetained(/*settled_before_ms=*/1350, UINT64_MAX, 1000, &pruned));
  EXPECT_EQ(pruned, 3u);
  EXPECT_EQ(box->retained_from_seq(), 4u);
  EXPECT_EQ(box->retained_count(), 7u);
  EXPECT_EQ(box->oldest_retained_at_ms(), 1400);
  ASSERT_OK(box->PruneRetained(0, /*max_bytes=*/each * 5, 1000, &pruned));
  EXPECT_EQ(pruned, 2u);
  EXPECT_EQ(box->retained_bytes(), each * 5);
  ASSERT_OK(box->PruneRetained(0, 0, /*max_records=*/2, &pruned));
  EXPECT_EQ(pruned, 2u);
  EXPECT_EQ(box->retained_from_seq(), 8u);

  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_EQ(ReadSettled(box.get(), 6, 11, &read), (std::vector<uint64_t>{6, 7, 8, 9, 10}));
  for (int i = 0; i < 2; ++i) {
    EXPECT_TRUE(read[i].indicator().empty());
    EXPECT_TRUE(read[i].unreadable_reason().starts_with(fmt::format("the collector no longer retains seq {}", 6 + i)))
        << read[i].unreadable_reason();
  }
  EXPECT_EQ(read[2].indicator(), "a");
  box.reset();
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &box));
  EXPECT_EQ(box->retained_from_seq(), 8u);
  EXPECT_EQ(box->retained_count(), 3u);
  EXPECT_EQ(box->oldest_retained_at_ms(), 1800);
  ASSERT_OK(box->PruneRetained(INT64_MAX, UINT64_MAX, 1000, &pruned));
  EXPECT_EQ(pruned, 3u);
  EXPECT_EQ(box->retained_count(), 0u);
  EXPECT_EQ(box->retained_bytes(), 0u);
  EXPECT_EQ(box->oldest_retained_at_ms(), 0);
  EXPECT_EQ(box->settled_seq(), 10u) << "pruning forgets figures, not how far the aggregator got";
}

// An outbox written before retention existed has none of its records: everything the aggregator
// settled counts as pruned, and the aggregator holds everything below the first pending seq.
TEST(OutboxTest, AnOutboxFromBeforeRetentionOpensWithNothingRetained) {
  testing::TempDir dir;
  const std::string path = dir.Sub("outbox");
  {
    std::unique_ptr<Outbox> box;
    ASSERT_OK(Outbox::Open(path, &box));
    std::vector<tonghop::v1::IndicatorUpdate> figures(5, Figure("a", 1));
    ASSERT_OK(box->Append(&figures));
  }
  {
    // What an older collector left: seqs 1 and 2 forgotten once acked, no retention keys (and no
    // retained family, which opening with create_missing_column_families makes empty).
    std::unique_ptr<RocksDb> db;
    ASSERT_OK(RocksDb::Open(path, {"pending", "rejected", "files", "unreadable", "retained"}, &db));
    rocksdb::WriteBatch batch;
    batch.Delete(db->family(0), EncodeBigEndian64(1));
    batch.Delete(db->family(0), EncodeBigEndian64(2));
    for (const char* key : {"settled_seq", "retained_from_seq", "retained_count", "retained_bytes"}) batch.Delete(key);
    ASSERT_OK(db->Write({}, &batch, "test"));
  }
  std::unique_ptr<Outbox> box;
  ASSERT_OK(Outbox::Open(path, &box));
  EXPECT_EQ(box->retained_from_seq(), 3u);
  EXPECT_EQ(box->settled_seq(), 2u);
  EXPECT_EQ(box->retained_count(), 0u);
  std::vector<tonghop::v1::IndicatorUpdate> read;
  ASSERT_EQ(ReadSettled(box.get(), 1, 3, &read), (std::vector<uint64_t>{1, 2}));
  EXPECT_FALSE(read[0].unreadable_reason().empty());
}

}  // namespace
}  // namespace tonghop
