#include "aggregator/ingest_store.h"

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "core/clock.h"
#include "core/period.h"
#include "core/rocksdb_util.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop {
namespace {

TEST(IngestStoreTest, ABatchIsStoredWholeAndSurvivesReopen) {
  testing::TempDir dir;
  uint64_t stream_id = 0;
  {
    std::unique_ptr<IngestStore> store;
    ASSERT_OK(IngestStore::Open(dir.path(), Durability::kFsync, &store));
    stream_id = store->stream_id();
    EXPECT_NE(stream_id, 0u);
    auto batch = store->NewBatch();
    tonghop::storage::v1::UnitValue value;
    value.set_value_micros(17'280000);
    value.set_seq(7);
    batch.PutValue("forest.fires.area", "2017-Q1", "cao-loc", value);
    tonghop::storage::v1::OutboxPosition position;
    position.set_node_id("collector-cao-loc");
    position.set_last_seq(7);
    batch.PutPosition(42, position);
    tonghop::v1::AggregateUpdate version;
    version.set_indicator("forest.fires.area");
    version.set_period("2017-Q1");
    version.set_seq(3);
    batch.PutAggregate(version);
    tonghop::storage::v1::AuditRecord audit;
    audit.set_value_micros(17'280000);
    batch.PutAudit(1, audit);
    batch.PutCounters({3, 1});
    ASSERT_OK(store->Commit(&batch));
  }
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  EXPECT_EQ(store->stream_id(), stream_id);
  int values = 0, positions = 0, aggregates = 0;
  IngestStore::Visitor visitor;
  visitor.on_value = [&](const std::string& indicator, const std::string& period, const std::string& unit,
                         const tonghop::storage::v1::UnitValue& value) {
    ++values;
    EXPECT_EQ(indicator, "forest.fires.area");
    EXPECT_EQ(period, "2017-Q1");
    EXPECT_EQ(unit, "cao-loc");
    EXPECT_EQ(value.value_micros(), 17'280000);
  };
  visitor.on_position = [&](uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position) {
    ++positions;
    EXPECT_EQ(outbox_id, 42u);
    EXPECT_EQ(position.last_seq(), 7u);
  };
  visitor.on_aggregate = [&](const tonghop::v1::AggregateUpdate& version) {
    ++aggregates;
    EXPECT_EQ(version.seq(), 3u);
  };
  IngestStore::Counters counters;
  ASSERT_OK(store->Load(visitor, &counters));
  EXPECT_EQ(values, 1);
  EXPECT_EQ(positions, 1);
  EXPECT_EQ(aggregates, 1);
  EXPECT_EQ(counters.aggregate_seq, 3u);
  EXPECT_EQ(counters.audit_seq, 1u);
  int audits = 0;
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store->NewReadView(&view));
  ASSERT_OK(view->ReadAudit([&](uint64_t seq, const tonghop::storage::v1::AuditRecord&) { audits += seq == 1; }));
  EXPECT_EQ(audits, 1);
}

// A void: the unit's figure is gone from the values family, and the aggregate's deletion is kept
// (start-up restores it, so the feed's seq chain goes on) while the queries no longer see it.
TEST(IngestStoreTest, AVoidedFigureIsGoneAndADeletedAggregateIsRestoredButNotRead) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  tonghop::storage::v1::UnitValue value;
  value.set_value_micros(1'000000);
  tonghop::v1::AggregateUpdate version;
  version.set_indicator("agri.area.total");
  version.set_period("2030-Q1");
  version.set_seq(1);
  auto batch = store->NewBatch();
  batch.PutValue("agri.area.total", "2030-Q1", "north", value);
  batch.PutValue("agri.area.total", "2030-Q1", "south", value);
  batch.PutAggregate(version);
  ASSERT_OK(store->Commit(&batch));

  tonghop::v1::AggregateUpdate deletion = version;
  deletion.set_seq(2);
  deletion.set_prev_seq(1);
  deletion.set_deleted(true);
  batch = store->NewBatch();
  batch.DeleteValue("agri.area.total", "2030-Q1", "north");
  batch.PutAggregate(deletion);
  ASSERT_OK(store->Commit(&batch));

  std::vector<std::string> units;
  std::vector<tonghop::v1::AggregateUpdate> loaded;
  IngestStore::Visitor visitor;
  visitor.on_value = [&](const std::string&, const std::string&, const std::string& unit,
                         const tonghop::storage::v1::UnitValue&) { units.push_back(unit); };
  visitor.on_position = [](uint64_t, const tonghop::storage::v1::OutboxPosition&) {};
  visitor.on_aggregate = [&](const tonghop::v1::AggregateUpdate& v) { loaded.push_back(v); };
  IngestStore::Counters counters;
  ASSERT_OK(store->Load(visitor, &counters));
  EXPECT_EQ(units, std::vector<std::string>{"south"});
  ASSERT_EQ(loaded.size(), 1u);
  EXPECT_TRUE(loaded[0].deleted());
  EXPECT_EQ(loaded[0].seq(), 2u);

  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store->NewReadView(&view));
  int read = 0;
  ASSERT_OK(view->ReadAggregates("agri.", "2030-Q1", [&](const tonghop::v1::AggregateUpdate&) { ++read; }));
  EXPECT_EQ(read, 0) << "a deleted aggregate is not there for a query";
}

TEST(IngestStoreTest, ASecondOpenOfTheSameDatabaseFailsWithAClearMessage) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> first, second;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &first));
  Status s = IngestStore::Open(dir.path(), Durability::kWal, &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another process"), std::string::npos) << s.message();
}


