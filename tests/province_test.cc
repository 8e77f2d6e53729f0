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
class ProvinceTest : public testing::ReferenceQuarterTest {};

TEST_F(ProvinceTest, TheReferenceQuarterReachesWatchWithTheReportsFigures) {
  StartProvince();
  DropScenario();
  nlohmann::json state = WaitForCompleteQuarter(60'000);
  ExpectReferenceFigures(state);
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
