#include "core/catalog.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "core/clock.h"
#include "core/csv.h"
#include "core/transport.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kTestCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";

int ThisYear() { return UtcYearOfMs(NowMs()); }

Period P(const std::string& text) {
  Period period;
  EXPECT_OK(Period::Parse(text, &period));
  return period;
}

TEST(CatalogTest, LoadsLangSonWithEveryIndicatorOfTheReport) {
  Catalog catalog;
  Status s = Catalog::LoadFromDirectory(kLangSon, &catalog);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(catalog.indicators().size(), 79u);
  // 11 districts until 30 June 2025, 65 communes and wards since 1 July 2025, 7 provincial departments
  EXPECT_EQ(catalog.units().size(), 83u);

  const Indicator* sown = catalog.FindIndicator("agri.sown_area.total");
  ASSERT_NE(sown, nullptr);
  EXPECT_EQ(catalog.ExpectedUnits(*sown, P("2017-Q1")).size(), 11u);
  EXPECT_EQ(sown->parts_rule, PartsRule::kAtMost);
  EXPECT_TRUE(catalog.Expects(*sown, "cao-loc", P("2017-Q1")));
  EXPECT_FALSE(catalog.Expects(*sown, "kho-bac", P("2017-Q1")));

  const Indicator* imports = catalog.FindIndicator("trade.external.imports");
  ASSERT_NE(imports, nullptr);
  EXPECT_EQ(imports->space_agg, SpaceAggregation::kNone);
  EXPECT_EQ(imports->reporting_units, std::vector<std::string>{"cuc-hai-quan"});
  EXPECT_EQ(catalog.FindIndicator("agri.herd.pigs")->time_agg, TimeAggregation::kLast);

  Period q1_2016;
  ASSERT_OK(Period::Parse("2016-Q1", &q1_2016));
  ASSERT_TRUE(catalog.Plan("agri.sown_area.rice_spring", 2017).has_value());
  EXPECT_EQ(catalog.Plan("agri.sown_area.rice_spring", 2017)->ToString(), "14800");
  EXPECT_FALSE(catalog.Plan("agri.herd.pigs", 2017).has_value());
  EXPECT_EQ(catalog.Baseline("agri.sown_area.total", q1_2016)->ToString(), "23134");
}

TEST(CatalogTest, LangSonAcceptsFiguresFrom2016ToNextYear) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  const YearWindow& window = catalog.year_window();
  const int year = ThisYear();
  EXPECT_EQ(window.first_year(), 2016);
  EXPECT_EQ(window.LastYear(year), year + 1);
  for (const std::string& period : std::vector<std::string>{"2016-Q1", "2017-Q1", "2017", std::to_string(year) + "-03", std::to_string(year + 1)}) {
    EXPECT_TRUE(window.Contains(P(period), year)) << period;
  }
  for (const std::string& period : std::vector<std::string>{"1900", "2015-12", "2999", std::to_string(year + 2) + "-Q1"}) {
    EXPECT_FALSE(window.Contains(P(period), year)) << period;
  }
  EXPECT_EQ(window.ToString(2026), "2016 to next_year (2027)");
  // "next_year" moves with the clock, without an edit or a restart.
  EXPECT_TRUE(window.Contains(P("2031"), 2030));
}

class YearsFileTest : public ::testing::Test {
 protected:
  Status Load(const std::string& years, Catalog* catalog) {
    for (const char* name : Catalog::FileNames()) {
      std::string text;
      EXPECT_OK(ReadFileToString(kTestCatalog + "/" + name, &text));
      dir_.Write(name, text);
    }
    dir_.Write("years.csv", years);
    return Catalog::LoadFromDirectory(dir_.path(), catalog);
  }
  testing::TempDir dir_;
};

