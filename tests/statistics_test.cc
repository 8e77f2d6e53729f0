// Official-statistics semantics end to end (docs/DATA-MODEL.md): the reference quarter reported
// month by month by every unit of Lạng Sơn through the real processes; the derived quarter, % of
// plan and year-on-year equal the report's; the report's own inconsistency (invest.executed.*)
// is raised as a warning and reaches `watch`; a district's correction changes the province total
// by exactly the difference and appears in `history`; `status`, `query`, `export`, `import` and
// `report` answer from the same state.
#include <cmath>
#include <filesystem>
#include <gtest/gtest.h>
#include <thread>

#include "core/csv.h"
#include "core/decimal.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kMonthly = kLangSon + "/scenarios/lang-son-2017-m";

using testing::RoundAsPrinted;

class StatisticsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(province_.StartAggregator({"--durability", "wal"}).ok()) << province_.LogTail("aggregator");
    ASSERT_OK(province_.StartPublisher());
    for (const auto& entry : std::filesystem::directory_iterator(kMonthly)) units_.push_back(entry.path().filename());
    std::sort(units_.begin(), units_.end());
    for (const auto& unit : units_) ASSERT_TRUE(province_.StartCollector(unit).ok()) << unit;
  }
  std::map<std::string, nlohmann::json> Quarter(const nlohmann::json& state) {
    std::map<std::string, nlohmann::json> by_indicator;
    for (const auto& a : state["aggregates"]) {
      if (a["period"] == "2017-Q1") by_indicator[a["indicator"]] = a;
    }
    return by_indicator;
  }
  // Polls `watch --once --json` until `done` holds for the 2017-Q1 aggregates.
  std::map<std::string, nlohmann::json> WaitFor(const std::function<bool(std::map<std::string, nlohmann::json>&)>& done,
                                                int timeout_ms) {
    std::map<std::string, nlohmann::json> quarter;
    Status s = province_.WaitForWatch(
        [&](const nlohmann::json& state) {
          quarter = Quarter(state);
          return done(quarter);
        },
        timeout_ms);
    if (!s.ok()) ADD_FAILURE() << "timed out: " << s.ToString() << "\n" << province_.LogTail("aggregator");
    return quarter;
  }
  std::string Cli(const std::vector<std::string>& args, int expected_code = 0) {
    std::string out, err;
    int code = province_.RunCli(args, &out, &err);
    EXPECT_EQ(code, expected_code) << out << err;
    return out + err;
  }

  // The sum of the scenario's figures of `indicator` over every unit, for the months given.
  double ScenarioSum(const std::string& indicator, const std::vector<std::string>& months) {
    int64_t micros = 0;
    static constexpr std::array<const char*, 3> kColumns = {"indicator", "period", "value"};
    for (const auto& unit : units_) {
      for (const auto& file : std::filesystem::directory_iterator(kMonthly + "/" + unit)) {
        EXPECT_TRUE(ReadCsvFile<3>(file.path().string(), kColumns, {"indicator", "period", "value"}, [&](const CsvRow<3>& row) {
          for (const auto& month : months) {
            if (row.cells[0] == indicator && row.cells[1] == "2017-" + month) {
              Decimal d;
              EXPECT_OK(Decimal::Parse(row.cells[2], &d));
              micros += d.micros();
            }
          }
          return Status::OK();
        }).ok());
      }
    }
    return Decimal::FromMicros(micros).ToDouble();
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kLangSon};
  std::vector<std::string> units_;
};

