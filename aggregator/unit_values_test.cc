#include "aggregator/unit_values.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

Decimal D(const char* text) {
  Decimal d;
  EXPECT_OK(Decimal::Parse(text, &d));
  return d;
}

Period P(const char* text) {
  Period p;
  EXPECT_OK(Period::Parse(text, &p));
  return p;
}

// Figures by period text, as a store would hand them out.
class Figures {
 public:
  void Set(const char* period, const char* unit, const char* value, int64_t applied_at_ms) {
    by_period_[period][unit] = ReportedFigure{D(value), applied_at_ms, applied_at_ms, {}, {}};
  }
  UnitValues Of(TimeAggregation rule, const char* period) const {
    return ComputeUnitValues(rule, P(period), [&](const Period& p) -> const ReportedFigures* {
      auto it = by_period_.find(p.ToString());
      return it == by_period_.end() ? nullptr : &it->second;
    });
  }

 private:
  std::map<std::string, ReportedFigures> by_period_;
};

TEST(UnitValuesTest, AUnitsOwnFigureWinsOverItsShorterPeriods) {
  Figures figures;
  figures.Set("2017-01", "north", "1", 10);
  figures.Set("2017-Q1", "north", "7.5", 20);
  UnitValues q1 = figures.Of(TimeAggregation::kSum, "2017-Q1");
  ASSERT_EQ(q1.count("north"), 1u);
  EXPECT_EQ(q1["north"].value, D("7.5"));
  EXPECT_TRUE(q1["north"].complete);
  EXPECT_FALSE(q1["north"].derived);
  EXPECT_EQ(q1["north"].last_applied_ms, 20);
}

TEST(UnitValuesTest, AFlowIsTheSumOfItsShorterPeriodsCompleteOnlyWithAllOfThem) {
  Figures figures;
  figures.Set("2017-01", "north", "1", 10);
  figures.Set("2017-02", "north", "2", 30);
  figures.Set("2017-03", "north", "3", 20);
  figures.Set("2017-01", "south", "5", 10);
  figures.Set("2017-03", "south", "5", 10);
  UnitValues q1 = figures.Of(TimeAggregation::kSum, "2017-Q1");
  EXPECT_EQ(q1["north"].value, D("6"));
  EXPECT_TRUE(q1["north"].complete);
  EXPECT_TRUE(q1["north"].derived);
  EXPECT_EQ(q1["north"].last_applied_ms, 30);
  EXPECT_EQ(q1["south"].value, D("10"));
  EXPECT_FALSE(q1["south"].complete);
  // A year from its halves from its quarters from its months: only Q1 is there.
  UnitValues year = figures.Of(TimeAggregation::kSum, "2017");
  EXPECT_EQ(year["north"].value, D("6"));
  EXPECT_FALSE(year["north"].complete);
  EXPECT_TRUE(year["north"].derived);
  EXPECT_EQ(figures.Of(TimeAggregation::kSum, "2017-Q2").size(), 0u);
}

TEST(UnitValuesTest, AStockIsItsLastShorterPeriodCompleteOnlyWhenThatIsTheLastOne) {
  Figures figures;
  figures.Set("2017-01", "north", "100", 10);
  figures.Set("2017-02", "north", "120", 20);
  figures.Set("2017-03", "south", "90", 30);
  UnitValues q1 = figures.Of(TimeAggregation::kLast, "2017-Q1");
  EXPECT_EQ(q1["north"].value, D("120"));
  EXPECT_FALSE(q1["north"].complete);
  EXPECT_EQ(q1["north"].last_applied_ms, 20);
  EXPECT_EQ(q1["south"].value, D("90"));
  EXPECT_TRUE(q1["south"].complete);
  EXPECT_TRUE(q1["south"].derived);
}

TEST(UnitValuesTest, CombiningIsTheSameOneUnitAtATimeAsAllAtOnce) {
  ReportedFigures own = {{"north", {D("4"), 1, 1, {}, {}}}};
  UnitValues month1 = {{"north", {D("1"), true, false, 1, 1}}, {"south", {D("2"), true, false, 2, 2}}};
  UnitValues month2 = {{"capital", {D("3"), true, false, 3, 3}}};
  std::vector<const UnitValues*> children = {&month1, &month2};
  UnitValues all = CombineUnitValues(TimeAggregation::kSum, &own, children);
  ASSERT_EQ(all.size(), 3u);
  for (const char* unit : {"north", "south", "capital"}) {
    auto one = CombineUnitValue(TimeAggregation::kSum, &own, children, unit);
    ASSERT_TRUE(one.has_value()) << unit;
    EXPECT_EQ(one->value, all[unit].value) << unit;
    EXPECT_EQ(one->complete, all[unit].complete) << unit;
  }
  EXPECT_FALSE(CombineUnitValue(TimeAggregation::kSum, &own, children, "bank").has_value());
}

// Issue 11: a unit that reported a whole quarter has a year-to-date through March, not through
// February; a unit that reported months has one through every month.
TEST(UnitValuesTest, AYearToDateIsTheSumOfTheUnitsSpansCompleteOnlyWithEachOfThem) {
  Figures figures;
  figures.Set("2017-Q1", "quarterly", "90", 10);
  figures.Set("2017-01", "monthly", "10", 10);
  figures.Set("2017-02", "monthly", "20", 20);
  figures.Set("2017-03", "monthly", "30", 30);
  figures.Set("2017-04", "monthly", "40", 40);
  auto ytd = [&](const char* period) {
    std::vector<UnitValues> spans;
    for (const Period& span : P(period).YearToDate()) spans.push_back(figures.Of(TimeAggregation::kSum, span.ToString().c_str()));
    std::vector<const UnitValues*> pointers;
    for (const UnitValues& span : spans) pointers.push_back(&span);
    return YearToDateValues(pointers);
  };
  UnitValues through_february = ytd("2017-02");
  EXPECT_EQ(through_february.count("quarterly"), 0u);
  EXPECT_EQ(through_february["monthly"].value, D("30"));
  EXPECT_TRUE(through_february["monthly"].complete);
  UnitValues through_march = ytd("2017-03");
  EXPECT_EQ(through_march["quarterly"].value, D("90"));
  EXPECT_TRUE(through_march["quarterly"].complete);
  EXPECT_EQ(through_march["monthly"].value, D("60"));
  UnitValues through_april = ytd("2017-04");
  EXPECT_EQ(through_april["quarterly"].value, D("90"));
  EXPECT_FALSE(through_april["quarterly"].complete) << "April is missing";
  EXPECT_EQ(through_april["monthly"].value, D("100"));
  EXPECT_TRUE(through_april["monthly"].complete);
  EXPECT_EQ(through_april["monthly"].last_applied_ms, 40);
}

TEST(UnitValuesTest, AFigureIsReportedWhenObservedUnlessThatIsLaterThanItsArrival) {
  EXPECT_EQ(ReportedAtMs(100, 500), 100);
  EXPECT_EQ(ReportedAtMs(0, 500), 500);
  EXPECT_EQ(ReportedAtMs(900, 500), 500) << "a unit cannot report from the future";
}

}  // namespace
}  // namespace tonghop
