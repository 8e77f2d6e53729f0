// WebApi on the Lạng Sơn catalog and a LiveFeed, without sockets.
#include "core/clock.h"
#include "web/web_api.h"

#include <fstream>
#include <future>
#include <mutex>
#include <regex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/status_matchers.h"
#include "core/transport.h"

namespace tonghop::web {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kToken = "0123456789abcdef0123456789abcdef";

tonghop::v1::AggregateUpdate Version(uint64_t seq, const std::string& indicator, const std::string& period, double value) {
  tonghop::v1::AggregateUpdate update;
  update.set_seq(seq);
  update.set_indicator(indicator);
  update.set_period(period);
  update.set_value(value);
  update.set_unit("ha");
  update.set_pct_of_plan(22.58);
  update.set_units_reported(11);
  update.set_units_expected(11);
  return update;
}

class WebApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog_));
    std::string chart_problem;
    ASSERT_OK(AssetStore::Load("", "/nonexistent/chart.min.js", &assets_, &chart_problem));
    EXPECT_NE(chart_problem, "");
    AggregateTable table;
    table.Apply(Version(1, "agri.sown_area.total", "2017-Q1", 23134));
    table.Apply(Version(2, "agri.sown_area.rice_spring", "2017-Q1", 5180));
    table.Apply(Version(3, "agri.sown_area.total", "2016-Q1", 23134));
    feed_.Reset(7, 3, table);
    api_ = std::make_unique<WebApi>(&catalog_, &assets_, &feed_, queries_.get());
  }

  HttpResponse Get(const std::string& target, const std::string& authorization = "", const std::string& cookie = "",
                   const std::string& method = "GET") {
    HttpRequest request;
    request.method = method;
    Status parsed = ParseTarget(target, &request.path, &request.query);
    EXPECT_TRUE(parsed.ok()) << parsed.ToString();
    request.authorization = authorization;
    request.cookie = cookie;
    std::promise<HttpResponse> answer;
    api_->Handle(request, [&answer](HttpResponse response) { answer.set_value(std::move(response)); });
    std::future<HttpResponse> future = answer.get_future();
    EXPECT_EQ(future.wait_for(std::chrono::seconds(30)), std::future_status::ready);
    return future.get();
  }
  // The error message of a JSON error answer, checked to be one.
  static std::string ErrorOf(const HttpResponse& response) {
    EXPECT_EQ(response.content_type, "application/json");
    nlohmann::json body = nlohmann::json::parse(response.body);
    EXPECT_EQ(body["error"]["status"], response.status);
    return body["error"]["message"];
  }

  Catalog catalog_;
  AssetStore assets_;
  LiveFeed feed_{1 << 20, &catalog_};
  std::unique_ptr<QueryWorker> queries_;
  std::unique_ptr<WebApi> api_;
};

TEST_F(WebApiTest, AggregatesComeFromTheFeedSelectedByIndicatorAndPeriod) {
  HttpResponse all = Get("/api/v1/aggregates");
  ASSERT_EQ(all.status, 200) << all.body;
  nlohmann::json body = nlohmann::json::parse(all.body);
  EXPECT_EQ(body["seq"], 3);
  EXPECT_EQ(body["aggregates"].size(), 3u);
  body = nlohmann::json::parse(Get("/api/v1/aggregates?period=2017-Q1&indicator=agri.").body);
  ASSERT_EQ(body["aggregates"].size(), 2u);
  body = nlohmann::json::parse(Get("/api/v1/aggregates?indicator=agri.sown_area.total").body);
  ASSERT_EQ(body["aggregates"].size(), 2u);
  EXPECT_EQ(body["aggregates"][0]["value"], 23134.0);
  EXPECT_EQ(body["aggregates"][0]["pct_of_plan"], 22.58);
  HttpResponse one = Get("/api/v1/aggregates/agri.sown_area.rice_spring/2017-Q1");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(nlohmann::json::parse(one.body)["value"], 5180.0);
}

