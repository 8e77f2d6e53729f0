#include "collector/figure_check.h"
#include "core/testing/status_matchers.h"

#include <cmath>
#include <gtest/gtest.h>

namespace tonghop {
namespace {

tonghop::v1::IndicatorUpdate Figure(const std::string& unit, const std::string& indicator,
                                    const std::string& period, double value) {
  tonghop::v1::IndicatorUpdate u;
  u.set_reporting_unit(unit);
  u.set_indicator(indicator);
  u.set_period(period);
  u.set_value(value);
  return u;
}

std::vector<std::string> Fields(const std::vector<FieldError>& errors) {
  std::vector<std::string> fields;
  for (const auto& e : errors) fields.push_back(e.field);
  return fields;
}

TEST(FigureCheckTest, GoodFigureGetsTheOwnUnit) {
  auto figure = Figure("", "agri.sown_area.total", "2017-Q1", 926);
  EXPECT_TRUE(CheckFigure("bac-son", Language::kEnglish, &figure).empty());
  EXPECT_EQ(figure.reporting_unit(), "bac-son");
  figure = Figure("bac-son", "agri.sown_area.total", "2017-03", -0.5);
  EXPECT_TRUE(CheckFigure("bac-son", Language::kEnglish, &figure).empty());
}

TEST(FigureCheckTest, EveryBadFieldIsNamed) {
  auto figure = Figure("cao-loc", "", "2017-Q5", std::nan(""));
  auto errors = CheckFigure("bac-son", Language::kEnglish, &figure);
  EXPECT_EQ(Fields(errors), (std::vector<std::string>{"indicator", "period", "value", "reporting_unit"}));
  EXPECT_NE(errors[3].why.find("cao-loc"), std::string::npos);
  figure = Figure("", "x", "2017", 2e12);
  EXPECT_EQ(Fields(CheckFigure("bac-son", Language::kEnglish, &figure)), (std::vector<std::string>{"value"}));
}

TEST(FigureCheckTest, ObservedAtForms) {
  int64_t ms = 0;
  ASSERT_OK(ParseObservedAt("2017-03-31T10:00:00Z", &ms));
  EXPECT_EQ(ms, 1490954400000);
  ASSERT_OK(ParseObservedAt("2017-03-31T17:00:00+07:00", &ms));
  EXPECT_EQ(ms, 1490954400000);
  ASSERT_OK(ParseObservedAt("2017-03-31 17:00", &ms));  // Vietnam time without a zone
  EXPECT_EQ(ms, 1490954400000);
  ASSERT_OK(ParseObservedAt("2017-03-31T17:00:00.250", &ms));
  EXPECT_EQ(ms, 1490954400250);
  ASSERT_OK(ParseObservedAt("2017-04-01", &ms));
  EXPECT_EQ(ms, 1491004800000 - 7 * 3600 * 1000);
  for (const char* bad : {"2017-02-30", "31/03/2017", "2017-03-31T25:00", "2017-03-31T10:00+7", "2017-3-1",
                          "2017-03-31Tx", "2017-03-31T10:00:00.Z"}) {
    Status s = ParseObservedAt(bad, &ms);
    EXPECT_FALSE(s.ok()) << bad;
    EXPECT_NE(s.message().find(bad), std::string::npos) << s.message();
  }
}

}  // namespace
}  // namespace tonghop
