#include "core/period.h"

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
  ASSERT_TRUE(Period::Parse("2017-Q1", &p).ok());
  EXPECT_EQ(p.SameSpanPreviousYear().ToString(), "2016-Q1");
  ASSERT_TRUE(Period::Parse("2017-03", &p).ok());
  EXPECT_EQ(p.SameSpanPreviousYear().ToString(), "2016-03");
}

}  // namespace
}  // namespace tonghop
