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
  for (const char* bad : {"", "-", ".", "1e5", "1,5", "1.2.3", "12 000", "0.0000001", "abc", "1000000000000000000",
                          "-1000000000000000000.5"}) {
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
  EXPECT_TRUE(Decimal::FromDouble(-1e18, &d).IsInvalidArgument());
  EXPECT_OK(Decimal::FromDouble(1e12, &d));
  EXPECT_OK(Decimal::FromDouble(9.9e17, &d));
}

// A budget in đồng has 13 digits and more; the docs always allowed 1e12 itself.
TEST(DecimalTest, FiguresOfEighteenDigitsWithSixDecimalsAreExact) {
  Decimal d;
  ASSERT_OK(Decimal::Parse("1000000000000", &d));
  EXPECT_EQ(d.ToString(), "1000000000000");
  ASSERT_OK(Decimal::Parse("123456789012345.123456", &d));
  EXPECT_EQ(d.ToString(), "123456789012345.123456");
  ASSERT_OK(Decimal::Parse("-999999999999999999.999999", &d));
  EXPECT_EQ(d.ToString(), "-999999999999999999.999999");
  ASSERT_OK(Decimal::Parse("000000000000000000000001.5", &d));  // leading zeros are no digits
  EXPECT_EQ(d.ToString(), "1.5");
  Status s = Decimal::Parse("1234567890123456789", &d);
  EXPECT_NE(s.message().find("more than 18 digits before the decimal point"), std::string::npos) << s.ToString();
  // A total may be larger than any figure.
  ASSERT_OK(Decimal::Parse("12345678901234567890123456789012.5", &d, Decimal::kMaxDigits));
  EXPECT_EQ(d.ToString(), "12345678901234567890123456789012.5");
}

TEST(DecimalTest, FromDoubleReadsTheDecimalTheDoubleStandsFor) {
  Decimal d;
  ASSERT_OK(Decimal::FromDouble(17.28, &d));
  EXPECT_EQ(d.micros(), 17'280000);
  ASSERT_OK(Decimal::FromDouble(-0.1, &d));
  EXPECT_EQ(d.micros(), -100000);
  ASSERT_OK(Decimal::FromDouble(0.0000025, &d));  // a tie: half to even
  EXPECT_EQ(d.micros(), 2);
  ASSERT_OK(Decimal::FromDouble(0.0000035, &d));
  EXPECT_EQ(d.micros(), 4);
  ASSERT_OK(Decimal::FromDouble(1e-300, &d));
  EXPECT_EQ(d.micros(), 0);
}

TEST(DecimalTest, ToDoubleIsTheNearestDouble) {
  Decimal d;
  ASSERT_OK(Decimal::Parse("17.28", &d));
  EXPECT_EQ(d.ToDouble(), 17.28);
  ASSERT_OK(Decimal::Parse("123456789012345.123456", &d));
  EXPECT_EQ(d.ToDouble(), 123456789012345.123456);
  ASSERT_OK(Decimal::Parse("0.3", &d));
  EXPECT_EQ(d.ToDouble(), 0.3);
}

TEST(DecimalTest, QuotientsAreExactAndRoundedHalfToEven) {
  auto decimal = [](const char* text) {
    Decimal d;
    EXPECT_OK(Decimal::Parse(text, &d));
    return d;
  };
  // 23,134 ha against a plan of 102,453.5 ha.
  EXPECT_EQ(Decimal::Ratio(decimal("23134"), decimal("102453.5"), 100)->ToString(), "22.58");
  // 5,180 against 5,318.275154 a year before: -2.6%, six decimals, no float noise.
  EXPECT_EQ(Decimal::Ratio(decimal("5180") - decimal("5318.275154"), decimal("5318.275154"), 100)->ToString(),
            "-2.6");
  EXPECT_EQ(Decimal::Ratio(decimal("1"), decimal("3"), 1)->ToString(), "0.333333");
  EXPECT_EQ(Decimal::Ratio(decimal("0.000005"), decimal("2"), 1)->micros(), 2);  // 2.5 micro: to even
  EXPECT_EQ(Decimal::Ratio(decimal("0.000007"), decimal("2"), 1)->micros(), 4);  // 3.5 micro: to even
  EXPECT_EQ(Decimal::Ratio(decimal("-0.000007"), decimal("2"), 1)->micros(), -4);
  EXPECT_FALSE(Decimal::Ratio(decimal("1"), Decimal(), 100));
  // Figures of eighteen digits: the product would overflow 128 bits, the quotient does not.
  EXPECT_EQ(Decimal::Ratio(decimal("999999999999999999"), decimal("0.5"), 100)->ToString(), "199999999999999999800");
  EXPECT_EQ(Decimal::Mean(decimal("10"), 4)->ToString(), "2.5");
  EXPECT_EQ(Decimal::Mean(decimal("0.000001"), 2)->micros(), 0);
  EXPECT_FALSE(Decimal::Mean(decimal("1"), 0));
  EXPECT_EQ(Decimal::WeightedMean({{decimal("10"), decimal("1")}, {decimal("20"), decimal("3")}})->ToString(), "17.5");
  EXPECT_EQ(Decimal::WeightedMean({{decimal("999999999999999999.999999"), decimal("999999999999999999.999999")},
                                   {decimal("1"), decimal("999999999999999999.999999")}})
                ->ToString(),
            "500000000000000000.5");
  EXPECT_FALSE(Decimal::WeightedMean({{decimal("10"), Decimal()}}));
  EXPECT_EQ(decimal("2.345").Rounded(2).ToString(), "2.34");
  EXPECT_EQ(decimal("2.355").Rounded(2).ToString(), "2.36");
  EXPECT_EQ(decimal("-2.5").Rounded(0).ToString(), "-2");
}

TEST(DecimalTest, ToStringIsShortestExactText) {
  EXPECT_EQ(Decimal::FromMicros(23134'000000).ToString(), "23134");
  EXPECT_EQ(Decimal::FromMicros(-17'280000).ToString(), "-17.28");
  EXPECT_EQ(Decimal::FromMicros(1).ToString(), "0.000001");
  EXPECT_EQ(Decimal::FromMicros(-500000).ToString(), "-0.5");
  EXPECT_EQ(Decimal::FromMicros(static_cast<__int128>(INT64_MAX) * 1000).ToString(), "9223372036854775.807");
}

}  // namespace
}  // namespace tonghop
