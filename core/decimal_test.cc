#include "core/decimal.h"
#include "core/testing/status_matchers.h"

#include <cmath>
#include <gtest/gtest.h>

namespace tonghop {
namespace {

TEST(DecimalTest, ParsesPlainDecimalsExactly) {
  Decimal d;
  ASSERT_OK(Decimal::Parse("23134", &d));
  EXPECT_EQ(d.micros(), 23134'000000);
  ASSERT_OK(Decimal::Parse("-17.28", &d));
  EXPECT_EQ(d.micros(), -17'280000);
  ASSERT_OK(Decimal::Parse("0.000001", &d));
  EXPECT_EQ(d.micros(), 1);
  ASSERT_OK(Decimal::Parse(".5", &d));
  EXPECT_EQ(d.micros(), 500000);
}

TEST(DecimalTest, RejectsWhatIsNotAPlainDecimalAndSaysWhy) {
  Decimal d;
  for (const char* bad : {"", "-", "1e5", "1,5", "1.2.3", "12 000", "0.0000001", "abc", "1000000000000.5"}) {
    Status s = Decimal::Parse(bad, &d);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad;
    EXPECT_NE(s.message().find(std::string("'") + bad + "'"), std::string::npos) << s.message();
  }
}

TEST(DecimalTest, SumsOfDecimalFiguresAreExact) {
  Decimal a, b, c;
  ASSERT_OK(Decimal::FromDouble(0.1, &a));
  ASSERT_OK(Decimal::FromDouble(0.2, &b));
  ASSERT_OK(Decimal::Parse("0.3", &c));
  EXPECT_EQ(a.micros() + b.micros(), c.micros());
}

TEST(DecimalTest, FromDoubleRejectsNonFiniteAndHugeValues) {
  Decimal d;
  EXPECT_TRUE(Decimal::FromDouble(std::nan(""), &d).IsInvalidArgument());
  EXPECT_TRUE(Decimal::FromDouble(INFINITY, &d).IsInvalidArgument());
  EXPECT_TRUE(Decimal::FromDouble(-2e12, &d).IsInvalidArgument());
  EXPECT_OK(Decimal::FromDouble(1e12, &d));
}

TEST(DecimalTest, ToStringIsShortestExactText) {
  EXPECT_EQ(Decimal::FromMicros(23134'000000).ToString(), "23134");
  EXPECT_EQ(Decimal::FromMicros(-17'280000).ToString(), "-17.28");
  EXPECT_EQ(Decimal::FromMicros(1).ToString(), "0.000001");
  EXPECT_EQ(Decimal::FromMicros(-500000).ToString(), "-0.5");
}

}  // namespace
}  // namespace tonghop
