#include "aggregator/province_state.h"

#include <gtest/gtest.h>

namespace tonghop {
namespace {

class ProvinceStateTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog", &catalog_).ok());
    ASSERT_TRUE(Period::Parse("2017-Q1", &q1_).ok());
  }
  void Set(const char* indicator, const char* unit, const char* value) {
    Decimal d;
    ASSERT_TRUE(Decimal::Parse(value, &d).ok());
    state_.SetUnitValue(*catalog_.FindIndicator(indicator), q1_, unit, d);
  }
  std::vector<tonghop::v1::AggregateUpdate> Flush() { return state_.Flush(&seq_, 1234); }

  Catalog catalog_;
  ProvinceState state_{&catalog_};
  Period q1_;
  uint64_t seq_ = 0;
};

TEST_F(ProvinceStateTest, SumsUnitsExactlyWithPlanAndYearOnYear) {
  Set("agri.area.total", "north", "100.1");
  Set("agri.area.total", "south", "100.2");
  auto versions = Flush();
  ASSERT_EQ(versions.size(), 1u);
  const auto& v = versions[0];
  EXPECT_EQ(v.value(), 200.3);  // exact decimal sum, not 200.29999999999998
  EXPECT_EQ(v.unit(), "ha");
  EXPECT_DOUBLE_EQ(v.pct_of_plan(), 20.03);   // plan 1000
  EXPECT_DOUBLE_EQ(v.yoy_pct(), 0.15);        // baseline 200
  EXPECT_EQ(v.units_reported(), 2u);
  EXPECT_EQ(v.units_expected(), 3u);          // district|city
  EXPECT_EQ(v.seq(), 1u);
  EXPECT_EQ(v.prev_seq(), 0u);
  EXPECT_EQ(v.updated_at_ms(), 1234);
}

TEST_F(ProvinceStateTest, ACorrectionReplacesTheUnitsFigureNeverAddsToIt) {
  Set("agri.area.total", "north", "100");
  Set("agri.area.total", "south", "50");
  Flush();
  Set("agri.area.total", "north", "90");
  auto versions = Flush();
  ASSERT_EQ(versions.size(), 1u);
  EXPECT_EQ(versions[0].value(), 140);
  EXPECT_EQ(versions[0].units_reported(), 2u);
  EXPECT_EQ(versions[0].seq(), 2u);
  EXPECT_EQ(versions[0].prev_seq(), 1u);
}

TEST_F(ProvinceStateTest, OneVersionPerBatchAndNoneWhenNothingChanged) {
  Set("agri.area.total", "north", "1");
  Set("agri.area.total", "north", "2");
  Set("agri.area.total", "south", "3");
  Set("agri.area.rice", "south", "3");
  auto versions = Flush();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(seq_, 2u);
  Set("agri.area.total", "south", "3");  // resent, same value
  EXPECT_TRUE(Flush().empty());
  EXPECT_EQ(seq_, 2u);
}

TEST_F(ProvinceStateTest, MaxAndNoneAggregationsAndAbsentPercentages) {
  Set("credit.rate.max", "bank", "11.5");
  Set("credit.deposits", "bank", "100");
  Set("agri.herd.pigs", "north", "12.5");
  auto versions = Flush();
  ASSERT_EQ(versions.size(), 3u);
  std::map<std::string, tonghop::v1::AggregateUpdate> by_id;
  for (const auto& v : versions) by_id[v.indicator()] = v;
  EXPECT_EQ(by_id["credit.rate.max"].value(), 11.5);
  EXPECT_FALSE(by_id["credit.rate.max"].has_pct_of_plan());
  EXPECT_FALSE(by_id["credit.rate.max"].has_yoy_pct());
  EXPECT_EQ(by_id["credit.deposits"].value(), 100);
  EXPECT_DOUBLE_EQ(by_id["credit.deposits"].yoy_pct(), 25);  // baseline 80
  EXPECT_EQ(by_id["credit.deposits"].units_expected(), 1u);
  EXPECT_EQ(by_id["agri.herd.pigs"].units_reported(), 1u);
  EXPECT_EQ(by_id["agri.herd.pigs"].units_expected(), 2u);  // district only
}

TEST_F(ProvinceStateTest, RestoredVersionsKeepTheirSeqsAndRecomputeOnlyWhatChanged) {
  Set("agri.area.total", "north", "100");
  auto first = Flush();
  ProvinceState restored(&catalog_);
  restored.RestoreAggregate(first[0]);
  Decimal d;
  ASSERT_TRUE(Decimal::Parse("100", &d).ok());
  restored.SetUnitValue(*catalog_.FindIndicator("agri.area.total"), q1_, "north", d);
  uint64_t seq = seq_;
  EXPECT_TRUE(restored.Flush(&seq, 99).empty());
  EXPECT_EQ(restored.table().Find("agri.area.total", "2017-Q1")->seq(), 1u);
}

}  // namespace
}  // namespace tonghop
