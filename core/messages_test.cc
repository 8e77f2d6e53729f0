#include "core/messages.h"

#include <cstdlib>
#include <regex>
#include <set>

#include <gtest/gtest.h>

namespace tonghop {
namespace {

std::set<std::string> Fields(std::string_view pattern) {
  std::set<std::string> fields;
  static const std::regex field(R"(\{(\d+)(:[^}]*)?\})");
  std::string text(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), field); it != std::sregex_iterator(); ++it) {
    fields.insert((*it)[1]);
  }
  return fields;
}

TEST(MessagesTest, EveryMessageHasBothLanguagesWithTheSameFields) {
  for (int i = 0; i < static_cast<int>(Msg::kCount); ++i) {
    const Msg id = static_cast<Msg>(i);
    SCOPED_TRACE(i);
    const auto vi = MessagePattern(Language::kVietnamese, id);
    const auto en = MessagePattern(Language::kEnglish, id);
    EXPECT_FALSE(vi.empty());
    EXPECT_FALSE(en.empty());
    EXPECT_EQ(Fields(vi), Fields(en)) << vi << "\n" << en;
  }
}

TEST(MessagesTest, FieldsAreFilledInTheirPlaceInEachLanguage) {
  EXPECT_EQ(Text(Language::kEnglish, Msg::kSubmitAccepted, 12), "accepted as seq 12; it will be sent to the aggregator");
  EXPECT_EQ(Text(Language::kVietnamese, Msg::kSubmitAccepted, 12),
            "đã nhận, số thứ tự 12; số liệu sẽ được gửi lên máy chủ tổng hợp");
  EXPECT_TRUE(Text(Language::kVietnamese, Msg::kTextNotUtf8, 0xfa, 16)
                  .starts_with("không phải văn bản UTF-8 (byte 0xfa ở vị trí 16); hãy"));
}

TEST(MessagesTest, TheFlagWinsThenTheLocaleThenVietnamese) {
  ::setenv("LC_ALL", "", 1);
  ::setenv("LC_MESSAGES", "", 1);
  ::setenv("LANG", "en_US.UTF-8", 1);
  EXPECT_EQ(ChooseLanguage(""), Language::kEnglish);
  EXPECT_EQ(ChooseLanguage("vi"), Language::kVietnamese);
  ::setenv("LC_MESSAGES", "vi_VN.UTF-8", 1);
  EXPECT_EQ(ChooseLanguage(""), Language::kVietnamese);
  EXPECT_EQ(ChooseLanguage("en"), Language::kEnglish);
  ::setenv("LC_ALL", "C.UTF-8", 1);
  EXPECT_EQ(ChooseLanguage(""), Language::kVietnamese) << "a locale that is neither: Vietnamese";
  ::unsetenv("LC_ALL");
  ::unsetenv("LC_MESSAGES");
  ::unsetenv("LANG");
  EXPECT_EQ(ChooseLanguage(""), Language::kVietnamese);
  Language language;
  EXPECT_TRUE(ParseLanguage("fr", &language).IsInvalidArgument());
}

}  // namespace
}  // namespace tonghop
