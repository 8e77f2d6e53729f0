// Figures that mean what they say (issue 11), through the real processes: exact decimals from a
// drop file to every output.
#include <gtest/gtest.h>
#include <ctime>
#include <filesystem>

#include <fmt/chrono.h>
#include <thread>

#include "core/clock.h"
#include "core/csv.h"
#include "core/period.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

// The last non-empty line of `text`.
std::string LastLine(const std::string& text) {
  const size_t end = text.find_last_not_of('\n');
  if (end == std::string::npos) return "";
  const size_t start = text.rfind('\n', end);
  return text.substr(start == std::string::npos ? 0 : start + 1, end - (start == std::string::npos ? 0 : start + 1) + 1);
}

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

// Issue 11: a drop file with an unknown indicator or a negative herd went to done/; its bad rows
// showed only in rejected.csv. The collector now judges each row by the aggregator's catalog.
TEST_F(FiguresTest, ADropFilesBadRowsAreRefusedAtTheCollectorWithTheReason) {
  ASSERT_OK(province_.StartCollector("cao-loc", {.extra_flags = {"--lang", "en"}}));
  ASSERT_OK(province_.DropText("cao-loc", "typo.csv",
                               "indicator,period,value\n"
                               "agri.herd.pig,2017-03,48.2\n"
                               "agri.herd.pigs,2017-03,-1\n"
                               "agri.herd.pigs,2041-03,5\n"));
  const std::string failed = province_.DropDir("cao-loc") + "/failed/typo.csv";
  for (const int64_t deadline = MonotonicMs() + 20'000;
       MonotonicMs() < deadline && !std::filesystem::exists(failed + ".error.txt");) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(std::filesystem::exists(failed + ".error.txt")) << province_.LogTail("collector-cao-loc");
  EXPECT_FALSE(std::filesystem::exists(province_.DropDir("cao-loc") + "/done/typo.csv"));
  std::string errors;
  ASSERT_OK(ReadFileToString(failed + ".error.txt", &errors));
  EXPECT_NE(errors.find("typo.csv:2: field 'indicator': unknown indicator 'agri.herd.pig'"), std::string::npos) << errors;
  EXPECT_NE(errors.find("typo.csv:3: field 'value': -1 is negative"), std::string::npos) << errors;
  EXPECT_NE(errors.find("typo.csv:4: field 'period': '2041-03' is outside the years"), std::string::npos) << errors;
}

// Issue 11: `submit` of a typo printed "accepted as seq 64" and exited 0.
TEST_F(FiguresTest, SubmitOfAnUnknownIndicatorExitsNonZeroWithTheReason) {
  ASSERT_OK(province_.StartCollector("cao-loc"));
  const std::string said = Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                                "agri.herd.pig", "--period", "2017-03", "--value", "48.2"}, 1);
  EXPECT_NE(said.find("field 'indicator': unknown indicator 'agri.herd.pig'"), std::string::npos) << said;
  EXPECT_EQ(said.find("accepted"), std::string::npos) << said;
}

// `submit` waits for the aggregator's verdict and prints it.
TEST_F(FiguresTest, SubmitPrintsTheAggregatorsVerdict) {
  ASSERT_OK(province_.StartCollector("cao-loc"));
  const std::string stored = Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                                  "agri.herd.pigs", "--period", "2017-03", "--value", "48.2", "--wait_ms", "60000"});
  EXPECT_NE(stored.find("stored by the aggregator"), std::string::npos) << stored;
  const std::string no_wait = Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                                   "agri.herd.pigs", "--period", "2017-03", "--value", "48.3", "--no-wait"});
  EXPECT_NE(no_wait.find("accepted as seq 2; it will be sent to the aggregator"), std::string::npos) << no_wait;
}

