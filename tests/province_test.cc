// The reference quarter end to end: the real aggregator, publisher and one collector per reporting
// unit of Lạng Sơn (11 districts, 7 departments) on loopback; the scenario's drop files in; the
// province figures of the report out of `tonghop watch --once --json`.
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

#include "core/testing/status_matchers.h"
#include "tests/audit_summary.h"
#include "tests/reference_quarter.h"

namespace tonghop {
namespace {

// The reference quarter's province, from tests/reference_quarter.h.
class ProvinceTest : public testing::ReferenceQuarterTest {
 protected:
  // Issue 11: the year and H1 of the reference quarter said "0/11 đơn vị đã báo cáo", although all
  // 11 units had reported the whole of Q1. They say which quarters they have, and who is behind each.
  void ExpectTheYearAndHalfSayOneQuarterOfTheirs(const nlohmann::json& state) {
    for (const auto& [period, quarters] : {std::pair<std::string, size_t>{"2017", 4}, {"2017-H1", 2}}) {
      SCOPED_TRACE(period);
      const nlohmann::json* area = testing::FindAggregate(state, "agri.sown_area.total", period);
      ASSERT_NE(area, nullptr);
      EXPECT_EQ((*area)["value"].get<double>(), 23134);
      EXPECT_TRUE((*area)["partial"].get<bool>());
      ASSERT_EQ((*area)["sub_periods"].size(), quarters);
      EXPECT_EQ((*area)["sub_periods"][0]["period"], "2017-Q1");
      EXPECT_EQ((*area)["sub_periods"][0]["units_reported"], 11);
      EXPECT_EQ((*area)["sub_periods"][1]["units_with_figures"], 0);
    }
    std::string table, errors;
    ASSERT_EQ(province_.RunCli({"watch", "--once", "--derived", "--indicator", "agri.sown_area.total", "--publish_endpoint",
                                province_.PublisherPublishEndpoint(), "--snapshot_endpoint",
                                province_.PublisherSnapshotEndpoint()},
                               &table, &errors),
              0) << errors;
    EXPECT_NE(table.find("1/4 quý: Q1 11/11"), std::string::npos) << table;
    EXPECT_NE(table.find("1/2 quý: Q1 11/11"), std::string::npos) << table;
    EXPECT_EQ(table.find("0/11"), std::string::npos) << table;
    std::string report;
    ASSERT_EQ(province_.RunCli({"report", "--period", "2017", "--format", "txt", "--catalog_dir", testing::kLangSon,
                                "--aggregator", province_.QueryEndpoint()},
                               &report, &errors),
              0) << errors;
    EXPECT_NE(report.find("ước đạt 23.134 ha, bằng 22,6% kế hoạch (số liệu chưa đầy đủ: mới có 1/4 quý; quý I: 11/11 "
                          "đơn vị đã báo cáo)"),
              std::string::npos) << report;
    EXPECT_EQ(report.find("0/11"), std::string::npos) << report;
  }
};

TEST_F(ProvinceTest, TheReferenceQuarterReachesWatchWithTheReportsFigures) {
  StartProvince();
  DropScenario();
  nlohmann::json state = WaitForCompleteQuarter(60'000);
  ExpectReferenceFigures(state);
  ExpectTheYearAndHalfSayOneQuarterOfTheirs(state);
  // Every file was ingested once and moved to done/.
  for (const auto& unit : units_) {
    EXPECT_FALSE(std::filesystem::is_empty(province_.DropDir(unit) + "/done")) << unit;
    EXPECT_FALSE(std::filesystem::exists(province_.DropDir(unit) + "/failed") &&
                 !std::filesystem::is_empty(province_.DropDir(unit) + "/failed")) << unit;
  }
}

TEST_F(ProvinceTest, AggregatorKilledMidScenarioLosesNothingAndCountsNothingTwice) {
  StartProvince();
  auto files = ScenarioFiles();
  size_t half = files.size() / 2;
  for (size_t i = 0; i < half; ++i) ASSERT_OK(province_.Drop(files[i].first, files[i].second));
  // Let part of it through, then kill the aggregator while collectors are still sending.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_OK(province_.Kill("aggregator"));
  for (size_t i = half; i < files.size(); ++i) ASSERT_OK(province_.Drop(files[i].first, files[i].second));
  std::this_thread::sleep_for(std::chrono::milliseconds(1000));  // collectors buffer while it is down
  ASSERT_OK(province_.Restart("aggregator"));

  ExpectReferenceFigures(WaitForCompleteQuarter(60'000));

  // The audit log holds each figure exactly once: no (outbox, seq) applied twice, none missing.
  Status stopped = province_.TerminateAll();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  testing::AuditSummary audit;
  ASSERT_OK(testing::SummarizeAudit(province_.AggregatorDataDir(), &audit));
  EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
  EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
  EXPECT_EQ(audit.records, ScenarioFigureCount());
}

}  // namespace
}  // namespace tonghop
