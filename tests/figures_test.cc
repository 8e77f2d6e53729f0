// Figures that mean what they say (issue 11), through the real processes: exact decimals from a
// drop file to every output.
#include <gtest/gtest.h>
#include <thread>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

class FiguresTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(province_.StartAggregator({"--durability", "wal"}).ok()) << province_.LogTail("aggregator");
    ASSERT_OK(province_.StartPublisher());
  }
  std::string Cli(const std::vector<std::string>& args, int expected_code = 0) {
    std::string out, err;
    int code = province_.RunCli(args, &out, &err);
    EXPECT_EQ(code, expected_code) << out << err;
    return out + err;
  }
  // `tonghop watch --once --json` against the publisher, as it printed it, once `wanted` is in it.
  std::string WatchTextWith(const std::string& wanted, int timeout_ms) {
    std::string printed;
    for (const int64_t deadline = MonotonicMs() + timeout_ms; MonotonicMs() < deadline;) {
      std::string errors;
      province_.RunCli({"watch", "--once", "--json", "--publish_endpoint", province_.PublisherPublishEndpoint(),
                        "--snapshot_endpoint", province_.PublisherSnapshotEndpoint()},
                       &printed, &errors);
      if (printed.find(wanted) != std::string::npos) return printed;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    ADD_FAILURE() << "watch never showed " << wanted << "; it printed " << printed << "\n"
                  << province_.LogTail("aggregator");
    return printed;
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kLangSon};
};

// Issue 11: values travelled as doubles, exact only up to 15 significant digits, and a drop file's
// 13-digit figure was refused. A budget in đồng needs more.
TEST_F(FiguresTest, AFigureOfTwentyOneDigitsReachesWatchQueryAndExportDigitForDigit) {
  ASSERT_OK(province_.StartCollector("so-tai-chinh"));
  ASSERT_OK(province_.DropText("so-tai-chinh", "budget.csv",
                               "indicator,period,value\n"
                               "budget.revenue.total,2017-Q1,123456789012345.123456\n"
                               "budget.revenue.domestic,2017-Q1,1000000000000\n"));
  const std::string exact = "123456789012345.123456";
  const std::string watched = WatchTextWith(R"("indicator":"budget.revenue.total","period":"2017-Q1","value":)" + exact,
                                            30'000);
  EXPECT_NE(watched.find(R"("indicator":"budget.revenue.domestic","period":"2017-Q1","value":1000000000000,)"),
            std::string::npos) << watched;

  const std::string query = province_.QueryEndpoint();
  std::string json = Cli({"query", "--period", "2017-Q1", "--indicator", "budget.revenue.total", "--by", "unit",
                          "--format", "json", "--aggregator", query});
  EXPECT_NE(json.find(R"("value":)" + exact + ","), std::string::npos) << json;  // the province value
  EXPECT_NE(json.find(R"("reporting_unit":"so-tai-chinh","value":)" + exact + ","), std::string::npos) << json;
  std::string csv = Cli({"query", "--period", "2017-Q1", "--indicator", "budget.revenue.total", "--by", "unit",
                         "--format", "csv", "--aggregator", query});
  EXPECT_NE(csv.find("budget.revenue.total,2017-Q1,province," + exact + ","), std::string::npos) << csv;
  EXPECT_NE(csv.find("budget.revenue.total,2017-Q1,so-tai-chinh," + exact + ","), std::string::npos) << csv;
  std::string exported = Cli({"export", "--period", "2017-Q1", "--indicator", "budget.revenue.total", "--format", "csv",
                              "--aggregator", query});
  EXPECT_NE(exported.find("budget.revenue.total,2017-Q1,so-tai-chinh," + exact + ","), std::string::npos) << exported;
  std::string stored = Cli({"export", "--stored", "--indicator", "budget.revenue.total", "--format", "json",
                            "--aggregator", query});
  EXPECT_NE(stored.find(R"("value": ")" + exact + "\""), std::string::npos) << stored;
  std::string history = Cli({"history", "--unit", "so-tai-chinh", "--indicator", "budget.revenue.total", "--period",
                             "2017-Q1", "--json", "--aggregator", query});
  EXPECT_NE(history.find(R"("value":)" + exact + ","), std::string::npos) << history;
}

}  // namespace
}  // namespace tonghop
