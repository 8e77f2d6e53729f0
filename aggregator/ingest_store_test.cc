#include "aggregator/ingest_store.h"

#include <gtest/gtest.h>

#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

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
  ASSERT_OK(store->ReadAudit([&](uint64_t seq, const tonghop::storage::v1::AuditRecord&) { audits += seq == 1; }));
  EXPECT_EQ(audits, 1);
}

TEST(IngestStoreTest, ASecondOpenOfTheSameDatabaseFailsWithAClearMessage) {
  testing::TempDir dir;
  std::unique_ptr<IngestStore> first, second;
  ASSERT_OK(IngestStore::Open(dir.path(), Durability::kWal, &first));
  Status s = IngestStore::Open(dir.path(), Durability::kWal, &second);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another process"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tonghop
