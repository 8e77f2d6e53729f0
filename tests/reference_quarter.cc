#include "tests/reference_quarter.h"

#include <algorithm>
#include <array>
#include <filesystem>
#include <map>

#include "core/csv.h"
#include "core/testing/status_matchers.h"

namespace tonghop::testing {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kReferenceScenario = kLangSon + "/scenarios/lang-son-2017-q1";

std::vector<ReferenceFigure> LoadReferenceQuarter() {
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

void ReferenceQuarterTest::StartProvince(const MiniProvince::CollectorPlacement& placement) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  for (const auto& entry : std::filesystem::directory_iterator(kReferenceScenario)) {
    units_.push_back(entry.path().filename());
  }
  std::sort(units_.begin(), units_.end());
  ASSERT_GE(units_.size(), 11u);
  for (const auto& unit : units_) {
    Status s = province_.StartCollector(unit, placement);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
}

std::vector<std::pair<std::string, std::string>> ReferenceQuarterTest::ScenarioFiles() {
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& unit : units_) {
    for (const auto& entry : std::filesystem::directory_iterator(kReferenceScenario + "/" + unit)) {
      files.emplace_back(unit, entry.path().string());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void ReferenceQuarterTest::DropScenario() {
  for (const auto& [unit, path] : ScenarioFiles()) ASSERT_OK(province_.Drop(unit, path));
}

nlohmann::json ReferenceQuarterTest::WaitForCompleteQuarter(int timeout_ms) {
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

void ReferenceQuarterTest::ExpectReferenceFigures(const nlohmann::json& state) {
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

size_t ReferenceQuarterTest::ScenarioFigureCount() {
  size_t rows = 0;
  for (const auto& [unit, path] : ScenarioFiles()) {
    std::string text;
    EXPECT_OK(ReadFileToString(path, &text));
    rows += std::count(text.begin(), text.end(), '\n') - 1;  // minus the header
  }
  return rows;
}

}  // namespace tonghop::testing