// Lạng Sơn reported by district until 30 June 2025 and by commune since (docs/DATA-MODEL.md,
// "Units that change"): 2025-Q1 expects the 11 districts, 2026-Q1 the 65 communes and wards, the
// change against last year compares the two province totals, and a district's figure for 2026 is
// refused at its collector with the reason.
TEST_F(FiguresTest, TheProvinceComparesItsCommunesOf2026WithItsDistrictsOf2025) {
  ASSERT_OK(province_.StartCollector("cao-loc"));
  ASSERT_OK(province_.StartCollector("xa-cao-loc"));
  auto submit = [&](const char* unit, const char* period, const char* value, int expected_code) {
    return Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint(unit), "--indicator",
                "agri.herd.pigs", "--period", period, "--value", value, "--wait_ms", "60000"},
               expected_code);
  };
  EXPECT_NE(submit("cao-loc", "2025-Q1", "40", 0).find("stored by the aggregator"), std::string::npos);
  EXPECT_NE(submit("xa-cao-loc", "2026-Q1", "50", 0).find("stored by the aggregator"), std::string::npos);
  const std::string refused = submit("cao-loc", "2026-Q1", "41", 1);
  EXPECT_NE(refused.find("'cao-loc' reports until 2025-06-30 (catalog units.csv, valid_to), so not for 2026-Q1"),
            std::string::npos) << refused;

  auto aggregate = [&](const char* period) {
    const std::string json = Cli({"query", "--period", period, "--indicator", "agri.herd.pigs", "--format", "json",
                                  "--aggregator", province_.QueryEndpoint()});
    const nlohmann::json document = nlohmann::json::parse(json);
    EXPECT_EQ(document["aggregates"].size(), 1u) << json;
    return document["aggregates"].empty() ? nlohmann::json() : document["aggregates"][0];
  };
  const nlohmann::json before = aggregate("2025-Q1");
  EXPECT_EQ(before["units_expected"], 11) << before;
  const nlohmann::json after = aggregate("2026-Q1");
  EXPECT_EQ(after["units_expected"], 65) << after;
  EXPECT_EQ(after["units_reported"], 1) << after;
  EXPECT_EQ(after["yoy_pct"], 25) << after;  // 50 thousand pigs in Xã Cao Lộc against 40 in Cao Lộc district

  // Below the province, Xã Cao Lộc compares only within its group: Lạng Sơn city, Cao Lộc and Văn
  // Quan against their 14 communes and wards, of which one has reported, as has one district.
  const std::string json = Cli({"query", "--period", "2026-Q1", "--indicator", "agri.herd.pigs", "--by", "group",
                                "--format", "json", "--aggregator", province_.QueryEndpoint()});
  const nlohmann::json groups = nlohmann::json::parse(json)["groups"];
  ASSERT_EQ(groups.size(), 9u) << json;
  EXPECT_EQ(groups[0]["units_before"], nlohmann::json({"cao-loc", "lang-son-city", "van-quan"})) << json;
  EXPECT_EQ(groups[0]["units_after"].size(), 14u) << json;
  EXPECT_EQ(groups[0]["value"], 50) << json;
  EXPECT_EQ(groups[0]["units_reported"], 1) << json;
  EXPECT_EQ(groups[0]["units_expected"], 14) << json;
  EXPECT_EQ(groups[0]["previous_period"], "2025-Q1") << json;
  EXPECT_EQ(groups[0]["previous_value"], 40) << json;
  EXPECT_EQ(groups[0]["previous_units_reported"], 1) << json;
  EXPECT_EQ(groups[0]["previous_units_expected"], 3) << json;
  EXPECT_EQ(groups[0]["change_pct"], 25) << json;
  EXPECT_EQ(groups[0]["partial"], true) << json;
  EXPECT_EQ(groups[1]["units_before"], nlohmann::json({"bac-son"})) << json;
  EXPECT_EQ(groups[1]["value"], nullptr) << json;
  EXPECT_EQ(groups[1]["change_pct"], nullptr) << json;
  const std::string csv = Cli({"query", "--period", "2026-Q1", "--indicator", "agri.herd.pigs", "--by", "group",
                               "--format", "csv", "--aggregator", province_.QueryEndpoint()});
  EXPECT_NE(csv.find("agri.herd.pigs,2026-Q1,\"phuong-dong-kinh,phuong-ky-lua,phuong-luong-van-tri,phuong-tam-thanh,"
                     "xa-ba-son,xa-cao-loc,xa-cong-son,xa-diem-he,xa-dong-dang,xa-khanh-khe,xa-tan-doan,xa-tri-le,xa-van-quan,"
                     "xa-yen-phuc\",50,1,14,2025-Q1,\"cao-loc,lang-son-city,van-quan\",40,1,3,25,partial\n"),
            std::string::npos) << csv;
  const std::string table = Cli({"query", "--period", "2026-Q1", "--indicator", "agri.herd.pigs", "--by", "group",
                                 "--aggregator", province_.QueryEndpoint()});
  EXPECT_NE(table.find("                  50    1/14                40     1/3   +25.0%  phuong-dong-kinh,"), std::string::npos)
      << table;
  EXPECT_NE(table.find(" <- cao-loc,lang-son-city,van-quan  (partial)\n"), std::string::npos) << table;
}

