#include "core/rocks_db.h"

#include <gtest/gtest.h>
#include <rocksdb/perf_level.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop {
namespace {

// The aggregator's write and fsync histograms (docs/OPERATIONS.md, "Metrics") come from here.
TEST(RocksDbTest, AWriteSaysHowLongItTookAndHowMuchOfItWasTheFsync) {
  testing::TempDir dir;
  std::unique_ptr<RocksDb> db;
  ASSERT_OK(RocksDb::Open(dir.Sub("db"), {"values"}, &db));
  rocksdb::WriteBatch batch;
  batch.Put(db->family(0), "key", std::string(1000, 'v'));

  rocksdb::WriteOptions synced;
  synced.sync = true;
  RocksDb::WriteTiming timing;
  ASSERT_OK(db->Write(synced, &batch, "a synced write", &timing));
  EXPECT_GT(timing.fsync_seconds, 0);
  EXPECT_GE(timing.seconds, timing.fsync_seconds);

  RocksDb::WriteTiming unsynced_timing;
  ASSERT_OK(db->Write(rocksdb::WriteOptions(), &batch, "a write", &unsynced_timing));
  EXPECT_EQ(unsynced_timing.fsync_seconds, 0);
  EXPECT_GT(unsynced_timing.seconds, 0);
  // Only the timed write turns the thread's I/O statistics on.
  EXPECT_EQ(rocksdb::GetPerfLevel(), rocksdb::PerfLevel::kEnableCount);
}

TEST(RocksDbTest, TableFileBytesCountsEveryFamilysFlushedTables) {
  testing::TempDir dir;
  std::unique_ptr<RocksDb> db;
  ASSERT_OK(RocksDb::Open(dir.Sub("db"), {"values"}, &db));
  EXPECT_EQ(db->TableFileBytes(), 0u);
  rocksdb::WriteBatch batch;
  batch.Put(db->family(0), "key", std::string(10'000, 'v'));
  batch.Put("counter", std::string(10'000, 'c'));
  ASSERT_OK(db->Write(rocksdb::WriteOptions(), &batch, "a write"));
  ASSERT_TRUE(db->get()->Flush(rocksdb::FlushOptions(), db->family(0)).ok());
  const uint64_t one_family = db->TableFileBytes();
  EXPECT_GT(one_family, 0u);
  ASSERT_TRUE(db->get()->Flush(rocksdb::FlushOptions()).ok());
  EXPECT_GT(db->TableFileBytes(), one_family);
}

}  // namespace
}  // namespace tonghop
