#include "core/rocksdb_util.h"

#include <memory>

#include <gtest/gtest.h>
#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop {
namespace {

// Issue 12: every first start of the aggregator and of a collector logged
// "rocksdb: Error when reading ... NotFound", a warning about nothing wrong.
TEST(RocksDbUtilTest, CreatingANewDatabaseLogsNoWarning) {
  auto sink = std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(100000);
  auto previous = spdlog::default_logger();
  spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink));
  spdlog::set_level(spdlog::level::debug);
  {
    testing::TempDir dir;
    std::unique_ptr<rocksdb::DB> db;
    std::vector<rocksdb::ColumnFamilyHandle*> handles;
    Status s = OpenRocksDb(dir.Sub("db"), {"figures"}, &db, &handles, false, 0);
    ASSERT_TRUE(s.ok()) << s.ToString();
    for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
  }
  spdlog::set_default_logger(previous);
  for (const auto& line : sink->last_raw()) {
    EXPECT_LT(line.level, spdlog::level::warn) << std::string(line.payload.data(), line.payload.size());
  }
}

}  // namespace
}  // namespace tonghop
