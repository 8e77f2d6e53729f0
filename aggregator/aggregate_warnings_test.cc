#include "aggregator/aggregate_warnings.h"

#include <gtest/gtest.h>

#include "aggregator/unit_tally.h"

#include "core/testing/status_matchers.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

const std::string kCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/statistics-catalog";

Decimal D(const char* text) {
  Decimal d;
  EXPECT_OK(Decimal::Parse(text, &d));
  return d;
}

class AggregateWarningsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kCatalog, &catalog_));
    ASSERT_OK(Period::Parse("2017-Q1", &q1_));
  }
  // The warnings of `indicator` with value `value` complete over its three units, whose parts are
  // worth `parts` each.
  tonghop::v1::AggregateUpdate Judge(const char* indicator, const char* value, const UnitValues& units,
                                     const char* parts = "0", std::optional<Decimal> yoy = std::nullopt) {
    const Indicator& of = *catalog_.FindIndicator(indicator);
    tonghop::v1::AggregateUpdate out;
    out.set_indicator(indicator);
    out.set_period("2017-Q1");
    SetYoyPct(yoy, &out);
    ProvinceValue province{true, D(value), 3, 3, true};
    UnitTally tally(of, catalog_.ExpectedUnits(of, q1_));
    for (const auto& [unit, value] : units) tally.Replace(unit, nullptr, &value);
    AddWarnings(catalog_, of, q1_, province, tally.outside_range(),
                [&](const Indicator& part) { return ProvinceValue{true, D(parts), 3, 3, true}; }, &out);
    return out;
  }
  Catalog catalog_;
  Period q1_;
};

TEST_F(AggregateWarningsTest, PartsThatDoNotAddUpToTheirTotal) {
  const auto broken = Judge("area.total", "300", {}, "148.5");
  ASSERT_EQ(broken.warnings_size(), 1);
  EXPECT_EQ(broken.warnings(0).text(), "the parts add up to 297, not equal to the total 300 (= in the catalog)");
  // The sum as a field, for the readers that say the sentence in Vietnamese.
  EXPECT_EQ(broken.warnings(0).parts_sum_decimal(), "297");
  EXPECT_EQ(Judge("area.total", "300", {}, "150", D("-69.6")).warnings(0).parts_sum_decimal(), "") << "not parts_sum";
  EXPECT_EQ(Judge("area.total", "300", {}, "150").warnings_size(), 0);
}

TEST_F(AggregateWarningsTest, AReportedFigureOutsideItsRangeButNotADerivedOne) {
  UnitValues units = {{"north", {D("501"), true, false}}, {"south", {D("900"), true, true}}};
  const auto out = Judge("area.rice", "1401", units);
  ASSERT_EQ(out.warnings_size(), 1);
  EXPECT_EQ(out.warnings(0).rule(), "min_max");
  ASSERT_EQ(out.warnings(0).units_size(), 1);
  EXPECT_EQ(out.warnings(0).units(0), "north");
}

TEST_F(AggregateWarningsTest, AChangeBeyondTheThresholdEitherWay) {
  const auto up = Judge("area.total", "300", {}, "150", D("50.000001"));
  ASSERT_EQ(up.warnings_size(), 1);
  EXPECT_EQ(up.warnings(0).text(), "changed by +50.0% against 2016-Q1, beyond the catalog's threshold of 50%");
  EXPECT_EQ(Judge("area.total", "300", {}, "150", D("-50")).warnings_size(), 0) << "at the threshold is not beyond it";
  EXPECT_EQ(Judge("area.total", "300", {}, "150", D("-69.6")).warnings(0).text(),
            "changed by -69.6% against 2016-Q1, beyond the catalog's threshold of 50%");
}

}  // namespace
}  // namespace tonghop
