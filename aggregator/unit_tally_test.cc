#include "aggregator/unit_tally.h"

#include <algorithm>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "aggregator/aggregate_warnings.h"

namespace tonghop {
namespace {

Indicator WithUnits(SpaceAggregation space_agg) {
  Indicator indicator;
  indicator.id = "area.total";
  indicator.space_agg = space_agg;
  return indicator;
}

const std::vector<std::string> kExpected = {"capital", "north", "south"};

// The expected units whose reported figure is outside the indicator's range, by a walk over them.
std::set<std::string> OutsideRangeByWalk(const Indicator& indicator, const std::vector<std::string>& expected,
                                         const UnitValues& values) {
  std::set<std::string> out;
  for (const std::string& unit : expected) {
    auto it = values.find(unit);
    if (it != values.end() && OutsideRange(indicator, it->second)) out.insert(unit);
  }
  return out;
}

void ExpectSame(const ProvinceValue& tallied, const ProvinceValue& walked) {
  EXPECT_EQ(tallied.any, walked.any);
  EXPECT_EQ(tallied.value.ToString(), walked.value.ToString());
  EXPECT_EQ(tallied.reported, walked.reported);
  EXPECT_EQ(tallied.contributing, walked.contributing);
  EXPECT_EQ(tallied.direct, walked.direct);
}

TEST(UnitTallyTest, OnlyExpectedUnitsStandBehindAValue) {
  const Indicator indicator = WithUnits(SpaceAggregation::kSum);
  UnitTally tally(indicator, kExpected);
  const UnitValue north{Decimal::FromUnits(1), true};
  const UnitValue south{Decimal::FromUnits(2), false};
  const UnitValue bank{Decimal::FromUnits(3), true};
  tally.Replace("north", nullptr, &north);
  tally.Replace("south", nullptr, &south);
  tally.Replace("bank", nullptr, &bank);
  EXPECT_EQ(tally.units_complete(), 1u);
  EXPECT_EQ(tally.units_with_values(), 2u);
  EXPECT_EQ(tally.Value().value.ToString(), "3");
}

// The tally replaces the walk over every unit on each update (issue 10's benchmark: 1,000 communes
// under each total). After thousands of replacements and removals across many units it must still
// equal the walk exactly, for every space rule: a tally that drifts fails here.
TEST(UnitTallyTest, EqualsTheWalkOverEveryUnitAfterManyReplacements) {
  std::mt19937 random(20261130);
  for (SpaceAggregation space_agg : {SpaceAggregation::kSum, SpaceAggregation::kMin, SpaceAggregation::kMax,
                                     SpaceAggregation::kAverage, SpaceAggregation::kNone}) {
    Indicator indicator;
    indicator.space_agg = space_agg;
    indicator.min = Decimal::FromMicros(-900'000);
    indicator.max = Decimal::FromMicros(900'000);
    // Units u0..u299 are expected (sorted as the catalog sorts them); u300..u399 are not.
    std::vector<std::string> units;
    for (int i = 0; i < 400; ++i) units.push_back("u" + std::to_string(i));
    std::vector<std::string> expected(units.begin(), units.begin() + 300);
    std::sort(expected.begin(), expected.end());
    UnitTally tally(indicator, expected);
    UnitValues values;
    for (int step = 0; step < 20'000; ++step) {
      const std::string& unit = units[random() % units.size()];
      auto it = values.find(unit);
      const UnitValue* before = it == values.end() ? nullptr : &it->second;
      if (random() % 5 == 0) {  // a removal
        tally.Replace(unit, before, nullptr);
        if (before != nullptr) values.erase(it);
      } else {
        // Six decimals, either sign, often equal to another unit's value (min and max keep duplicates).
        const UnitValue after{Decimal::FromMicros(static_cast<int64_t>(random() % 2'000'001) - 1'000'000),
                              random() % 2 == 0, random() % 3 == 0};
        tally.Replace(unit, before, &after);
        values.insert_or_assign(unit, after);
      }
      if (step % 97 == 0) {
        ExpectSame(tally.Value(), AggregateUnits(indicator, expected, values, nullptr));
        EXPECT_EQ(tally.outside_range(), OutsideRangeByWalk(indicator, expected, values));
      }
    }
    ExpectSame(tally.Value(), AggregateUnits(indicator, expected, values, nullptr));
    EXPECT_EQ(tally.outside_range(), OutsideRangeByWalk(indicator, expected, values));
  }
}

}  // namespace
}  // namespace tonghop