// A collector that has no catalog yet (its aggregator out of reach at its first start) takes a
// figure the catalog would refuse; `submit` waits for the aggregator's refusal and exits non-zero.
TEST_F(FiguresTest, SubmitExitsNonZeroWhenTheAggregatorRefuses) {
  ASSERT_OK(province_.Pause("aggregator"));
  ASSERT_OK(province_.StartCollector("cao-loc", {.extra_flags = {"--catalog_wait_ms", "0"}}));
  std::thread resume([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    EXPECT_OK(province_.Resume("aggregator"));
  });
  const std::string said = Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                                "agri.herd.pig", "--period", "2017-03", "--value", "48.2", "--wait_ms", "60000"}, 1);
  resume.join();
  EXPECT_NE(said.find("refused by the aggregator"), std::string::npos) << said;
  EXPECT_NE(said.find("unknown indicator 'agri.herd.pig'"), std::string::npos) << said;
}

// Issue 11: a figure stored for a period by mistake made a permanent total. A void removes it, and
// a period left without figures has no total anywhere: not on the feed, not in a query.
TEST_F(FiguresTest, AFigureStoredForTheWrongPeriodIsVoidedAndLeavesNoTotal) {
  ASSERT_OK(province_.StartCollector("xa-cao-loc"));  // a commune: it reports from 2025-07 on
  const std::string collector = province_.CollectorApiEndpoint("xa-cao-loc");
  const std::string month = fmt::format("{}-03", UtcYearOfMs(NowMs()) + 1);  // next year: a mistake
  Cli({"--lang", "en", "submit", "--collector", collector, "--indicator", "agri.herd.pigs", "--period", month,
       "--value", "48.2", "--wait_ms", "60000"});
  WatchTextWith(R"("indicator":"agri.herd.pigs","period":")" + month + R"(","value":48.2,)", 30'000);

  const std::string voided = Cli({"--lang", "en", "void", "--collector", collector, "--indicator", "agri.herd.pigs",
                                  "--period", month, "--wait_ms", "60000"});
  EXPECT_NE(voided.find("voided by the aggregator"), std::string::npos) << voided;
  // Neither the month nor the quarter, half-year and year derived from it alone are left.
  const std::string year = month.substr(0, 4);
  std::string watched;
  for (const int64_t deadline = MonotonicMs() + 30'000; MonotonicMs() < deadline;) {
    std::string errors;
    province_.RunCli({"watch", "--once", "--json", "--publish_endpoint", province_.PublisherPublishEndpoint(),
                      "--snapshot_endpoint", province_.PublisherSnapshotEndpoint()},
                     &watched, &errors);
    if (watched.find(R"("period":")" + year) == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(watched.find(R"("period":")" + year), std::string::npos) << watched;
  const std::string query = Cli({"query", "--period", month, "--indicator", "agri.herd.pigs", "--format", "csv",
                                 "--aggregator", province_.QueryEndpoint()});
  EXPECT_EQ(query.find("agri.herd.pigs," + month), std::string::npos) << query;

  // Nothing is left to void: a clear refusal, not a silent success.
  const std::string again = Cli({"--lang", "en", "void", "--collector", collector, "--indicator", "agri.herd.pigs",
                                 "--period", month, "--wait_ms", "60000"}, 1);
  EXPECT_NE(again.find("REJECT_REASON_NOTHING_TO_VOID"), std::string::npos) << again;
  EXPECT_NE(again.find("nothing changed"), std::string::npos) << again;
}

// The issue's proof: a void restores the previous total exactly, corrections and all, and shows in
// `history` with who voided it and when.
TEST_F(FiguresTest, AVoidRestoresThePreviousTotalExactlyAndShowsInHistory) {
  ASSERT_OK(province_.StartCollector("cao-loc"));
  ASSERT_OK(province_.StartCollector("binh-gia"));
  auto submit = [&](const std::string& unit, const std::string& value) {
    Cli({"--lang", "en", "submit", "--collector", province_.CollectorApiEndpoint(unit), "--indicator",
         "agri.herd.pigs", "--period", "2017-03", "--value", value, "--wait_ms", "60000"});
  };
  submit("binh-gia", "10.25");
  WatchTextWith(R"("indicator":"agri.herd.pigs","period":"2017-03","value":10.25,)", 30'000);
  submit("cao-loc", "48.2");
  submit("cao-loc", "50.1");  // a correction
  WatchTextWith(R"("indicator":"agri.herd.pigs","period":"2017-03","value":60.35,)", 30'000);

  const std::string voided = Cli({"--lang", "en", "void", "--collector", province_.CollectorApiEndpoint("cao-loc"),
                                  "--unit", "cao-loc", "--indicator", "agri.herd.pigs", "--period", "2017-03",
                                  "--wait_ms", "60000"});
  EXPECT_NE(voided.find("voided by the aggregator"), std::string::npos) << voided;
  WatchTextWith(R"("indicator":"agri.herd.pigs","period":"2017-03","value":10.25,)", 30'000);

  const std::string history = Cli({"history", "--unit", "cao-loc", "--indicator", "agri.herd.pigs", "--period",
                                   "2017-03", "--aggregator", province_.QueryEndpoint()});
  const std::string void_line = LastLine(history);
  EXPECT_NE(void_line.find("collector-cao-loc"), std::string::npos) << history;  // who (plain text: its node)
  EXPECT_NE(void_line.find("50.1 -> VOIDED"), std::string::npos) << history;
  EXPECT_NE(void_line.find(fmt::format("{:%Y-%m-%d}", fmt::gmtime(std::time(nullptr)))), std::string::npos)
      << history;  // when: today (UTC)
  const std::string province = LastLine(Cli({"history", "--indicator", "agri.herd.pigs", "--period", "2017-03",
                                             "--aggregator", province_.QueryEndpoint()}));
  EXPECT_NE(province.find(" 10.25 "), std::string::npos) << province;
  EXPECT_NE(province.find("cao-loc 50.1 -> VOIDED"), std::string::npos) << province;
}

// Issue 11: a collector started with a unit code the catalog does not have logged "ready:".
TEST_F(FiguresTest, ACollectorWhoseUnitIsNotInTheCatalogSaysSoAndExits) {
  Status s = province_.StartCollector("cao-loc-typo");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("exited before it was ready"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("reporting unit 'cao-loc-typo' is not in the aggregator's catalog"), std::string::npos)
      << s.ToString();
}

}  // namespace
}  // namespace tonghop