TEST_F(YearsFileTest, LastYearIsAYearThisYearOrNextYear) {
  Catalog catalog;
  ASSERT_OK(Load("# comment\nfirst_year,last_year\n2010,2020\n", &catalog));
  EXPECT_EQ(catalog.year_window().ToString(ThisYear()), "2010 to 2020");
  EXPECT_TRUE(catalog.year_window().Contains(P("2020-12"), 2050));
  EXPECT_FALSE(catalog.year_window().Contains(P("2021-01"), 2000));
  EXPECT_FALSE(catalog.year_window().Contains(P("2009-12"), 2000));

  ASSERT_OK(Load("last_year,first_year,note\nthis_year,2017,columns in any order\n", &catalog));
  EXPECT_EQ(catalog.year_window().LastYear(2026), 2026);
  EXPECT_EQ(catalog.year_window().ToString(2026), "2017 to this_year (2026)");
  EXPECT_FALSE(catalog.year_window().Contains(P("2027-01"), 2026));
}

TEST_F(YearsFileTest, MistakesNameFileLineAndField) {
  const std::string next = std::to_string(ThisYear() + 1);
  const std::pair<std::string, std::string> cases[] = {
      {"first_year,last_year\n16,next_year\n", "years.csv:2: field 'first_year': '16' is not a year such as 2016"},
      {"first_year,last_year\n1899,next_year\n", "years.csv:2: field 'first_year': '1899' is not a year"},
      {"first_year,last_year\n2016,soon\n",
       "years.csv:2: field 'last_year': 'soon' is not a year such as 2030, nor this_year or next_year"},
      {"first_year,last_year\n2016,3000\n", "years.csv:2: field 'last_year': '3000' is not a year"},
      {"first_year,last_year\n2016,2015\n", "years.csv:2: field 'last_year': '2015' (2015) is before first_year 2016"},
      {"first_year,last_year\n2999,next_year\n",
       "years.csv:2: field 'last_year': 'next_year' (" + next + ") is before first_year 2999"},
      {"first_year,last_year\n2016,next_year\n2017,next_year\n", "years.csv:3: a second row"},
      {"first_year,last_year\n", "years.csv: has no row"},
      {"first_year\n2016\n", "the header has no column 'last_year'"},
  };
  for (const auto& [years, expected] : cases) {
    Catalog catalog;
    Status s = Load(years, &catalog);
    EXPECT_FALSE(s.ok()) << years;
    EXPECT_NE(s.message().find(expected), std::string::npos) << "got: " << s.message() << "\nwanted: " << expected;
  }
}

TEST_F(YearsFileTest, AMissingFileSaysWhatItIsFor) {
  Catalog catalog;
  ASSERT_OK(Load("first_year,last_year\n2016,next_year\n", &catalog));
  std::filesystem::remove(dir_.Sub("years.csv"));
  Status s = Catalog::LoadFromDirectory(dir_.path(), &catalog);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("years.csv: missing; it declares the years figures are accepted for"), std::string::npos)
      << s.ToString();
}

TEST_F(YearsFileTest, ChangesTheFingerprint) {
  Catalog before, after;
  ASSERT_OK(Load("first_year,last_year\n2016,next_year\n", &before));
  ASSERT_OK(Load("first_year,last_year\n2017,next_year\n", &after));
  EXPECT_NE(before.fingerprint(), after.fingerprint());
}

TEST(CatalogTest, StatisticsColumnsAreReadAndOptional) {
  Catalog catalog;
  Status s = Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/statistics-catalog", &catalog);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Indicator* rice = catalog.FindIndicator("area.rice");
  EXPECT_EQ(rice->period_types, PeriodTypeBit(Period::Type::kMonth) | PeriodTypeBit(Period::Type::kQuarter));
  EXPECT_EQ(rice->deadline_days, 10);
  EXPECT_EQ(rice->min->ToString(), "0");
  EXPECT_EQ(rice->max->ToString(), "500");
  EXPECT_TRUE(rice->non_negative);
  EXPECT_EQ(catalog.FindIndicator("area.total")->yoy_threshold_pct->ToString(), "50");
  EXPECT_EQ(catalog.FindIndicator("wage.avg")->space_agg, SpaceAggregation::kWeightedAverage);
  EXPECT_EQ(catalog.FindIndicator("wage.avg")->weight_indicator, "workers");
  EXPECT_EQ(catalog.FindIndicator("price.min")->space_agg, SpaceAggregation::kMin);
  EXPECT_EQ(catalog.FindIndicator("price.avg")->space_agg, SpaceAggregation::kAverage);
  EXPECT_FALSE(catalog.FindIndicator("cpi.change")->non_negative);
  EXPECT_EQ(catalog.PartsOf("area.total").size(), 2u);
  EXPECT_EQ(catalog.WeightedBy("workers").size(), 1u);
  // A catalog without the columns takes every period type, has no deadline and no range.
  Catalog old;
  ASSERT_OK(Catalog::LoadFromDirectory(kTestCatalog, &old));
  const Indicator* total = old.FindIndicator("agri.area.total");
  EXPECT_EQ(total->period_types, kAllPeriodTypes);
  EXPECT_FALSE(total->deadline_days.has_value());
  EXPECT_FALSE(total->min.has_value());
  EXPECT_FALSE(total->non_negative);
}