// The page said the warnings in Vietnamese with a second copy of the sentences, in JavaScript; the
// node now sends the sentences of cli/warning_text.h beside the English texts.
TEST_F(WebApiTest, AVersionSaysItsWarningsAndWhyItIsPartialInVietnamese) {
  tonghop::v1::AggregateUpdate total = Version(4, "agri.sown_area.total", "2017-Q2", 2000);
  auto* parts = total.add_warnings();
  parts->set_rule("parts_sum");
  parts->set_text("the parts add up to 2100.5, above the total 2000 (<= in the catalog)");
  parts->set_parts_sum_decimal("2100.5");
  total.set_partial(true);
  total.set_partial_reason("cao-loc: 9 of 10 units");
  auto* cao_loc = total.add_partial_units();
  cao_loc->set_unit("cao-loc");
  cao_loc->set_units_reported(9);
  cao_loc->set_units_expected(10);
  AggregateTable table;
  table.Apply(total);
  feed_.Reset(7, 4, table);

  HttpResponse one = Get("/api/v1/aggregates/agri.sown_area.total/2017-Q2");
  ASSERT_EQ(one.status, 200) << one.body;
  const nlohmann::json version = nlohmann::json::parse(one.body);
  ASSERT_EQ(version["warnings"].size(), 1u) << one.body;
  EXPECT_EQ(version["warnings"][0]["text"], parts->text());
  EXPECT_EQ(version["warnings"][0]["parts_sum"], 2100.5);
  EXPECT_EQ(version["warnings"][0]["text_vi"], "các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha");
  EXPECT_EQ(version["partial_reason"], "cao-loc: 9 of 10 units");
  EXPECT_EQ(version["partial_text_vi"], "Cao Lộc: 9/10 đơn vị cấp dưới đã báo cáo");
}

TEST_F(WebApiTest, BadRequestsGetAJsonErrorSayingWhatIsWrong) {
  struct Case {
    std::string target;
    int status;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"/api/v1/aggregates?period=2017-Q5", 400, "period"},
      {"/api/v1/aggregates?indicator=agri.nothing", 404, "no indicator 'agri.nothing'"},
      {"/api/v1/aggregates?colour=red", 400, "unknown parameter 'colour'"},
      {"/api/v1/aggregates/agri.sown_area.total/2017-Q2", 404, "no value of agri.sown_area.total for 2017-Q2"},
      {"/api/v1/aggregates/agri.nothing/2017-Q1", 404, "no indicator"},
      {"/api/v1/aggregates/agri.sown_area.total/2017-13", 400, "period"},
      {"/api/v1/aggregates/agri.sown_area.total/2017-Q1/colours", 404, "no such API endpoint"},
      {"/api/v1/aggregates/trade.cpi_change/2026-Q1/groups", 400,
       "trade.cpi_change is not summed over units (space_aggregation none): its groups have no sum"},
      {"/api/v1/aggregates/agri.herd.pigs/2026-Q1/groups?groups=1", 400, "unknown parameter 'groups'"},
      {"/api/v1/completeness", 400, "'period' is required"},
      {"/api/v1/report?period=2017-Q1&format=pdf", 400, "use html or md"},
      {"/api/v1/nothing", 404, "no such API endpoint"},
      {"/api/v2/aggregates", 404, "no such API endpoint"},
      {"/nothing.html", 404, "nothing at /nothing.html"},
      {"/api/v1/catalog?x=1", 400, "takes none"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.target);
    HttpResponse response = Get(c.target);
    EXPECT_EQ(response.status, c.status) << response.body;
    EXPECT_NE(ErrorOf(response).find(c.expected), std::string::npos) << response.body;
  }
  HttpResponse post = Get("/api/v1/aggregates", "", "", "POST");
  EXPECT_EQ(post.status, 405);
  EXPECT_NE(ErrorOf(post).find("only reads"), std::string::npos);
}

TEST_F(WebApiTest, WithoutALinkToTheAggregatorItsQuestionsGet503) {
  HttpResponse response = Get("/api/v1/aggregates/agri.sown_area.total/2017-Q1/units");
  EXPECT_EQ(response.status, 503);
  EXPECT_NE(ErrorOf(response).find("no link to the aggregator"), std::string::npos);
}

TEST_F(WebApiTest, AnAggregatorThatDoesNotAnswerGets504SayingWhatToCheck) {
  cli::AggregatorLink link;
  link.endpoints = {"tcp://127.0.0.1:1"};
  link.timeout_ms = 300;
  link.security.plaintext_for_development = true;
  queries_ = std::make_unique<QueryWorker>(link, 4);
  api_ = std::make_unique<WebApi>(&catalog_, &assets_, &feed_, queries_.get());
  HttpResponse response = Get("/api/v1/completeness?period=2017-Q1");
  EXPECT_EQ(response.status, 504);
  EXPECT_NE(ErrorOf(response).find("tcp://127.0.0.1:1"), std::string::npos) << response.body;
}

