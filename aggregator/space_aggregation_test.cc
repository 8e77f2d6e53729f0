#include "aggregator/space_aggregation.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

Decimal D(const char* text) {
  Decimal d;
  EXPECT_OK(Decimal::Parse(text, &d));
  return d;
}

Indicator Of(SpaceAggregation rule) {
  Indicator indicator;
  indicator.id = "x";
  indicator.space_agg = rule;
  return indicator;
}

const std::vector<std::string> kExpected = {"capital", "north", "south"};

// Unit values "north", "south" and "capital" as given, complete unless said otherwise, and a unit
// the catalog does not expect.
UnitValues Values() {
  return {{"bank", {D("1000"), true}},
          {"capital", {D("1"), true, true}},
          {"north", {D("10.5"), false}},
          {"south", {D("2"), true}}};
}

TEST(SpaceAggregationTest, EachRuleOverTheExpectedUnitsOnly) {
  EXPECT_EQ(AggregateUnits(Of(SpaceAggregation::kSum), kExpected, Values(), nullptr).value, D("13.5"));
  EXPECT_EQ(AggregateUnits(Of(SpaceAggregation::kMax), kExpected, Values(), nullptr).value, D("10.5"));
  EXPECT_EQ(AggregateUnits(Of(SpaceAggregation::kMin), kExpected, Values(), nullptr).value, D("1"));
  EXPECT_EQ(AggregateUnits(Of(SpaceAggregation::kAverage), kExpected, Values(), nullptr).value, D("4.5"));
  const ProvinceValue sum = AggregateUnits(Of(SpaceAggregation::kSum), kExpected, Values(), nullptr);
  EXPECT_TRUE(sum.any);
  EXPECT_EQ(sum.contributing, 3u);
  EXPECT_EQ(sum.reported, 2u) << "north is not complete";
  EXPECT_TRUE(sum.direct) << "north and south reported the period itself";
}

TEST(SpaceAggregationTest, AMeanIsExactAndRoundedOnceHalfToEven) {
  UnitValues values = {{"capital", {D("1"), true}}, {"north", {D("1"), true}}, {"south", {D("0.000002"), true}}};
  // (2.000002) / 3 = 0.666667333...
  EXPECT_EQ(AggregateUnits(Of(SpaceAggregation::kAverage), kExpected, values, nullptr).value.ToString(), "0.666667");
}

TEST(SpaceAggregationTest, AWeightedMeanLeavesOutAUnitWithoutItsWeight) {
  UnitValues wages = {{"capital", {D("100"), true}}, {"north", {D("4"), true}}, {"south", {D("10"), true}}};
  UnitValues workers = {{"north", {D("100"), true}}, {"south", {D("300"), false}}};
  const ProvinceValue mean = AggregateUnits(Of(SpaceAggregation::kWeightedAverage), kExpected, wages, &workers);
  EXPECT_EQ(mean.value, D("8.5"));  // (4 × 100 + 10 × 300) / 400
  EXPECT_EQ(mean.contributing, 2u);
  EXPECT_EQ(mean.reported, 1u) << "south's weight is incomplete";
}

TEST(SpaceAggregationTest, NoExpectedUnitNoValue) {
  UnitValues values = {{"bank", {D("5"), true}}};
  const ProvinceValue none = AggregateUnits(Of(SpaceAggregation::kSum), kExpected, values, nullptr);
  EXPECT_FALSE(none.any);
  EXPECT_EQ(none.value, Decimal());
}

}  // namespace
}  // namespace tonghop
