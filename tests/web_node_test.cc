// tonghop-web as a process beside the real aggregator, publisher and collectors: the reference
// values through the API, a stream that misses a thousand versions and resumes, hostile requests,
// access tokens reloaded on SIGHUP, and a clean stop.
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "core/clock.h"
#include "core/testing/status_matchers.h"
#include "core/transport.h"
#include "tests/reference_quarter.h"
#include "core/testing/http_client.h"
#include "web/testing/sse_client.h"

namespace tonghop {
namespace {

using testing::kLangSon;
using testing::HttpExchange;
using testing::HttpGet;
using testing::HttpResponse;
using web::testing::SseClient;
using web::testing::SseEvent;

const std::string kToken = "a-token-for-the-statistics-desk-0001";
const std::string kOtherToken = "a-token-for-the-province-portal-0002";

class WebNodeTest : public testing::ReferenceQuarterTest {
 protected:
  // The web node's status, or null when it does not answer.
  nlohmann::json WebStatus(const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    HttpResponse result;
    if (!HttpGet(province_.web_port(), "/api/v1/status", &result, headers).ok() || result.status != 200) return nullptr;
    return nlohmann::json::parse(result.body);
  }
  // Drops `csv` into the unit's folder and waits until every figure of it is acked.
  void DropAndWait(const std::string& unit, const std::string& name, const std::string& csv) {
    ASSERT_OK(province_.DropText(unit, name, csv));
    const int64_t deadline = MonotonicMs() + 60'000;
    while (!(std::filesystem::exists(province_.DropDir(unit) + "/done/" + name) &&
             province_.CollectorStatus(unit)["pending"] == "0")) {
      ASSERT_LT(MonotonicMs(), deadline) << name << " not sent:\n" << province_.LogTail("collector-" + unit);
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  // Waits until the web node is live and holds what the aggregator holds (its seq).
  void WaitUntilWebHoldsTheAggregatorsState() {
    nlohmann::json aggregator;
    const int64_t deadline = MonotonicMs() + 60'000;
    while (MonotonicMs() < deadline) {
      ASSERT_OK(province_.WatchAggregatorOnce(&aggregator));
      nlohmann::json status = WebStatus();
      if (!status.is_null() && status["state"] == "live" && status["seq"] == aggregator["seq"]) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    FAIL() << "the web node did not catch up with the aggregator at seq " << aggregator["seq"] << ": " << WebStatus()
           << "\n" << province_.LogTail("web");
  }
  // A drop file of every figure `unit` reports monthly, for each month of 2017, each `offset` more
  // than its month's number.
  std::string MonthlyFigures(const std::string& unit, int offset) {
    Catalog catalog;
    EXPECT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
    std::string csv = "indicator,period,value\n";
    for (const Indicator& indicator : catalog.indicators()) {
      if (!catalog.Expects(indicator, unit, Period::OfYear(2017)) || !(indicator.period_types & PeriodTypeBit(Period::Type::kMonth))) continue;
      for (int month = 1; month <= 12; ++month) {
        csv += fmt::format("{},2017-{:02},{}\n", indicator.id, month, month + offset);
      }
    }
    return csv;
  }
};

TEST_F(WebNodeTest, TheReferenceValuesThroughTheApi) {
  StartProvince();
  ASSERT_OK(province_.StartWeb());
  DropScenario();
  WaitForCompleteQuarter(60'000);
  WaitUntilWebHoldsTheAggregatorsState();
  HttpResponse result;
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates?period=2017-Q1", &result));
  ASSERT_EQ(result.status, 200) << result.body;
  ExpectReferenceFigures(nlohmann::json::parse(result.body));
  // Each unit's figure comes from the aggregator's query link, and adds up to the total.
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates/agri.sown_area.total/2017-Q1/units", &result));
  ASSERT_EQ(result.status, 200) << result.body;
  const nlohmann::json units = nlohmann::json::parse(result.body);
  double sum = 0;
  for (const auto& unit : units["units"]) sum += unit["value"].get<double>();
  EXPECT_EQ(units["units"].size(), 11u);
  EXPECT_EQ(sum, 23134);
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates/agri.sown_area.total/2017-Q1/history", &result));
  EXPECT_EQ(nlohmann::json::parse(result.body)["revisions"].size(), 11u) << result.body;
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/completeness?period=2017-Q1", &result));
  EXPECT_EQ(result.status, 200) << result.body;
}

// Issue 16: the comparable groups of a period, from the aggregator's query link, as exact decimals:
// the 2026 communes and wards of Lạng Sơn city, Cao Lộc and Văn Quan against those three districts
// in 2025 (docs/DATA-MODEL.md, "Units that change").
TEST_F(WebNodeTest, TheComparableGroupsOfAPeriodThroughTheApi) {
  ASSERT_OK(province_.StartAggregator());
  for (const char* unit : {"cao-loc", "lang-son-city", "xa-cao-loc"}) ASSERT_OK(province_.StartCollector(unit));
  DropAndWait("cao-loc", "2025.csv", "indicator,period,value\nagri.herd.pigs,2025-Q1,40.1\n");
  DropAndWait("lang-son-city", "2025.csv", "indicator,period,value\nagri.herd.pigs,2025-Q1,0.2\n");
  DropAndWait("xa-cao-loc", "2026.csv", "indicator,period,value\nagri.herd.pigs,2026-Q1,50.5\n");
  ASSERT_OK(province_.StartWeb({"--query_timeout_ms", "60000"}));
  HttpResponse result;
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates/agri.herd.pigs/2026-Q1/groups", &result));
  ASSERT_EQ(result.status, 200) << result.body << province_.LogTail("web");
  // 40.1 + 0.2 is 40.3, not the double sum 40.300000000000004.
  EXPECT_NE(result.body.find("\"value\":50.5,"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("\"previous_value\":40.3,"), std::string::npos) << result.body;
  EXPECT_NE(result.body.find("\"change_pct\":25.310174,"), std::string::npos) << result.body;
  const nlohmann::json answer = nlohmann::json::parse(result.body);
  EXPECT_EQ(answer["indicator"], "agri.herd.pigs");
  EXPECT_EQ(answer["period"], "2026-Q1");
  const nlohmann::json& groups = answer["groups"];
  ASSERT_EQ(groups.size(), 9u) << result.body;
  EXPECT_EQ(groups[0]["indicator"], "agri.herd.pigs") << result.body;
  EXPECT_EQ(groups[0]["period"], "2026-Q1") << result.body;
  EXPECT_EQ(groups[0]["units_before"], nlohmann::json({"cao-loc", "lang-son-city", "van-quan"})) << result.body;
  EXPECT_EQ(groups[0]["units_after"].size(), 14u) << result.body;
  EXPECT_EQ(groups[0]["units_reported"], 1) << result.body;
  EXPECT_EQ(groups[0]["units_expected"], 14) << result.body;
  EXPECT_EQ(groups[0]["previous_period"], "2025-Q1") << result.body;
  EXPECT_EQ(groups[0]["previous_units_reported"], 2) << result.body;
  EXPECT_EQ(groups[0]["previous_units_expected"], 3) << result.body;
  EXPECT_EQ(groups[0]["partial"], true) << result.body;
  EXPECT_EQ(groups[1]["units_before"], nlohmann::json({"bac-son"})) << result.body;
  EXPECT_EQ(groups[1]["value"], nullptr) << result.body;
  EXPECT_EQ(groups[1]["previous_value"], nullptr) << result.body;
  EXPECT_EQ(groups[1]["change_pct"], nullptr) << result.body;
  // The by-unit answer stays as it was: no groups unless asked for.
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates/agri.herd.pigs/2026-Q1/units", &result));
  ASSERT_EQ(result.status, 200) << result.body;
  EXPECT_FALSE(nlohmann::json::parse(result.body).contains("groups")) << result.body;
}

// Issue 15: a web node given a pair of aggregators, the first of them down, answers what it asks
// the query link from the other, and keeps answering, none of it at the cost of the timeout.
TEST_F(WebNodeTest, AskingAPairWhoseFirstIsDownAnswersFromTheOther) {
  // A is this province's aggregator, never started; B, of another, holds cao-loc's figure.
  testing::MiniProvince b(dir_.Sub("b"), kLangSon);
  ASSERT_OK(b.StartAggregator());
  ASSERT_OK(b.StartCollector("cao-loc"));
  ASSERT_OK(b.DropText("cao-loc", "a.csv", "indicator,period,value\nagri.sown_area.total,2017-Q1,2310.5\n"));
  for (int64_t deadline = MonotonicMs() + 60'000;;) {
    auto status = b.CollectorStatus("cao-loc");
    if (status["next_seq"] == "2" && status["pending"] == "0") break;
    ASSERT_LT(MonotonicMs(), deadline) << b.LogTail("collector-cao-loc");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  // The node is told A first (MiniProvince's own), then B.
  ASSERT_OK(province_.StartWeb({"--aggregator_query_endpoint", b.QueryEndpoint(), "--query_timeout_ms", "60000"}));
  for (int question = 0; question < 5; ++question) {
    SCOPED_TRACE(question);
    HttpResponse result;
    const int64_t start = MonotonicMs();
    ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/aggregates/agri.sown_area.total/2017-Q1/units", &result));
    EXPECT_LT(MonotonicMs() - start, 10'000) << "ms: A refuses connections; it must not cost the 60 s timeout";
    ASSERT_EQ(result.status, 200) << result.body << province_.LogTail("web");
    std::map<std::string, double> values;
    const nlohmann::json answer = nlohmann::json::parse(result.body);
    for (const auto& unit : answer["units"]) {
      if (!unit["value"].is_null()) values[unit["reporting_unit"]] = unit["value"];
    }
    EXPECT_EQ(values, (std::map<std::string, double>{{"cao-loc", 2310.5}})) << result.body;
  }
}

TEST_F(WebNodeTest, AStreamThatMissesAThousandVersionsResumesWithTheAggregatorsState) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("cao-loc"));
  ASSERT_OK(province_.StartWeb());
  DropAndWait("cao-loc", "first.csv", MonthlyFigures("cao-loc", 0));
  WaitUntilWebHoldsTheAggregatorsState();

  // (indicator, period) -> the aggregate as the client holds it (the highest seq wins, as for
  // every Clone subscriber), and its seq.
  std::map<std::pair<std::string, std::string>, nlohmann::json> held;
  uint64_t last_id = 0;
  auto take = [&](const SseEvent& event) {
    auto put = [&](nlohmann::json a) {
      std::pair<std::string, std::string> key{a["indicator"], a["period"]};
      auto it = held.find(key);
      if (it == held.end() || it->second["seq"] < a["seq"]) held[key] = std::move(a);
    };
    if (event.event == "snapshot") {
      held.clear();
      const nlohmann::json snapshot = nlohmann::json::parse(event.data);
      for (const auto& a : snapshot["aggregates"]) put(a);
    } else if (event.event == "version") {
      put(nlohmann::json::parse(event.data));
    }
    if (!event.id.empty()) last_id = std::stoull(event.id);
  };
  SseClient client;
  HttpResponse head;
  ASSERT_OK(client.Open(province_.web_port(), "/api/v1/stream", std::nullopt, &head));
  SseEvent event;
  do {
    ASSERT_OK(client.Next(&event, 10'000));
    take(event);
  } while (event.event != "snapshot");
  client.Close();

  // Away while the aggregator issues a thousand versions and more.
  nlohmann::json aggregator;
  for (int round = 1; round <= 10; ++round) {
    DropAndWait("cao-loc", fmt::format("round-{}.csv", round), MonthlyFigures("cao-loc", round * 10));
    WaitUntilWebHoldsTheAggregatorsState();
    ASSERT_OK(province_.WatchAggregatorOnce(&aggregator));
    if (aggregator["seq"].get<uint64_t>() >= last_id + 1'000) break;
  }
  const uint64_t target = aggregator["seq"];
  ASSERT_GE(target, last_id + 1'000);

  // What the client holds, as `tonghop watch --json` prints it (without the stream's own fields).
  auto as_watched = [&](const std::pair<std::string, std::string>& key) {
    nlohmann::json a = held.at(key);
    for (const char* own : {"seq", "prev_seq", "updated_at_ms"}) a.erase(own);
    return a;
  };
  auto exact = [&] {
    if (held.size() != aggregator["aggregates"].size()) return false;
    for (const auto& a : aggregator["aggregates"]) {
      std::pair<std::string, std::string> key{a["indicator"], a["period"]};
      if (!held.count(key) || as_watched(key) != a) return false;
    }
    return true;
  };
  ASSERT_OK(client.Open(province_.web_port(), "/api/v1/stream", last_id, &head));
  size_t versions = 0;
  const int64_t deadline = MonotonicMs() + 30'000;
  while (!exact()) {
    ASSERT_LT(MonotonicMs(), deadline) << "the client did not end with the aggregator's state";
    ASSERT_OK(client.Next(&event, 10'000));
    ASSERT_NE(event.event, "snapshot") << "the node still holds what this client missed: it must replay it";
    versions += event.event == "version";
    take(event);
  }
  EXPECT_GE(versions, 1'000u) << "it missed a thousand versions and more";
}

TEST_F(WebNodeTest, BadRequestsGetJsonErrorsAndNothingCrashes) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartWeb({"--max_connections", "16", "--request_timeout_ms", "1000"}));
  const int port = province_.web_port();
  struct Case {
    std::string request;
    int status;
  };
  const std::string host = "Host: x\r\n";
  const std::vector<Case> cases = {
      {"GET /api/v1/aggregates?period=2017-Q9 HTTP/1.1\r\n" + host + "\r\n", 400},
      {"GET /api/v1/aggregates?indicator=nope HTTP/1.1\r\n" + host + "\r\n", 404},
      {"GET /api/v1/aggregates/agri.sown_area.total/2017-Q9/units HTTP/1.1\r\n" + host + "\r\n", 400},
      {"GET /api/v1/aggregates/../../etc/passwd HTTP/1.1\r\n" + host + "\r\n", 404},
      {"GET /assets/../../etc/passwd HTTP/1.1\r\n" + host + "\r\n", 404},
      {"GET /api/v1/completeness?period=%C0%AF HTTP/1.1\r\n" + host + "\r\n", 400},
      {"GET /api/v1/stream?filter=zzz HTTP/1.1\r\n" + host + "\r\n", 400},
      {"GET /api/v1/stream HTTP/1.1\r\n" + host + "Last-Event-ID: 99999999999999999999999\r\n\r\n", 400},
      {"GET /" + std::string(5'000, 'a') + " HTTP/1.1\r\n" + host + "\r\n", 414},
      {"GET / HTTP/1.1\r\n" + host + "Cookie: " + std::string(20'000, 'c') + "\r\n\r\n", 431},
      {"PUT /api/v1/aggregates HTTP/1.1\r\n" + host + "Content-Length: 3\r\n\r\nabc", 413},
      {"GET / HTTP/1.1\r\n" + host + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 413},
      {std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", 400},
      {"\r\n\r\n", 400},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.request.substr(0, 80));
    HttpResponse result;
    ASSERT_OK(HttpExchange(port, c.request, &result));
    EXPECT_EQ(result.status, c.status) << result.body;
    const nlohmann::json body = nlohmann::json::parse(result.body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error")) << "not a JSON error: " << result.body;
    EXPECT_EQ(body["error"]["status"], c.status);
    EXPECT_FALSE(body["error"]["message"].get<std::string>().empty());
  }
  // More connections than the node takes, each sending half a request and then nothing.
  std::vector<int> idle;
  for (int i = 0; i < 40; ++i) {
    const int fd = testing::ConnectLoopback(port);
    ASSERT_GE(fd, 0);
    const std::string half = "GET /api/v1/status HTTP/1.1\r\nHost: x\r\nX-Slow: ";
    (void)send(fd, half.data(), half.size(), MSG_NOSIGNAL);
    idle.push_back(fd);
  }
  HttpResponse refused;
  ASSERT_OK(HttpGet(port, "/api/v1/status", &refused));
  EXPECT_EQ(refused.status, 503) << refused.body;
  // The node closes them after --request_timeout_ms, and serves again.
  const int64_t deadline = MonotonicMs() + 20'000;
  while (WebStatus().is_null() && MonotonicMs() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  for (int fd : idle) close(fd);
  EXPECT_FALSE(WebStatus().is_null()) << province_.LogTail("web");
  EXPECT_TRUE(province_.IsRunning("web"));
  EXPECT_OK(province_.Terminate("web"));
}

TEST_F(WebNodeTest, AccessTokensAreRequiredAndReloadedOnSighup) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  const std::string tokens = dir_.Sub("tokens.csv");
  dir_.Write("tokens.csv", "name,token,comment\nstatistics desk," + kToken + ",\n");
  ASSERT_EQ(chmod(tokens.c_str(), 0600), 0);
  ASSERT_OK(province_.StartWeb({"--access_tokens_file", tokens}));
  HttpResponse result;
  ASSERT_OK(HttpGet(province_.web_port(), "/api/v1/status", &result));
  EXPECT_EQ(result.status, 401);
  EXPECT_EQ(result.headers["www-authenticate"], "Bearer realm=\"tonghop\"");
  EXPECT_FALSE(WebStatus({{"Authorization", "Bearer " + kToken}}).is_null());
  EXPECT_FALSE(WebStatus({{"Cookie", "tonghop_token=" + kToken}}).is_null());
  ASSERT_OK(HttpGet(province_.web_port(), "/", &result));
  EXPECT_EQ(result.status, 200) << "the page itself holds no figures";

  // The desk's token revoked, the portal's added; the node takes it on SIGHUP.
  dir_.Write("tokens.csv", "name,token\nportal," + kOtherToken + "\n");
  ASSERT_OK(province_.Reload("web"));
  const int64_t deadline = MonotonicMs() + 10'000;
  while (WebStatus({{"Authorization", "Bearer " + kOtherToken}}).is_null() && MonotonicMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_FALSE(WebStatus({{"Authorization", "Bearer " + kOtherToken}}).is_null()) << province_.LogTail("web");
  EXPECT_TRUE(WebStatus({{"Authorization", "Bearer " + kToken}}).is_null());

  // A broken file is not taken: the tokens in force stay.
  dir_.Write("tokens.csv", "name,token\nportal,short\n");
  ASSERT_OK(province_.Reload("web"));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  EXPECT_FALSE(WebStatus({{"Authorization", "Bearer " + kOtherToken}}).is_null());
  EXPECT_NE(province_.LogTail("web").find("not reloaded"), std::string::npos) << province_.LogTail("web");
}

// Its metrics (docs/OPERATIONS.md, "Metrics"): the link to the publisher, the open streams, and
// each bound an HTTP client hit.
TEST_F(WebNodeTest, ServesItsMetricsWithTheStreamsAndTheBoundsHit) {
  province_.set_metrics(true);
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartWeb({"--max_streams", "1"}));
  SseClient stream, refused;
  HttpResponse head;
  ASSERT_OK(stream.Open(province_.web_port(), "/api/v1/stream", std::nullopt, &head));
  ASSERT_EQ(head.status, 200);
  (void)refused.Open(province_.web_port(), "/api/v1/stream", std::nullopt, &head);
  ASSERT_EQ(head.status, 503);
  const std::vector<std::string> expected = {
      "tonghop_build_info{node=\"web\"",
      "\ntonghop_web_upstream_synced 1\n",
      "\ntonghop_web_open_streams 1\n",
      "\ntonghop_bound_hits_total{bound=\"max_streams\"} 1\n",
      "\ntonghop_bound_hits_total{bound=\"max_connections\"} 0\n",
      "\ntonghop_web_streams_cut_off_total 0\n",
  };
  std::string body;
  const int64_t deadline = MonotonicMs() + 15'000;  // the gauges are set every second
  auto all_there = [&] {
    for (const std::string& e : expected) {
      if (body.find(e) == std::string::npos) return false;
    }
    return true;
  };
  while (!all_there() && MonotonicMs() < deadline) {
    HttpResponse response;
    if (::tonghop::testing::HttpGet(province_.MetricsAddress("web"), "/metrics", 5'000, &response).ok()) {
      body = response.body;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const std::string& e : expected) EXPECT_NE(body.find(e), std::string::npos) << e << " not in:\n" << body;
}

TEST_F(WebNodeTest, StopsWithinASecondOfSigtermWithStreamsOpen) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartWeb());
  SseClient a, b;
  HttpResponse head;
  ASSERT_OK(a.Open(province_.web_port(), "/api/v1/stream", std::nullopt, &head));
  ASSERT_OK(b.Open(province_.web_port(), "/api/v1/stream?filter=i/agri.", std::nullopt, &head));
  const int64_t asked = MonotonicMs();
  EXPECT_OK(province_.Terminate("web"));
  EXPECT_LT(MonotonicMs() - asked, 1'000) << "ms from SIGTERM to a clean exit";
}

}  // namespace
}  // namespace tonghop
