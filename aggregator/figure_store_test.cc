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

ReportedFigure F(int64_t units, int64_t at_ms = 1) { return {Decimal::FromUnits(units), at_ms, at_ms, {}, {}}; }

class FigureStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog", &catalog_));
    flow_ = catalog_.FindIndicator("agri.area.total");
    stock_ = catalog_.FindIndicator("agri.herd.pigs");
  }
  SeriesKey Flow(const char* period) { return {flow_, P(period)}; }
  SeriesKey Stock(const char* period) { return {stock_, P(period)}; }
  Decimal ValueOf(const SeriesKey& key, const char* unit) {
    const UnitValues& values = store_.ValuesOf(key);
    auto it = values.find(unit);
    return it == values.end() ? Decimal::FromUnits(-1) : it->second.value;
  }

  Catalog catalog_;
  const Indicator* flow_ = nullptr;
  const Indicator* stock_ = nullptr;
  FigureStore store_{&catalog_};
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

// A partial total's reason names its partial units; the store keeps them apart so that writing it
// costs those units, not every unit of the period (a province of a thousand communes reports
// none partial, and its totals are partial until the last commune reports).
TEST_F(FigureStoreTest, ThePartialUnitsOfAPeriodFollowItsFigures) {
  ReportedFigure partial = F(10);
  partial.below = {true, 17, 18, ""};
  EXPECT_EQ(store_.PartialUnitsOf(Flow("2017-01")), nullptr);
  store_.Set(Flow("2017-01"), "south", partial);
  store_.Set(Flow("2017-01"), "north", partial);
  store_.Set(Flow("2017-01"), "capital", F(5));
  store_.Load(Flow("2017-02"), "north", partial);
  ASSERT_NE(store_.PartialUnitsOf(Flow("2017-01")), nullptr);
  EXPECT_EQ(*store_.PartialUnitsOf(Flow("2017-01")), (std::set<std::string>{"north", "south"}));
  EXPECT_EQ(*store_.PartialUnitsOf(Flow("2017-02")), (std::set<std::string>{"north"}));
  EXPECT_EQ(store_.PartialUnitsOf(Flow("2017-Q1")), nullptr) << "only the figures of exactly the period";

  store_.Set(Flow("2017-01"), "north", F(10));  // north's level below completed
  store_.Remove(Flow("2017-01"), "south");      // south's figure voided
  store_.Set(Flow("2017-01"), "capital", partial);
  EXPECT_EQ(*store_.PartialUnitsOf(Flow("2017-01")), (std::set<std::string>{"capital"}));
  store_.Set(Flow("2017-01"), "capital", F(5));
  EXPECT_EQ(store_.PartialUnitsOf(Flow("2017-01")), nullptr);
  store_.Clear();
  EXPECT_EQ(store_.PartialUnitsOf(Flow("2017-02")), nullptr);
}

// tests/testdata/reorganized-catalog: districts until 30 June 2025, communes from 1 July 2025. A
// span's tally counts the units expected for it, so a district's figure stands behind June, not
// July, and the year to date of September is made of both.
TEST(FigureStoreUnitsTest, ATallyCountsTheUnitsExpectedForItsSpan) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/reorganized-catalog",
                                       &catalog));
  FigureStore store(&catalog);
  const Indicator* area = catalog.FindIndicator("agri.area.total");
  store.Set({area, P("2025-06")}, "north", F(10));
  store.Set({area, P("2025-07")}, "north", F(20));  // stored, but north no longer reports in July
  store.Set({area, P("2025-07")}, "xa-a", F(3));
  EXPECT_EQ(store.TalliedValuesOf({area, P("2025-06")}).tally.units_with_values(), 1u);
  const UnitTally& july = store.TalliedValuesOf({area, P("2025-07")}).tally;
  EXPECT_EQ(july.units_with_values(), 1u);
  EXPECT_EQ(july.Value().value.ToString(), "3");
  EXPECT_EQ(july.expected_units(), (std::vector<std::string>{"xa-a", "xa-b", "xa-c"}));
  EXPECT_EQ(store.YearToDateOf({area, P("2025-09")}).tally.expected_units(),
            (std::vector<std::string>{"north", "south", "xa-a", "xa-b", "xa-c"}));
}

}  // namespace
}  // namespace tonghop
