#include "core/rocksdb_util.h"

#include <memory>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "core/testing/log_capture.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop {
namespace {

// Issue 12: every first start of the aggregator and of a collector logged
// "rocksdb: Error when reading ... NotFound", a warning about nothing wrong.
TEST(RocksDbUtilTest, CreatingANewDatabaseLogsNoWarning) {
  testing::LogCapture log;
  spdlog::set_level(spdlog::level::debug);
  {
    testing::TempDir dir;
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = OpenRocksDb(dir.Sub("db"), {"figures"}, &db, &handles, false, 0);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
  }
  for (const auto& line : log.lines()) {
    EXPECT_LT(line.level, spdlog::level::warn) << std::string(line.payload.data(), line.payload.size());
  }
}

}  // namespace
}  // namespace tonghop