class BrokenCatalogTest : public ::testing::Test {
 protected:
  // Copies the small test catalog, replaces one file, and returns the load error.
  Status LoadWith(const std::string& file, const std::string& content) {
    for (const char* name : Catalog::FileNames()) {
      std::string text;
      EXPECT_OK(ReadFileToString(kTestCatalog + "/" + name, &text));
      dir_.Write(name, text);
    }
    dir_.Write(file, content);
    Catalog catalog;
    return Catalog::LoadFromDirectory(dir_.path(), &catalog);
  }
  testing::TempDir dir_;
};

TEST_F(BrokenCatalogTest, TheTestCatalogItselfLoads) {
  Catalog catalog;
  Status s = Catalog::LoadFromDirectory(kTestCatalog, &catalog);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

TEST_F(BrokenCatalogTest, MistakesNameFileLineAndField) {
  struct Case { const char* file; const char* content; const char* expected; };
  const Case cases[] = {
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n"
       "a.b,s,n,ha,district,sum,sum,,\n"
       "a.c,s,n,ha,district,summ,sum,,\n",
       "indicators.csv:3: field 'space_agg': 'summ' is not one of sum, max, min, avg, weighted_avg, none"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,period_type\n"
       "a.b,s,n,ha,district,sum,sum,,,month|week\n",
       "indicators.csv:2: field 'period_type': 'week' is not one of month, quarter, half_year, year"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,deadline_days\n"
       "a.b,s,n,ha,district,sum,sum,,,ten\n",
       "indicators.csv:2: field 'deadline_days': 'ten' is not a number of days"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,min,max\n"
       "a.b,s,n,ha,district,sum,sum,,,5,1\n",
       "indicators.csv:2: field 'min': 5 is above max 1"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,weight_indicator\n"
       "a.b,s,n,ha,district,weighted_avg,sum,,,\n",
       "indicators.csv:2: field 'weight_indicator': is needed with space_agg weighted_avg"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,weight_indicator\n"
       "a.b,s,n,ha,district,weighted_avg,sum,,,a.w\n",
       "indicators.csv:2: field 'weight_indicator': no indicator 'a.w'"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule,non_negative\n"
       "a.b,s,n,ha,district,sum,sum,,,maybe\n",
       "indicators.csv:2: field 'non_negative': 'maybe' is not one of yes, no"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n"
       "a.b,s,n,ha,commune,sum,sum,,\n",
       "indicators.csv:2: field 'reported_by': 'commune' is neither a unit code nor a unit kind"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n"
       "a.b,s,n,ha,district,none,sum,,\n",
       "indicators.csv:2: field 'space_agg': 'none' means one unit reports"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n"
       "a.b,s,n,ha,district,sum,sum,,\n"
       "a.c,s,n,ha,district,sum,sum,a.x,\n",
       "indicators.csv:3: field 'part_of': no indicator 'a.x'"},
      {"indicators.csv",
       "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n"
       "A B,s,n,ha,district,sum,sum,,\n",
       "indicators.csv:2: field 'id'"},
      {"indicators.csv", "id,sector,name_vi,unit,space_agg,time_agg\n", "the header has no column 'reported_by'"},
      {"units.csv", "code,name_vi,kind\nnorth,Bắc,district\nnorth,Bắc,district\n",
       "units.csv:3: field 'code': unit 'north' is listed twice"},
      {"plans.csv", "indicator,year,plan\nagri.area.total,2017,1.000,5\n", "plans.csv:2"},
      {"plans.csv", "indicator,year,plan\nagri.area.total,17,1000\n", "plans.csv:2: field 'year'"},
      {"plans.csv", "indicator,year,plan\nagri.nope,2017,1000\n", "plans.csv:2: field 'indicator': no indicator 'agri.nope'"},
      {"baselines.csv", "indicator,period,value\nagri.area.total,2016-Q5,200\n", "baselines.csv:2: field 'period'"},
      {"baselines.csv", "indicator,period,value\nagri.area.total,2016-Q1,2e5\n", "baselines.csv:2: field 'value'"},
      {"units.csv", "code,name_vi,kind,valid_from\nnorth,Bắc,district,2025-02-30\n",
       "units.csv:2: field 'valid_from': '2025-02-30' is not a day written YYYY-MM-DD"},
      {"units.csv", "code,name_vi,kind,valid_from,valid_to\nnorth,Bắc,district,2025-07-01,2025-06-30\n",
       "units.csv:2: field 'valid_to': 2025-06-30 is before valid_from 2025-07-01"},
      {"units.csv", "code,name_vi,kind,parent\nnorth,Bắc,district,nowhere\n",
       "units.csv:2: field 'parent': no unit 'nowhere' in this file"},
      {"units.csv", "code,name_vi,kind,parent\nnorth,Bắc,district,north\n",
       "units.csv:2: field 'parent': 'north' is the unit itself"},
      {"units.csv", "code,name_vi,kind,valid_from,successor_of\nnorth,Bắc,district,,\nnew,Mới,commune,2025-07-01,north|gone\n",
       "units.csv:3: field 'successor_of': no unit 'gone' in this file"},
      {"units.csv", "code,name_vi,kind,valid_from,valid_to,successor_of\nnorth,Bắc,district,,,\nnew,Mới,commune,2025-07-01,,north\n",
       "units.csv:3: field 'successor_of': 'north' has no valid_to"},
  };
  for (const Case& c : cases) {
    Status s = LoadWith(c.file, c.content);
    EXPECT_FALSE(s.ok()) << c.content;
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << "got: " << s.message() << "\nwanted: " << c.expected;
  }
}

