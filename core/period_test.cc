#include "core/period.h"
#include "core/testing/status_matchers.h"

#include <gtest/gtest.h>

namespace tonghop {
namespace {

TEST(PeriodTest, ParsesEveryFormAndPrintsItBack) {
  for (const char* text : {"2017", "2017-H1", "2017-H2", "2017-Q1", "2017-Q4", "2017-01", "2017-12"}) {
    Period p;
    ASSERT_TRUE(Period::Parse(text, &p).ok()) << text;
    EXPECT_EQ(p.ToString(), text);
  }
}

TEST(PeriodTest, RejectsMalformedPeriodsNamingThem) {
  for (const char* text : {"", "17", "2017-Q5", "2017-Q0", "2017-13", "2017-00", "2017-H3", "2017Q1",
                           "2017-q1", "Q1-2017", "2017-1", "20x7"}) {
    Period p;
    Status s = Period::Parse(text, &p);
    EXPECT_TRUE(s.IsInvalidArgument()) << text;
    EXPECT_NE(s.message().find(text), std::string::npos);
  }
}

TEST(PeriodTest, SameSpanPreviousYear) {
  Period p;
  ASSERT_OK(Period::Parse("2017-Q1", &p));
  EXPECT_EQ(p.SameSpanPreviousYear().ToString(), "2016-Q1");
  ASSERT_OK(Period::Parse("2017-03", &p));
  EXPECT_EQ(p.SameSpanPreviousYear().ToString(), "2016-03");
}

std::vector<std::string> Names(const std::vector<Period>& periods) {
  std::vector<std::string> names;
  for (const auto& p : periods) names.push_back(p.ToString());
  return names;
}

Period P(const char* text) {
  Period p;
  EXPECT_TRUE(Period::Parse(text, &p).ok()) << text;
  return p;
}

TEST(PeriodTest, ParentsAndChildrenFormTheCalendarTree) {
  EXPECT_EQ(P("2017-02").Parent()->ToString(), "2017-Q1");
  EXPECT_EQ(P("2017-Q3").Parent()->ToString(), "2017-H2");
  EXPECT_EQ(P("2017-H1").Parent()->ToString(), "2017");
  EXPECT_FALSE(P("2017").Parent().has_value());
  EXPECT_EQ(Names(P("2017-Q1").Children()), (std::vector<std::string>{"2017-01", "2017-02", "2017-03"}));
  EXPECT_EQ(Names(P("2017-H2").Children()), (std::vector<std::string>{"2017-Q3", "2017-Q4"}));
  EXPECT_EQ(Names(P("2017").Children()), (std::vector<std::string>{"2017-H1", "2017-H2"}));
  EXPECT_TRUE(P("2017-12").Children().empty());
}

TEST(PeriodTest, YearToDateCoversJanuaryToTheEndOfThePeriod) {
  EXPECT_EQ(Names(P("2017-01").YearToDate()), (std::vector<std::string>{"2017-01"}));
  EXPECT_EQ(Names(P("2017-05").YearToDate()), (std::vector<std::string>{"2017-Q1", "2017-04", "2017-05"}));
  EXPECT_EQ(Names(P("2017-Q1").YearToDate()), (std::vector<std::string>{"2017-Q1"}));
  EXPECT_EQ(Names(P("2017-Q3").YearToDate()), (std::vector<std::string>{"2017-H1", "2017-Q3"}));
  EXPECT_EQ(Names(P("2017-H2").YearToDate()), (std::vector<std::string>{"2017"}));
  EXPECT_EQ(Names(P("2017-11").YearToDate()), (std::vector<std::string>{"2017-H1", "2017-Q3", "2017-10", "2017-11"}));
}

TEST(PeriodTest, EndIsTheFirstInstantAfterThePeriod) {
  EXPECT_EQ(P("2017-Q1").EndMs(), 1491004800000);  // 2017-04-01T00:00:00Z
  EXPECT_EQ(P("2016-02").EndMs(), 1456790400000);  // 2016-03-01, after a leap February
  EXPECT_EQ(P("2017").EndMs(), 1514764800000);     // 2018-01-01
  EXPECT_EQ(P("2017-Q1").first_month(), 1);
  EXPECT_EQ(P("2017-H2").first_month(), 7);
}

}  // namespace
}  // namespace tonghop