// A random audit log: accepted and rejected records over a few indicators, periods and units, and
// rejected ones whose ids a sender made up, \0 and all (an index key is their concatenation).
std::vector<tonghop::storage::v1::AuditRecord> RandomAuditLog(size_t count, uint32_t seed) {
  std::mt19937 random(seed);
  const std::vector<std::string> indicators = {"a", "a.b", "ab", "b", std::string("a\0" "2017", 6)};
  const std::vector<std::string> periods = {"2017", "2017-Q1", "2017-01", "2017-02", "2016-Q1", "junk",
                                            std::string("2017-Q1\0north", 13)};
  const std::vector<std::string> units = {"north", "south", "", std::string("north\0x", 7)};
  std::vector<tonghop::storage::v1::AuditRecord> log;
  for (size_t i = 0; i < count; ++i) {
    tonghop::storage::v1::AuditRecord record;
    record.set_indicator(indicators[random() % indicators.size()]);
    record.set_period(periods[random() % periods.size()]);
    record.set_reporting_unit(units[random() % units.size()]);
    record.set_value_micros(static_cast<int64_t>(random() % 1000) * 1'000'000);
    if (random() % 5 == 0) record.set_rejected(tonghop::v1::REJECT_REASON_INVALID_VALUE);
    record.set_seq(i + 1);
    log.push_back(record);
  }
  return log;
}

// The records of `scopes` as a filter over the whole log finds them.
std::vector<uint64_t> ScanForHistory(const std::vector<std::pair<uint64_t, tonghop::storage::v1::AuditRecord>>& log,
                                     const std::vector<IngestStore::HistoryScope>& scopes) {
  std::vector<uint64_t> seqs;
  for (const auto& [seq, record] : log) {
    Period period;
    const std::string text = Period::Parse(record.period(), &period).ok() ? period.ToString() : record.period();
    for (const auto& scope : scopes) {
      if (record.indicator() == scope.indicator && text == scope.period &&
          (!scope.unit || record.reporting_unit() == *scope.unit)) {
        seqs.push_back(seq);
        break;
      }
    }
  }
  return seqs;
}

std::vector<uint64_t> IndexedHistory(const IngestStore::ReadView& view, const std::vector<IngestStore::HistoryScope>& scopes) {
  std::vector<uint64_t> seqs;
  EXPECT_OK(view.ReadHistory(scopes, [&](uint64_t seq, const tonghop::storage::v1::AuditRecord&) { seqs.push_back(seq); }));
  return seqs;
}