TEST_F(WebApiTest, QuestionsBeyondTheWaitingBoundGet503AndTheRestAnAnswer) {
  cli::AggregatorLink link;
  link.endpoints = {"tcp://127.0.0.1:1"};  // never answers: each question takes the whole timeout
  link.timeout_ms = 1'000;
  link.security.plaintext_for_development = true;
  queries_ = std::make_unique<QueryWorker>(link, 1);
  api_ = std::make_unique<WebApi>(&catalog_, &assets_, &feed_, queries_.get());
  HttpRequest request;
  request.method = "GET";
  ASSERT_OK(ParseTarget("/api/v1/completeness?period=2017-Q1", &request.path, &request.query));
  std::mutex mutex;
  std::vector<HttpResponse> answers;
  for (int i = 0; i < 5; ++i) {
    api_->Handle(request, [&](HttpResponse response) {
      std::lock_guard lock(mutex);
      answers.push_back(std::move(response));
    });
  }
  // One asked, one waiting, three refused at once; then the two time out.
  const int64_t deadline = MonotonicMs() + 30'000;
  while (MonotonicMs() < deadline) {
    std::lock_guard lock(mutex);
    if (answers.size() == 5) break;
  }
  std::lock_guard lock(mutex);
  ASSERT_EQ(answers.size(), 5u);
  int busy = 0, silent = 0;
  for (const auto& answer : answers) {
    busy += answer.status == 503;
    silent += answer.status == 504;
    if (answer.status == 503) {
      EXPECT_NE(ErrorOf(answer).find("--max_waiting_queries"), std::string::npos);
    }
  }
  EXPECT_GE(busy, 3);
  EXPECT_EQ(busy + silent, 5);
}

TEST_F(WebApiTest, TheCatalogTitlesSectorsAsTheReportDoes) {
  nlohmann::json catalog = nlohmann::json::parse(Get("/api/v1/catalog").body);
  EXPECT_EQ(catalog["indicators"].size(), catalog_.indicators().size());
  EXPECT_EQ(catalog["indicators"][0]["id"], "agri.sown_area.total");
  EXPECT_EQ(catalog["indicators"][0]["unit"], "ha");
  // Its parts are a partial list: the page says they "exceed" the total, not that they differ.
  EXPECT_EQ(catalog["indicators"][0]["parts_rule"], "<=");
  EXPECT_EQ(catalog["sectors"][0]["code"], "agriculture");
  EXPECT_EQ(catalog["sectors"][0]["title"], "Sản xuất nông nghiệp");
  EXPECT_EQ(catalog["units"].size(), catalog_.units().size());
}

