#include "cli/vietnamese_format.h"

#include <gtest/gtest.h>

namespace tonghop::cli {
namespace {

Decimal D(const char* text) {
  Decimal d;
  EXPECT_TRUE(Decimal::Parse(text, &d).ok()) << text;
  return d;
}

TEST(VietnameseFormatTest, ThousandsWithDotsAndDecimalsWithCommas) {
  EXPECT_EQ(FormatNumberVi(D("23134"), 3), "23.134");
  EXPECT_EQ(FormatNumberVi(D("4325.9"), 3), "4.325,9");
  EXPECT_EQ(FormatNumberVi(D("22.58"), 2), "22,58");
  EXPECT_EQ(FormatNumberVi(D("791300"), 3), "791.300");
  EXPECT_EQ(FormatNumberVi(D("1027"), 3), "1.027");
  EXPECT_EQ(FormatNumberVi(D("408.93"), 3), "408,93");
  EXPECT_EQ(FormatNumberVi(D("35.000001"), 2), "35");
  EXPECT_EQ(FormatNumberVi(D("-2.600004"), 2), "-2,6");
  EXPECT_EQ(FormatNumberVi(D("-0.001"), 2), "0");
  EXPECT_EQ(FormatNumberVi(D("1234567.5"), 1), "1.234.567,5");
  EXPECT_EQ(FormatNumberVi(D("123456789012345.123456"), 3), "123.456.789.012.345,123");
  EXPECT_EQ(FormatNumberVi(D("2.345"), 2), "2,34");  // half to even
}

TEST(VietnameseFormatTest, PercentagesHaveOneDecimalAsTheReferenceWritesThem) {
  EXPECT_EQ(FormatPercentVi(D("22.58")), "22,6%");
  EXPECT_EQ(FormatPercentVi(D("35")), "35%");
  EXPECT_EQ(FormatPercentVi(D("0.41")), "0,4%");
  EXPECT_EQ(FormatPercentVi(D("-2.6")), "-2,6%");
  EXPECT_EQ(FormatPercentVi(D("-0.04")), "0%");
  EXPECT_EQ(ChangePhraseVi(D("0.04"), false), "tương đương");
  EXPECT_EQ(ChangePhraseVi(D("8.66"), false), "tăng 8,7%");
}

TEST(VietnameseFormatTest, ChangePhrasesOfTheReport) {
  EXPECT_EQ(ChangePhraseVi(D("9.9"), true), "tăng 9,9% so với cùng kỳ");
  EXPECT_EQ(ChangePhraseVi(D("-2.600001"), false), "giảm 2,6%");
  EXPECT_EQ(ChangePhraseVi(D("0.001"), true), "tương đương so với cùng kỳ");
}

TEST(VietnameseFormatTest, LowerFirstLetterOfVietnameseNames) {
  EXPECT_EQ(LowerFirstLetter("Lúa xuân"), "lúa xuân");
  EXPECT_EQ(LowerFirstLetter("Đàn bò"), "đàn bò");
  EXPECT_EQ(LowerFirstLetter("Ưu tiên"), "ưu tiên");
  EXPECT_EQ(LowerFirstLetter("Ấp"), "ấp");
  EXPECT_EQ(LowerFirstLetter("vốn ODA"), "vốn ODA");
  EXPECT_EQ(LowerFirstLetter(""), "");
}

}  // namespace
}  // namespace tonghop::cli
