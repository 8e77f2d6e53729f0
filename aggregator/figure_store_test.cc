#include "aggregator/figure_store.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

Period P(const char* text) {
  Period p;
  EXPECT_OK(Period::Parse(text, &p));
  return p;
}

ReportedFigure F(int64_t units, int64_t at_ms = 1) { return {Decimal::FromUnits(units), at_ms, at_ms}; }

class FigureStoreTest : public ::testing::Test {
 protected:
  FigureStoreTest() {
    flow_.id = "area";
    stock_.id = "herd";
    stock_.time_agg = TimeAggregation::kLast;
  }
  SeriesKey Flow(const char* period) { return {&flow_, P(period)}; }
  SeriesKey Stock(const char* period) { return {&stock_, P(period)}; }
  Decimal ValueOf(const SeriesKey& key, const char* unit) {
    const UnitValues& values = store_.ValuesOf(key);
    auto it = values.find(unit);
    return it == values.end() ? Decimal::FromUnits(-1) : it->second.value;
  }

  Indicator flow_, stock_;
  FigureStore store_;
};

TEST_F(FigureStoreTest, ASetReplacesAndTellsWhatItReplaced) {
  EXPECT_FALSE(store_.Set(Flow("2017-01"), "north", F(10)));
  auto previous = store_.Set(Flow("2017-01"), "north", F(12));
  ASSERT_TRUE(previous);
  EXPECT_EQ(previous->value, Decimal::FromUnits(10));
  EXPECT_EQ(store_.figure_count(), 1u);
  EXPECT_EQ(store_.TakeChanged(), (std::set<SeriesKey>{Flow("2017-01")}));
  EXPECT_TRUE(store_.TakeChanged().empty());
}

TEST_F(FigureStoreTest, ChangesAfterTheMemoWasReadReachEveryLongerPeriod) {
  store_.Set(Flow("2017-01"), "north", F(10));
  store_.Set(Stock("2017-01"), "north", F(30));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(10));
  EXPECT_EQ(ValueOf(Stock("2017-Q1"), "north"), Decimal::FromUnits(30));
  store_.Set(Flow("2017-02"), "north", F(20));
  store_.Set(Stock("2017-02"), "north", F(31));
  store_.Set(Flow("2017-03"), "south", F(5));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(30));
  EXPECT_EQ(ValueOf(Flow("2017-H1"), "south"), Decimal::FromUnits(5));
  EXPECT_EQ(ValueOf(Stock("2017"), "north"), Decimal::FromUnits(31));
}

// A void takes the unit's figure away from its period and from every period above it.
TEST_F(FigureStoreTest, ARemovedFigureLeavesEveryPeriodAboveIt) {
  store_.Set(Flow("2017-01"), "north", F(10));
  store_.Set(Flow("2017-02"), "north", F(20));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(30));
  store_.TakeChanged();
  auto removed = store_.Remove(Flow("2017-02"), "north");
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->value, Decimal::FromUnits(20));
  EXPECT_EQ(store_.TakeChanged(), (std::set<SeriesKey>{Flow("2017-02")}));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(10));
  EXPECT_FALSE(store_.Remove(Flow("2017-02"), "north")) << "nothing left to remove";
  store_.Remove(Flow("2017-01"), "north");
  EXPECT_TRUE(store_.ValuesOf(Flow("2017")).empty());
  EXPECT_EQ(store_.figure_count(), 0u);
  EXPECT_EQ(store_.FiguresOf(Flow("2017-01")), nullptr);
}

TEST_F(FigureStoreTest, ATrimmedMemoGivesTheSameValues) {
  store_.Set(Flow("2017-01"), "north", F(10));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(10));
  store_.TrimCache(0);
  store_.Set(Flow("2017-04"), "north", F(1));
  EXPECT_EQ(ValueOf(Flow("2017"), "north"), Decimal::FromUnits(11));
}

}  // namespace
}  // namespace tonghop