TEST_F(WebApiTest, TheReportIsTheCliReportOfTheFeedsValues) {
  HttpResponse md = Get("/api/v1/report?period=2017-Q1&format=md");
  ASSERT_EQ(md.status, 200) << md.body;
  EXPECT_EQ(md.content_type, "text/markdown; charset=utf-8");
  EXPECT_NE(md.body.find("23.134 ha"), std::string::npos) << md.body;
  HttpResponse html = Get("/api/v1/report?period=2017-Q1");
  EXPECT_EQ(html.content_type, "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("<h2>II. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN quý I năm 2017</h2>"), std::string::npos);
  bool attachment = false;
  for (const auto& [name, value] : html.headers) attachment |= name == "Content-Disposition" && value.find("bao-cao-2017-Q1.html") != std::string::npos;
  EXPECT_TRUE(attachment);
}

TEST_F(WebApiTest, WithTokensTheApiNeedsOneAndThePageDoesNot) {
  auto tokens = std::make_shared<AccessTokens>();
  ASSERT_OK(AccessTokens::Parse("tokens.csv", "name,token\ndesk," + kToken + "\n", tokens.get()));
  api_->SetAccessTokens(tokens);
  HttpResponse none = Get("/api/v1/status");
  EXPECT_EQ(none.status, 401);
  EXPECT_NE(ErrorOf(none).find("Authorization: Bearer"), std::string::npos);
  EXPECT_EQ(Get("/api/v1/status", "Bearer not-the-token-not-the-token-0000").status, 401);
  EXPECT_EQ(Get("/api/v1/status", "Bearer " + kToken).status, 200);
  EXPECT_EQ(Get("/api/v1/status", "", "theme=dark; tonghop_token=" + kToken).status, 200);
  EXPECT_EQ(Get("/api/v1/status", "", "tonghop_token_old=" + kToken).status, 401);
  EXPECT_EQ(Get("/").status, 200) << "the page holds no figures, and asks for the token";
  std::string filter;
  std::optional<uint64_t> last_event_id;
  HttpRequest stream;
  stream.method = "GET";
  stream.path = std::string(WebApi::kStreamPath);
  ASSERT_TRUE(api_->OpenStream(stream, &filter, &last_event_id).has_value());
  EXPECT_EQ(api_->OpenStream(stream, &filter, &last_event_id)->status, 401);
  stream.authorization = "Bearer " + kToken;
  EXPECT_FALSE(api_->OpenStream(stream, &filter, &last_event_id).has_value());
  api_->SetAccessTokens(nullptr);
  EXPECT_EQ(Get("/api/v1/status").status, 200);
}

TEST_F(WebApiTest, AStreamTakesAFeedFilterAndALastEventId) {
  auto open = [&](const std::string& target, const std::string& header_id, std::string* filter,
                  std::optional<uint64_t>* id) {
    HttpRequest request;
    request.method = "GET";
    EXPECT_OK(ParseTarget(target, &request.path, &request.query));
    request.last_event_id = header_id;
    return api_->OpenStream(request, filter, id);
  };
  std::string filter;
  std::optional<uint64_t> id;
  EXPECT_FALSE(open("/api/v1/stream?filter=p/2017", "42", &filter, &id).has_value());
  EXPECT_EQ(filter, "p/2017");
  EXPECT_EQ(id, 42u);
  EXPECT_FALSE(open("/api/v1/stream?last_event_id=7", "", &filter, &id).has_value());
  EXPECT_EQ(filter, "");
  EXPECT_EQ(id, 7u);
  EXPECT_FALSE(open("/api/v1/stream", "", &filter, &id).has_value());
  EXPECT_EQ(id, std::nullopt);
  auto bad = open("/api/v1/stream?filter=agri.", "", &filter, &id);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(ErrorOf(*bad).find("filter 'agri.'"), std::string::npos);
  bad = open("/api/v1/stream", "12x", &filter, &id);
  ASSERT_TRUE(bad.has_value());
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(ErrorOf(*bad).find("Last-Event-ID"), std::string::npos);
  bad = open("/api/v1/stream?since=3", "", &filter, &id);
  ASSERT_TRUE(bad.has_value());
  EXPECT_NE(ErrorOf(*bad).find("unknown parameter 'since'"), std::string::npos);
}

// docs/openapi.yaml is the contract: every path it documents is one the node answers.
TEST_F(WebApiTest, EveryPathOfTheOpenApiFileIsServed) {
  std::ifstream file(std::string(TONGHOP_SOURCE_DIR) + "/docs/openapi.yaml");
  ASSERT_TRUE(file.good());
  const std::regex kPath(R"(^  (/api/v1/[^:]*):\s*$)");
  std::string line;
  int paths = 0;
  while (std::getline(file, line)) {
    std::smatch match;
    if (!std::regex_match(line, match, kPath)) continue;
    ++paths;
    std::string target = std::regex_replace(match[1].str(), std::regex("\\{indicator\\}"), "agri.sown_area.total");
    target = std::regex_replace(target, std::regex("\\{period\\}"), "2017-Q1");
    SCOPED_TRACE(target);
    if (target == WebApi::kStreamPath) {
      HttpRequest request;
      request.method = "GET";
      request.path = target;
      std::string filter;
      std::optional<uint64_t> id;
      EXPECT_FALSE(api_->OpenStream(request, &filter, &id).has_value());
      continue;
    }
    if (target == "/api/v1/completeness" || target == "/api/v1/report") target += "?period=2017-Q1";
    const HttpResponse response = Get(target);
    EXPECT_EQ(response.body.find("no such API endpoint"), std::string::npos) << response.body;
  }
  EXPECT_EQ(paths, 10);
}

TEST_F(WebApiTest, ThePageIsServedFromTheBinaryAndRevalidated) {
  HttpResponse page = Get("/");
  ASSERT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(Get("/index.html").body, page.body);
  EXPECT_EQ(Get("/vendor/chart.min.js").status, 404) << "no chart.js given";
}

TEST_F(WebApiTest, ThePageTakesItsOwnAddressesParameters) {
  const std::string page = Get("/").body;
  for (const char* address : {"/?wall", "/?lang=en", "/?lang=en&wall", "/?wall=1"}) {
    HttpResponse response = Get(address);
    EXPECT_EQ(response.status, 200) << address << ": " << response.body;
    EXPECT_TRUE(response.body == page) << address << " is not the page";
  }
  HttpResponse unknown = Get("/?colour=red");
  EXPECT_EQ(unknown.status, 400);
  EXPECT_NE(unknown.body.find("unknown parameter 'colour': / takes lang, wall"), std::string::npos) << unknown.body;
}

}  // namespace
}  // namespace tonghop::web