// tests/testdata/reorganized-catalog: two districts until 30 June 2025, three communes from
// 1 July 2025 (one made of parts of both districts), a department throughout.
Status LoadReorganized(Catalog* catalog) {
  return Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/reorganized-catalog", catalog);
}

TEST(ReorganizedCatalogTest, ExpectedUnitsFollowTheirValidityDates) {
  Catalog catalog;
  ASSERT_OK(LoadReorganized(&catalog));
  const Indicator& area = *catalog.FindIndicator("agri.area.total");
  using Codes = std::vector<std::string>;
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2017-Q1")), (Codes{"north", "south"}));
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2025-06")), (Codes{"north", "south"}));
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2025-07")), (Codes{"xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2026-Q1")), (Codes{"xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2999")), (Codes{"xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(catalog.ExpectedUnits(area, P("1900-01")), (Codes{"north", "south"}));
  // A period across the change expects both: the districts for its first half, the communes after.
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2025")), (Codes{"north", "south", "xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(catalog.ExpectedUnits(*catalog.FindIndicator("fin.deposits"), P("2026-Q1")), (Codes{"bank"}));
  EXPECT_TRUE(catalog.Expects(area, "north", P("2017-Q1")));
  EXPECT_FALSE(catalog.Expects(area, "north", P("2026-Q1")));
  EXPECT_FALSE(catalog.Expects(area, "xa-a", P("2017-Q1")));

  EXPECT_EQ(catalog.FindUnit("north-village")->parent, "north");
  EXPECT_EQ(catalog.FindUnit("xa-b")->successor_of, (Codes{"north", "south"}));
  EXPECT_EQ(catalog.ValidityRefusal(*catalog.FindUnit("xa-a"), P("2026-Q1")), "");
  EXPECT_EQ(catalog.ValidityRefusal(*catalog.FindUnit("north"), P("2026-Q1")),
            "'north' reports until 2025-06-30 (catalog units.csv, valid_to), so not for 2026-Q1; "
            "xa-a, xa-b report in its place");
  EXPECT_EQ(catalog.ValidityRefusal(*catalog.FindUnit("xa-a"), P("2017-Q1")),
            "'xa-a' reports from 2025-07-01 (catalog units.csv, valid_from), so not for 2017-Q1");
}

