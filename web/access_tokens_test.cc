#include "web/access_tokens.h"

#include <sys/stat.h>

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop::web {
namespace {

const std::string kDesk = "0123456789abcdef0123456789abcdef";
const std::string kPortal = "portal-token_with.all~kinds-0123456789";

TEST(AccessTokensTest, FindsTheHolderOfEachListedTokenAndNothingElse) {
  AccessTokens tokens;
  ASSERT_OK(AccessTokens::Parse("tokens.csv", "name,token,comment\nstatistics desk," + kDesk + ",office\n# gone\nportal," +
                                                  kPortal + ",\n",
                                &tokens));
  EXPECT_EQ(tokens.size(), 2u);
  ASSERT_NE(tokens.Find(kDesk), nullptr);
  EXPECT_EQ(*tokens.Find(kDesk), "statistics desk");
  ASSERT_NE(tokens.Find(kPortal), nullptr);
  EXPECT_EQ(*tokens.Find(kPortal), "portal");
  EXPECT_EQ(tokens.Find(kDesk.substr(1)), nullptr);
  EXPECT_EQ(tokens.Find(kDesk + "0"), nullptr);
  EXPECT_EQ(tokens.Find(""), nullptr);
}

TEST(AccessTokensTest, EveryMistakeNamesTheLineAndFieldButNeverTheToken) {
  struct Case {
    std::string text, expected;
  };
  const std::vector<Case> cases = {
      {"name,token\ndesk,short\n", "tokens.csv:2: field 'token': must be 32 to 200 characters"},
      {"name,token\ndesk," + kDesk + "!\n", "tokens.csv:2: field 'token': may hold only"},
      {"name,token\n," + kDesk + "\n", "tokens.csv:2: field 'name'"},
      {"name,token\na," + kDesk + "\nb," + kDesk + "\n", "tokens.csv:3: field 'token': the same token is listed for 'a'"},
      {"name\ndesk\n", "token"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    AccessTokens tokens;
    Status s = AccessTokens::Parse("tokens.csv", c.text, &tokens);
    ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
    EXPECT_EQ(s.message().find(kDesk), std::string::npos) << "a token in a message: " << s.message();
  }
}

TEST(AccessTokensTest, AFileOthersCanReadIsRefused) {
  testing::TempDir dir;
  dir.Write("tokens.csv", "name,token\ndesk," + kDesk + "\n");
  const std::string path = dir.Sub("tokens.csv");
  ASSERT_EQ(chmod(path.c_str(), 0640), 0);
  AccessTokens tokens;
  Status s = AccessTokens::LoadFromFile(path, &tokens);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("chmod 600"), std::string::npos) << s.message();
  ASSERT_EQ(chmod(path.c_str(), 0600), 0);
  ASSERT_OK(AccessTokens::LoadFromFile(path, &tokens));
  EXPECT_EQ(tokens.size(), 1u);
  EXPECT_TRUE(AccessTokens::LoadFromFile(dir.Sub("missing.csv"), &tokens).IsNotFound());
}

}  // namespace
}  // namespace tonghop::web
