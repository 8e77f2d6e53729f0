#include "web/http_message.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/status_matchers.h"

namespace tonghop::web {
namespace {

TEST(ParseTargetTest, DecodesThePathAndTheParameters) {
  std::string path;
  std::map<std::string, std::string> query;
  ASSERT_OK(ParseTarget("/api/v1/aggregates?indicator=agri.&period=2017-Q1&flag", &path, &query));
  EXPECT_EQ(path, "/api/v1/aggregates");
  EXPECT_EQ(query, (std::map<std::string, std::string>{{"indicator", "agri."}, {"period", "2017-Q1"}, {"flag", ""}}));
  ASSERT_OK(ParseTarget("/a%20b/%C4%90?filter=i%2Fagri.&x=a+b&&", &path, &query));
  EXPECT_EQ(path, "/a b/Đ");
  EXPECT_EQ(query, (std::map<std::string, std::string>{{"filter", "i/agri."}, {"x", "a b"}}));
}

TEST(ParseTargetTest, BadTargetsSayWhatIsWrong) {
  struct Case {
    std::string target, expected;
  };
  const std::vector<Case> cases = {
      {"/a%2", "two hexadecimal digits"},   {"/a%zz", "two hexadecimal digits"},
      {"/a%00b", "NUL"},                    {"/x?period=%FF", "parameter 'period': is not UTF-8"},
      {"/x?a=1&a=2", "'a' is given twice"}, {"x", "must start with '/'"},
      {"http://host/x", "must start with '/'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    std::string path;
    std::map<std::string, std::string> query;
    Status s = ParseTarget(c.target, &path, &query);
    ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
    EXPECT_NE(s.message().find(c.expected), std::string::npos) << s.message();
  }
}

TEST(HttpResponseTest, ErrorsAreJsonWithTheStatusAndAMessage) {
  HttpResponse response = HttpResponse::Error(404, "no such \"thing\"");
  EXPECT_EQ(response.status, 404);
  EXPECT_EQ(response.content_type, "application/json");
  nlohmann::json body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["error"]["status"], 404);
  EXPECT_EQ(body["error"]["message"], "no such \"thing\"");
}

}  // namespace
}  // namespace tonghop::web