TEST_F(StatisticsTest, TheReferenceQuarterMonthByMonth) {
  // January and February first: the quarter is derived and partial until March is in.
  for (const char* month : {"01", "02", "03"}) {
    for (const auto& unit : units_) {
      for (const auto& file : std::filesystem::directory_iterator(kMonthly + "/" + unit)) {
        if (file.path().stem().string().ends_with(std::string("-") + month)) {
          ASSERT_OK(province_.Drop(unit, file.path().string()));
        }
      }
    }
    if (std::string(month) == "02") {
      const double january_and_february = ScenarioSum("agri.sown_area.total", {"01", "02"});
      auto partial = WaitFor([&](auto& q) { return q.size() == 79 && q["agri.herd.pigs"]["units_reported"] == 0 &&
                                                   q["agri.sown_area.total"]["value"].template get<double>() == january_and_february; },
                             60'000);
      EXPECT_TRUE(partial["agri.sown_area.total"]["partial"].get<bool>());
      EXPECT_TRUE(partial["agri.sown_area.total"]["derived"].get<bool>());
    }
  }
  auto quarter = WaitFor([](auto& q) {
    if (q.size() != 79) return false;
    for (auto& [id, a] : q) {
      if (a["partial"].template get<bool>()) return false;
    }
    return true;
  }, 60'000);

  // The report's quarter: values, % of plan and year-on-year as printed.
  static constexpr std::array<const char*, 4> kColumns = {"indicator", "value", "pct_of_plan", "yoy_pct"};
  ASSERT_TRUE(ReadCsvFile<4>(kLangSon + "/reference-2017-q1.csv", kColumns, {"indicator", "value"}, [&](const CsvRow<4>& row) {
    SCOPED_TRACE(row.cells[0]);
    const auto& a = quarter[row.cells[0]];
    EXPECT_EQ(a["value"].get<double>(), std::stod(row.cells[1]));
    EXPECT_TRUE(a["derived"].get<bool>());
    if (!row.cells[2].empty()) {
      EXPECT_EQ(RoundAsPrinted(a["pct_of_plan"].get<double>(), row.cells[2]), std::stod(row.cells[2]));
    }
    if (!row.cells[3].empty()) {
      EXPECT_EQ(RoundAsPrinted(a["yoy_pct"].get<double>(), row.cells[3]), std::stod(row.cells[3]));
    }
    return Status::OK();
  }).ok());
  // The report's inconsistency reaches watch as a warning on the total.
  const auto& invest = quarter["invest.executed.total"]["warnings"];
  ASSERT_EQ(invest.size(), 1u);
  EXPECT_EQ(invest[0]["rule"], "parts_sum");
  EXPECT_EQ(invest[0]["text"], "the parts add up to 403.62, not equal to the total 408.93 (= in the catalog)");
  EXPECT_EQ(invest[0]["parts_sum"].dump(), "403.62");

  // Completeness: everyone reported everything, on time: the scenario's figures were observed five
  // days after each month (observed_at), within the 10 days, however late the replay runs.
  std::string status = Cli({"status", "--period", "2017-Q1", "--aggregator", province_.QueryEndpoint(),
                            "--catalog_dir", kLangSon});
  EXPECT_NE(status.find("period 2017-Q1: 619/619 figures reported, 0 late, 0 missing"), std::string::npos) << status;
  EXPECT_NE(status.find("Cao Lộc"), std::string::npos) << status;
  // Issue 11: March showed 619 figures overdue; Lạng Sơn's indicators are due by quarter, so a month
  // expects nothing, and the months the units gave are counted as such.
  status = Cli({"status", "--period", "2017-03", "--aggregator", province_.QueryEndpoint(), "--catalog_dir", kLangSon});
  EXPECT_NE(status.find("period 2017-03: 0/0 figures reported, 0 late, 0 missing (0 of them overdue)\n"
                        "619 more figures reported that are not due for a period this short"),
            std::string::npos) << status;
  // The year is due quarter by quarter: Q1 is in, and Q2 to Q4 are overdue (their deadlines passed).
  status = Cli({"status", "--period", "2017", "--aggregator", province_.QueryEndpoint(), "--catalog_dir", kLangSon});
  EXPECT_NE(status.find("period 2017: 0/619 figures reported, 0 late, 619 missing (619 of them overdue)"),
            std::string::npos) << status;

  // A correction from Cao Lộc: its March herd of pigs, which is its quarter's (a stock).
  std::string before_text = Cli({"query", "--period", "2017-03", "--indicator", "agri.herd.pigs", "--by", "unit", "--format",
                                 "json", "--aggregator", province_.QueryEndpoint()});
  nlohmann::json before = nlohmann::json::parse(before_text);
  double cao_loc_before = 0;
  for (const auto& f : before["figures"]) {
    if (f["reporting_unit"] == "cao-loc") cao_loc_before = f["value"].get<double>();
  }
  ASSERT_GT(cao_loc_before, 0);
  Cli({"submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator", "agri.herd.pigs", "--period",
       "2017-03", "--value", "50.5"});
  const double expected = std::round((359.8 - cao_loc_before + 50.5) * 1e6) / 1e6;
  WaitFor([&](auto& q) { return q["agri.herd.pigs"]["value"].template get<double>() == expected; }, 30'000);

  std::string unit_history = Cli({"history", "--unit", "cao-loc", "--indicator", "agri.herd.pigs", "--period", "2017-03",
                                  "--json", "--aggregator", province_.QueryEndpoint()});
  auto figures = nlohmann::json::parse(unit_history)["figures"];
  ASSERT_EQ(figures.size(), 2u) << unit_history;
  EXPECT_EQ(figures[0]["value"].get<double>(), cao_loc_before);
  EXPECT_EQ(figures[1]["previous_value"].get<double>(), cao_loc_before);
  EXPECT_EQ(figures[1]["value"].get<double>(), 50.5);
  EXPECT_EQ(figures[1]["node_id"], "collector-cao-loc");
  std::string province_history = Cli({"history", "--indicator", "agri.herd.pigs", "--period", "2017-Q1", "--json",
                                      "--aggregator", province_.QueryEndpoint()});
  auto province = nlohmann::json::parse(province_history)["province"];
  ASSERT_GE(province.size(), 2u);
  EXPECT_EQ(province[province.size() - 2]["value"].get<double>(), 359.8);
  EXPECT_EQ(province.back()["value"].get<double>(), expected);
  EXPECT_EQ(province.back()["cause"]["reporting_unit"], "cao-loc");

  // A hard error: a negative herd is refused at the collector with the reason; nothing is sent.
  const std::string refused = Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                                    "agri.herd.pigs", "--period", "2017-03", "--value", "-1"}, 1);
  EXPECT_NE(refused.find("field 'value': -1 is negative, but 'agri.herd.pigs' cannot be"), std::string::npos) << refused;

  // Export and import: the quarter's figures go out and come back unchanged; 2016 comes in.
  const std::string exported = dir_.Sub("2017-q1.csv");
  Cli({"export", "--period", "2017-Q1", "--indicator", "agri.sown_area.", "--format", "csv", "--output", exported,
       "--aggregator", province_.QueryEndpoint()});
  const std::string ingest = province_.IngestEndpoint();
  const std::string state = dir_.Sub("import-state");
  EXPECT_NE(Cli({"--lang", "en", "import", exported, "--ingest_endpoint", ingest, "--state_dir", state})
                .find("66 rows: 66 stored, 0 duplicate, 0 refused, 0 not sent"),
            std::string::npos);
  dir_.Write("2016.json", R"({"dataValues": [
      {"dataElement": "agri.sown_area.rice_spring", "period": "2016Q1", "orgUnit": "cao-loc", "value": "2500"},
      {"dataElement": "agri.sown_area.rice_spring", "period": "2016Q1", "orgUnit": "loc-binh", "value": "2500"},
      {"dataElement": "agri.sown_area.rice_spring", "period": "2016Q1", "orgUnit": "atlantis", "value": "1"}]})");
  std::string imported =
      Cli({"--lang", "en", "import", dir_.Sub("2016.json"), "--ingest_endpoint", ingest, "--state_dir", state}, 1);
  EXPECT_NE(imported.find("2016.json:3: field 'reporting_unit': unknown reporting unit 'atlantis'"), std::string::npos) << imported;
  EXPECT_NE(imported.find("3 rows: 2 stored, 0 duplicate, 1 refused, 0 not sent"), std::string::npos) << imported;
  // Stored 2016 figures (5,000 ha) now win over the catalog's baseline: 5,180 is +3.6%.
  auto after_import = WaitFor([](auto& q) { return std::fabs(q["agri.sown_area.rice_spring"]["yoy_pct"].template get<double>() - 3.6) < 1e-9; },
                              30'000);
  EXPECT_EQ(after_import["agri.sown_area.rice_spring"]["value"].get<double>(), 5180);

  // The report, from the same state.
  std::string report = Cli({"report", "--period", "2017-Q1", "--format", "txt", "--draft", "--catalog_dir", kLangSon,
                            "--aggregator", province_.QueryEndpoint()});
  EXPECT_NE(report.find("ước đạt 23.134 ha, bằng 22,6% kế hoạch, tương đương so với cùng kỳ"), std::string::npos) << report;
  EXPECT_NE(report.find("lúa xuân 5.180 ha, đạt 35% kế hoạch, tăng 3,6% so với cùng kỳ"), std::string::npos) << report;
  // The parts' sum as the aggregator made it (ValidationWarning.parts_sum_decimal).
  EXPECT_NE(report.find("các thành phần cộng lại được 403,62 tỷ đồng, không khớp với tổng số 408,93 tỷ đồng"),
            std::string::npos)
      << report;
}

}  // namespace
}  // namespace tonghop
