// The reference quarter end to end: the real aggregator, publisher and one collector per reporting
// unit of Lạng Sơn (11 districts, 7 departments) on loopback; the scenario's drop files in; the
// province figures of the report out of `tonghop watch --once --json`.
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

#include "core/csv.h"
#include "core/testing/temp_dir.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kScenario = kLangSon + "/scenarios/lang-son-2017-q1";

struct ReferenceFigure {
  std::string indicator, value, pct_of_plan, yoy_pct;
};

std::vector<ReferenceFigure> LoadReference() {
  std::vector<ReferenceFigure> figures;
  static constexpr std::array<const char*, 4> kColumns = {"indicator", "value", "pct_of_plan", "yoy_pct"};
  Status s = ReadCsvFile<4>(kLangSon + "/reference-2017-q1.csv", kColumns, {"indicator", "value"},
                            [&](const CsvRow<4>& row) {
                              figures.push_back({row.cells[0], row.cells[1], row.cells[2], row.cells[3]});
                              return Status::OK();
                            });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return figures;
}

using testing::RoundAsPrinted;

class ProvinceTest : public ::testing::Test {
 protected:
  void StartProvince() {
    ASSERT_OK(province_.StartAggregator());
    ASSERT_OK(province_.StartPublisher());
    for (const auto& entry : std::filesystem::directory_iterator(kScenario)) {
      units_.push_back(entry.path().filename());
    }
    std::sort(units_.begin(), units_.end());
    ASSERT_GE(units_.size(), 11u);
    for (const auto& unit : units_) {
      Status s = province_.StartCollector(unit);
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }
  // Every scenario file as (unit, path), in a fixed order.
  std::vector<std::pair<std::string, std::string>> ScenarioFiles() {
    std::vector<std::pair<std::string, std::string>> files;
    for (const auto& unit : units_) {
      for (const auto& entry : std::filesystem::directory_iterator(kScenario + "/" + unit)) {
        files.emplace_back(unit, entry.path().string());
      }
    }
    std::sort(files.begin(), files.end());
    return files;
  }
  // Polls the publisher until every reference indicator is complete (all expected units in).
  nlohmann::json WaitForCompleteQuarter(int timeout_ms) {
    nlohmann::json state;
    size_t complete = 0;
    Status s = province_.WaitForWatch(
        [&](const nlohmann::json& shown) {
          complete = 0;
          for (const auto& a : shown["aggregates"]) {
            if (a["period"] == "2017-Q1" && a["units_reported"] == a["units_expected"]) ++complete;
          }
          return complete == reference_.size();
        },
        timeout_ms, &state);
    if (!s.ok()) {
      ADD_FAILURE() << "only " << complete << " of " << reference_.size() << " indicators complete after "
                    << timeout_ms << " ms (" << s.ToString() << ")\n" << province_.LogTail("aggregator") << "\n"
                    << province_.LogTail("publisher");
    }
    return state;
  }
  void ExpectReferenceFigures(const nlohmann::json& state) {
    std::map<std::string, nlohmann::json> by_indicator;
    for (const auto& a : state["aggregates"]) {
      if (a["period"] == "2017-Q1") by_indicator[a["indicator"]] = a;
    }
    ASSERT_EQ(by_indicator.size(), 79u);
    for (const auto& ref : reference_) {
      SCOPED_TRACE(ref.indicator);
      ASSERT_TRUE(by_indicator.count(ref.indicator));
      const auto& a = by_indicator[ref.indicator];
      EXPECT_EQ(a["value"].get<double>(), std::stod(ref.value));
      if (ref.pct_of_plan.empty()) {
        EXPECT_TRUE(a["pct_of_plan"].is_null());
      } else {
        EXPECT_EQ(RoundAsPrinted(a["pct_of_plan"].get<double>(), ref.pct_of_plan), std::stod(ref.pct_of_plan));
      }
      if (ref.yoy_pct.empty()) {
        EXPECT_TRUE(a["yoy_pct"].is_null());
      } else {
        EXPECT_EQ(RoundAsPrinted(a["yoy_pct"].get<double>(), ref.yoy_pct), std::stod(ref.yoy_pct));
      }
    }
  }
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
    ASSERT_EQ(province_.RunCli({"report", "--period", "2017", "--format", "txt", "--catalog_dir", kLangSon,
                                "--aggregator", province_.QueryEndpoint()},
                               &report, &errors),
              0) << errors;
    EXPECT_NE(report.find("ước đạt 23.134 ha, bằng 22,6% kế hoạch (số liệu chưa đầy đủ: mới có 1/4 quý; quý I: 11/11 "
                          "đơn vị đã báo cáo)"),
              std::string::npos) << report;
    EXPECT_EQ(report.find("0/11"), std::string::npos) << report;
  }
  size_t ScenarioFigureCount() {
    size_t rows = 0;
    for (const auto& [unit, path] : ScenarioFiles()) {
      std::string text;
      EXPECT_OK(ReadFileToString(path, &text));
      rows += std::count(text.begin(), text.end(), '\n') - 1;  // minus the header
    }
    return rows;
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kLangSon};
  std::vector<std::string> units_;
  std::vector<ReferenceFigure> reference_ = LoadReference();
};

TEST_F(ProvinceTest, TheReferenceQuarterReachesWatchWithTheReportsFigures) {
  StartProvince();
  for (const auto& [unit, path] : ScenarioFiles()) ASSERT_OK(province_.Drop(unit, path));
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
