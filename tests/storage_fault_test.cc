// Full disks, for real: the aggregator's or a collector's data folder on a small tmpfs that the
// test fills up (root only; skipped with the reason otherwise). Nothing acknowledged may be lost,
// nothing half-written may show, and each node must resume by itself once space is back.
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <thread>

#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"
#include "tests/small_filesystem.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

const std::string kCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";

class StorageFaultTest : public ::testing::Test {
 protected:
  // Writes a drop file of `rows` into `drop_dir` as a person should: a dot-name, then renamed
  // into place.
  static Status DropFile(const std::string& drop_dir, const std::string& name, const std::string& rows) {
    return testing::DropTextInto(drop_dir, name, "indicator,period,value\n" + rows);
  }
  // The province value of `indicator` for 2017-Q1 in `state`, or -1 if absent.
  static double ValueIn(const nlohmann::json& state, const std::string& indicator) {
    const nlohmann::json* a = testing::FindAggregate(state, indicator, "2017-Q1");
    return a == nullptr ? -1 : (*a)["value"].get<double>();
  }
  // The same as the publisher shows it now, or -2 when watch fails.
  double Value(const std::string& indicator) {
    nlohmann::json state;
    if (!province_.WatchOnce(&state).ok()) return -2;
    return ValueIn(state, indicator);
  }
  // Polls the publisher until it shows every (indicator -> 2017-Q1 value) of `values`.
  ::testing::AssertionResult Shows(const std::map<std::string, double>& values, int timeout_ms) {
    Status s = province_.WaitForWatch(
        [&](const nlohmann::json& state) {
          for (const auto& [indicator, value] : values) {
            if (ValueIn(state, indicator) != value) return false;
          }
          return true;
        },
        timeout_ms);
    if (s.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << s.ToString();
  }
  bool WaitFor(const std::function<bool()>& condition, int timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      if (condition()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return condition();
  }
  // Enough figures that storing them needs fresh pages on disk, not just the last page's tail:
  // rice for every quarter of 1990-2024 (inside the test catalog's years: a collector refuses a file
  // with a figure outside them), then the 2017-Q1 total.
  static std::string ManyRows(const std::string& total) {
    std::string rows;
    for (int year = 1990; year < 2025; ++year) {
      for (int q = 1; q <= 4; ++q) rows += fmt::format("agri.area.rice,{}-Q{},4\n", year, q);
    }
    return rows + "agri.area.total,2017-Q1," + total + "\n";
  }
  // The collector's status line `name`, "" when it does not answer.
  std::string CollectorStatus(const std::string& unit, const std::string& name) {
    return province_.CollectorStatus(unit)[name];
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kCatalog};
};

TEST_F(StorageFaultTest, AggregatorWithAFullDiskStopsAckingKeepsServingAndResumesByItself) {
  testing::SmallFilesystem disk(province_.AggregatorDataDir());
  if (Status s = disk.Mount(64); !s.ok()) GTEST_SKIP() << s.message();
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("north"));
  ASSERT_OK(DropFile(province_.DropDir("north"), "a.csv", "agri.area.total,2017-Q1,10\n"));
  ASSERT_TRUE(Shows({{"agri.area.total", 10}}, 15'000));

  ASSERT_OK(disk.Fill());
  ASSERT_OK(DropFile(province_.DropDir("north"), "b.csv", ManyRows("12")));
  // The collector holds the figures and says why they are not acknowledged.
  ASSERT_TRUE(WaitFor([&] { return CollectorStatus("north", "aggregator").find("cannot store") != std::string::npos; },
                      15'000))
      << CollectorStatus("north", "aggregator") << province_.LogTail("aggregator");
  EXPECT_EQ(CollectorStatus("north", "pending"), "141");
  EXPECT_NE(province_.LogTail("aggregator", 50).find("cannot store updates"), std::string::npos);
  // The aggregator keeps serving what it has, and nothing of the refused burst shows.
  EXPECT_EQ(Value("agri.area.total"), 10);
  EXPECT_EQ(Value("agri.area.rice"), -1);

  ASSERT_OK(disk.Drain());
  ASSERT_TRUE(Shows({{"agri.area.total", 12}, {"agri.area.rice", 4}}, 20'000))
      << province_.LogTail("aggregator") << province_.LogTail("collector-north");
  ASSERT_TRUE(WaitFor([&] { return CollectorStatus("north", "pending") == "0"; }, 10'000));
  EXPECT_EQ(CollectorStatus("north", "aggregator").find("cannot store"), std::string::npos);
  EXPECT_NE(province_.LogTail("aggregator", 50).find("writable again"), std::string::npos);
}

TEST_F(StorageFaultTest, CollectorWithAFullDiskRefusesNewFiguresClearlyAndKeepsWhatItHolds) {
  testing::SmallFilesystem disk(province_.CollectorDataDir("north"));
  if (Status s = disk.Mount(32); !s.ok()) GTEST_SKIP() << s.message();
  const std::string drop_dir = dir_.Sub("drop-north");
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("north", {.extra_flags = {"--drop_dir", drop_dir}}));
  ASSERT_OK(DropFile(drop_dir, "a.csv", "agri.area.total,2017-Q1,10\n"));
  ASSERT_TRUE(Shows({{"agri.area.total", 10}}, 15'000));

  // Stop the aggregator so that figures are held in the outbox when the disk fills.
  ASSERT_OK(province_.Pause("aggregator"));
  ASSERT_OK(DropFile(drop_dir, "b.csv", "agri.area.total,2017-Q1,11\n"));
  ASSERT_TRUE(WaitFor([&] { return std::filesystem::exists(drop_dir + "/done/b.csv"); }, 10'000));
  ASSERT_OK(disk.Fill());

  // A new file stays where it is; a submit is refused with the reason.
  ASSERT_OK(DropFile(drop_dir, "c.csv", ManyRows("13")));
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  std::string out, err;
  int code = province_.RunCli({"submit", "--collector", province_.CollectorApiEndpoint("north"), "--indicator",
                               "agri.area.rice", "--period", "2017-Q1", "--value", "5"}, &out, &err);
  EXPECT_EQ(code, 1) << out << err;
  EXPECT_NE((out + err).find("Nothing was stored"), std::string::npos) << out << err;
  EXPECT_TRUE(std::filesystem::exists(drop_dir + "/c.csv"));
  EXPECT_FALSE(std::filesystem::exists(drop_dir + "/failed/c.csv"));

  // What it held is delivered once the aggregator is back, full disk or not.
  ASSERT_OK(province_.Resume("aggregator"));
  ASSERT_TRUE(Shows({{"agri.area.total", 11}}, 20'000)) << province_.LogTail("collector-north");

  ASSERT_OK(disk.Drain());
  ASSERT_TRUE(Shows({{"agri.area.total", 13}, {"agri.area.rice", 4}}, 20'000))
      << province_.LogTail("collector-north");
  EXPECT_TRUE(std::filesystem::exists(drop_dir + "/done/c.csv"));
}

}  // namespace
}  // namespace tonghop