TEST(ReorganizedCatalogTest, UnitsOfTwoErasFormComparableGroups) {
  Catalog catalog;
  ASSERT_OK(LoadReorganized(&catalog));
  using Codes = std::vector<std::string>;
  // xa-b was made of parts of both districts, so only the three communes together compare with
  // the two districts together.
  const Catalog::ComparableGroup* group = catalog.ComparableGroupOf("xa-a");
  ASSERT_NE(group, nullptr);
  EXPECT_EQ(group->before, (Codes{"north", "south"}));
  EXPECT_EQ(group->after, (Codes{"xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(catalog.ComparableGroupOf("south"), group);
  // A unit no reorganization touched is its own comparison, and one with no successor has none.
  EXPECT_EQ(catalog.ComparableGroupOf("bank"), nullptr);
  EXPECT_EQ(catalog.ComparableGroupOf("north-village"), nullptr);
}

TEST(CatalogTest, AnOldCatalogExpectsEveryUnitInEveryPeriod) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kTestCatalog, &catalog));
  const Indicator& area = *catalog.FindIndicator("agri.area.total");
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2017-Q1")), area.reporting_units);
  EXPECT_EQ(catalog.ExpectedUnits(area, P("2026-Q1")), area.reporting_units);
  EXPECT_EQ(catalog.ValidityRefusal(*catalog.FindUnit("north"), P("2999")), "");
}

TEST(CatalogTest, LangSonReportsByDistrictUntilJune2025AndByCommuneAfter) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  const Indicator& sown = *catalog.FindIndicator("agri.sown_area.total");
  EXPECT_EQ(catalog.ExpectedUnits(sown, P("2017-Q1")).size(), 11u);
  EXPECT_EQ(catalog.ExpectedUnits(sown, P("2025-Q2")).size(), 11u);
  // Resolution 1672/NQ-UBTVQH15: 61 communes and 4 wards from 1 July 2025.
  const auto& communes = catalog.ExpectedUnits(sown, P("2026-Q1"));
  EXPECT_EQ(communes.size(), 65u);
  size_t wards = 0;
  for (const std::string& code : communes) wards += catalog.FindUnit(code)->kind == "ward";
  EXPECT_EQ(wards, 4u);
  EXPECT_TRUE(catalog.Expects(sown, "xa-that-khe", P("2026-Q1")));
  EXPECT_FALSE(catalog.Expects(sown, "trang-dinh", P("2026-Q1")));
  // The departments report throughout.
  EXPECT_EQ(catalog.ExpectedUnits(*catalog.FindIndicator("trade.external.imports"), P("2026-Q1")),
            std::vector<std::string>{"cuc-hai-quan"});
}

TEST_F(BrokenCatalogTest, MissingFolderSaysWhatToDo) {
  Catalog catalog;
  Status s = Catalog::LoadFromDirectory(dir_.Sub("nope"), &catalog);
  EXPECT_TRUE(s.IsNotFound());
  EXPECT_NE(s.message().find("--catalog_dir"), std::string::npos);
}

TEST_F(BrokenCatalogTest, AcceptsSpreadsheetQuirks) {
  // A UTF-8 byte-order mark, CRLF line ends and a quoted name with a comma, as spreadsheets save.
  Status s = LoadWith("units.csv",
                      "\xEF\xBB\xBF" "code,name_vi,kind\r\nnorth,\"Bắc, huyện\",district\r\nsouth,Nam,district\r\n"
                      "capital,TP,city\r\nbank,NH,department\r\n");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace tonghop