// Every scope the random log can be asked about, one and several at a time.
void ExpectIndexMatchesScan(const IngestStore& store) {
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store.NewReadView(&view));
  std::vector<std::pair<uint64_t, tonghop::storage::v1::AuditRecord>> log;
  ASSERT_OK(view->ReadAudit([&](uint64_t seq, const tonghop::storage::v1::AuditRecord& record) {
    log.emplace_back(seq, record);
  }));
  std::vector<IngestStore::HistoryScope> all;
  for (std::string indicator : {"a", "a.b", "ab", "b", "a\0" "2017"}) {
    for (std::string period : {"2017", "2017-Q1", "2017-01", "2017-02", "2016-Q1", "junk"}) {
      for (std::optional<std::string> unit : {std::optional<std::string>(), std::optional<std::string>("north"),
                                              std::optional<std::string>(""), std::optional<std::string>("south")}) {
        all.push_back({indicator, period, unit});
        EXPECT_EQ(IndexedHistory(*view, {all.back()}), ScanForHistory(log, {all.back()}))
            << indicator << " " << period << " " << unit.value_or("(all units)");
      }
    }
  }
  const std::vector<IngestStore::HistoryScope> several = {all[1], all[30], all[31], all[64]};
  EXPECT_EQ(IndexedHistory(*view, several), ScanForHistory(log, several));
}

TEST(IngestStoreTest, TheHistoryIndexFindsExactlyWhatAFullScanOfTheLogFinds) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  IngestStore::Counters counters;
  auto log = RandomAuditLog(3'000, 17);
  for (size_t i = 0; i < log.size();) {
    auto batch = store->NewBatch();
    for (size_t end = std::min(log.size(), i + 500); i < end; ++i) batch.PutAudit(++counters.audit_seq, log[i]);
    batch.PutCounters(counters);
    ASSERT_OK(store->Commit(&batch));
  }
  ExpectIndexMatchesScan(*store);
}

// A database of the layout before the history index: no "history" family, and no record of what
// is indexed. Opening it indexes the whole log once; the next open has nothing left to do.
TEST(IngestStoreTest, ADatabaseWrittenWithoutTheIndexGetsItAtOpen) {
  testing::TempDir dir;
  auto log = RandomAuditLog(30'000, 23);
  {
    std::unique_ptr<RocksDb> old;
    ASSERT_OK(RocksDb::Open(dir.path(), {"values", "audit", "positions", "aggregates"}, &old));
    rocksdb::WriteBatch batch;
    for (size_t i = 0; i < log.size(); ++i) {
      batch.Put(old->family(1), EncodeBigEndian64(i + 1), log[i].SerializeAsString());
    }
    batch.Put("audit_seq", EncodeBigEndian64(log.size()));
    ASSERT_OK(old->Write(rocksdb::WriteOptions(), &batch, "writing an old layout"));
  }
  {
    std::unique_ptr<IngestStore> store;
    ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
    ExpectIndexMatchesScan(*store);
    // Records written from now on are indexed as they are written.
    IngestStore::Counters counters;
    ASSERT_OK(store->ReadCounters(&counters));
    auto batch = store->NewBatch();
    batch.PutAudit(++counters.audit_seq, log.front());
    batch.PutCounters(counters);
    ASSERT_OK(store->Commit(&batch));
    ExpectIndexMatchesScan(*store);
  }
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  ExpectIndexMatchesScan(*store);
}

TEST(IngestStoreTest, AReadViewSeesOneStateWhateverIsWrittenAfterIt) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  auto write = [&](int64_t micros) {
    auto batch = store->NewBatch();
    tonghop::storage::v1::UnitValue value;
    value.set_value_micros(micros);
    batch.PutValue("agri.area.total", "2017-Q1", "north", value);
    ASSERT_OK(store->Commit(&batch));
  };
  auto read = [](const IngestStore::ReadView& view) {
    int64_t micros = -1;
    EXPECT_OK(view.ReadFigures("agri.area.total", "2017-Q1", [&](const std::string& unit,
                                                                 const tonghop::storage::v1::UnitValue& value) {
      EXPECT_EQ(unit, "north");
      micros = value.value_micros();
    }));
    return micros;
  };
  write(1);
  std::unique_ptr<IngestStore::ReadView> view;
  ASSERT_OK(store->NewReadView(&view));
  uint64_t held = 0;
  ASSERT_OK(store->HoldSnapshot(&held));
  write(2);
  EXPECT_EQ(read(*view), 1);
  view.reset();
  ASSERT_OK(store->NewReadViewOfHeld(held, &view));
  EXPECT_EQ(read(*view), 1);
  view.reset();
  ASSERT_OK(store->NewReadView(&view));
  EXPECT_EQ(read(*view), 2);
  view.reset();
  store->Release(held);
  EXPECT_EQ(store->held_snapshots(), 0u);
  EXPECT_TRUE(store->NewReadViewOfHeld(held, &view).IsNotFound());
}

