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
    by_period_[period][unit] = ReportedFigure{D(value), applied_at_ms};
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
  EXPECT_EQ(q1["north"].micros, D("7.5").micros());
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
  EXPECT_EQ(q1["north"].micros, D("6").micros());
  EXPECT_TRUE(q1["north"].complete);
  EXPECT_TRUE(q1["north"].derived);
  EXPECT_EQ(q1["north"].last_applied_ms, 30);
  EXPECT_EQ(q1["south"].micros, D("10").micros());
  EXPECT_FALSE(q1["south"].complete);
  // A year from its halves from its quarters from its months: only Q1 is there.
  UnitValues year = figures.Of(TimeAggregation::kSum, "2017");
  EXPECT_EQ(year["north"].micros, D("6").micros());
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
  EXPECT_EQ(q1["north"].micros, D("120").micros());
  EXPECT_FALSE(q1["north"].complete);
  EXPECT_EQ(q1["north"].last_applied_ms, 20);
  EXPECT_EQ(q1["south"].micros, D("90").micros());
  EXPECT_TRUE(q1["south"].complete);
  EXPECT_TRUE(q1["south"].derived);
}

TEST(UnitValuesTest, CombiningIsTheSameOneUnitAtATimeAsAllAtOnce) {
  ReportedFigures own = {{"north", {D("4"), 1}}};
  UnitValues month1 = {{"north", {1'000'000, true, false, 1}}, {"south", {2'000'000, true, false, 2}}};
  UnitValues month2 = {{"capital", {3'000'000, true, false, 3}}};
  std::vector<const UnitValues*> children = {&month1, &month2};
  UnitValues all = CombineUnitValues(TimeAggregation::kSum, &own, children);
  ASSERT_EQ(all.size(), 3u);
  for (const char* unit : {"north", "south", "capital"}) {
    auto one = CombineUnitValue(TimeAggregation::kSum, &own, children, unit);
    ASSERT_TRUE(one.has_value()) << unit;
    EXPECT_EQ(one->micros, all[unit].micros) << unit;
    EXPECT_EQ(one->complete, all[unit].complete) << unit;
  }
  EXPECT_FALSE(CombineUnitValue(TimeAggregation::kSum, &own, children, "bank").has_value());
}

}  // namespace
}  // namespace tonghop