// The query thread reads while the loop thread reopens the database (after a failed write): a
// reader never touches a handle being replaced, and held snapshots are released, not leaked.
TEST(IngestStoreTest, ReadersOnAnotherThreadSurviveReopens) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  {
    auto batch = store->NewBatch();
    tonghop::storage::v1::UnitValue value;
    value.set_value_micros(5);
    batch.PutValue("agri.area.total", "2017-Q1", "north", value);
    ASSERT_OK(store->Commit(&batch));
  }
  uint64_t held = 0;
  ASSERT_OK(store->HoldSnapshot(&held));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0}, wrong{0};
  std::thread reader([&] {
    while (!done) {
      std::unique_ptr<IngestStore::ReadView> view;
      if (!store->NewReadView(&view).ok()) {
        ++wrong;
        continue;
      }
      int64_t micros = 0;
      Status s = view->ReadFigures("agri.area.total", "2017-Q1", [&](const std::string&,
                                                                     const tonghop::storage::v1::UnitValue& value) {
        micros = value.value_micros();
      });
      if (view->interrupted()) continue;  // a reopen asked it to give up: asked again
      if (!s.ok() || micros != 5) ++wrong;
      ++reads;
    }
  });
  for (int i = 0; i < 20; ++i) ASSERT_OK(store->Reopen());
  // Wait until the reader got past at least some reopens, then stop it.
  while (reads < 20) std::this_thread::yield();
  done = true;
  reader.join();
  EXPECT_EQ(wrong, 0);
  EXPECT_EQ(store->held_snapshots(), 0u);
  std::unique_ptr<IngestStore::ReadView> view;
  EXPECT_TRUE(store->NewReadViewOfHeld(held, &view).IsNotFound());
}

// A reopen does not wait for a long read (a history of millions of records, say): the read gives
// up at its next record and says to ask again. So does a read whose owner cancels it.
TEST(IngestStoreTest, AReopenOrTheOwnerInterruptsALongRead) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &store));
  auto batch = store->NewBatch();
  for (const auto& record : RandomAuditLog(1'000, 29)) batch.PutAudit(record.seq(), record);
  ASSERT_OK(store->Commit(&batch));
  for (bool by_reopen : {true, false}) {
    std::atomic<bool> cancel{false};
    std::atomic<int> visited{0};
    Status read;
    std::thread reader([&] {
      std::unique_ptr<IngestStore::ReadView> view;
      read = store->NewReadView(&view, &cancel);
      if (!read.ok()) return;
      // A thousand records at 10 ms each: 10 s unless interrupted.
      read = view->ReadAudit([&](uint64_t, const tonghop::storage::v1::AuditRecord&) {
        ++visited;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      });
    });
    while (visited == 0) std::this_thread::yield();
    const int64_t start = MonotonicMs();
    if (by_reopen) {
      ASSERT_OK(store->Reopen());
    } else {
      cancel = true;
    }
    reader.join();
    EXPECT_LT(MonotonicMs() - start, 2'000);
    EXPECT_TRUE(read.IsUnavailable()) << read.ToString();
    EXPECT_NE(read.message().find("ask again"), std::string::npos) << read.ToString();
    EXPECT_LT(visited, 1'000);
  }
}

}  // namespace
}  // namespace tonghop
