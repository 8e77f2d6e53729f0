// Metrics as a real Prometheus sees them (docs/OPERATIONS.md, "Metrics" and "Alerts"): the local
// province of real processes, each node serving /metrics, and Debian's prometheus scraping them
// every second with the alerts that ship in the packages (deploy/prometheus/tonghop-alerts.yml,
// their waiting times shortened). Everything is checked through Prometheus's HTTP API, as an
// operator's dashboards and alerts would see it.
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/csv.h"
#include "core/testing/command_output.h"
#include "core/testing/http_client.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kScenario = kLangSon + "/scenarios/lang-son-2017-q1";
const std::string kAlerts = std::string(TONGHOP_SOURCE_DIR) + "/deploy/prometheus/tonghop-alerts.yml";
constexpr int kScenarioFigures = 619;

std::string ReadFile(const std::string& path) {
  std::string text;
  EXPECT_OK(ReadFileToString(path, &text));
  return text;
}

// Runs `command` with `input` on its standard input; its exit code, and what it printed in *out.
int RunWithInput(const std::string& command, const std::string& input, const std::string& scratch, std::string* out) {
  const std::string in_path = scratch + ".in";
  std::ofstream(in_path) << input;
  int status = 0;
  *out = testing::CommandOutput(command + " <'" + in_path + "' 2>&1", &status);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class MetricsTest : public ::testing::Test {
 protected:
  void SetUp() override { province_.set_metrics(true); }

  // The scenario's units, each with a collector.
  void StartProvince() {
    ASSERT_OK(province_.StartAggregator());
    ASSERT_OK(province_.StartPublisher());
    for (const auto& entry : std::filesystem::directory_iterator(kScenario)) units_.push_back(entry.path().filename());
    std::sort(units_.begin(), units_.end());
    for (const auto& unit : units_) ASSERT_OK(province_.StartCollector(unit));
  }

  // The shipped alerts, with every `for:` one second and the pending threshold 3 s, so that they
  // fire within a test.
  std::string ShortenedAlerts() {
    std::string rules = ReadFile(kAlerts);
    const std::regex wait("for: \\w+");
    const auto waits = std::distance(std::sregex_iterator(rules.begin(), rules.end(), wait), std::sregex_iterator());
    EXPECT_GE(waits, 5) << "the alerts' waiting times are not where this test shortens them";
    rules = std::regex_replace(rules, wait, "for: 1s");
    const std::string threshold = "tonghop_collector_outbox_oldest_pending_age_seconds > 15 * 60";
    EXPECT_NE(rules.find(threshold), std::string::npos) << "the pending alert's threshold is not where this test sets it";
    rules.replace(rules.find(threshold), threshold.size(), "tonghop_collector_outbox_oldest_pending_age_seconds > 3");
    return rules;
  }

  // Debian's prometheus scraping every node each second, its rules evaluated each second.
  void StartPrometheus() {
    std::string collectors;
    for (const auto& unit : units_) {
      collectors += (collectors.empty() ? "\"" : ", \"") + province_.MetricsAddress("collector-" + unit) + "\"";
    }
    dir_.Write("prometheus/alerts.yml", ShortenedAlerts());
    dir_.Write("prometheus/prometheus.yml", fmt::format(R"(global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files: ["{}"]
scrape_configs:
  - job_name: tonghop-aggregator
    static_configs: [{{targets: ["{}"]}}]
  - job_name: tonghop-publisher
    static_configs: [{{targets: ["{}"]}}]
  - job_name: tonghop-collector
    static_configs: [{{targets: [{}]}}]
)", dir_.Sub("prometheus/alerts.yml"), province_.MetricsAddress("aggregator"), province_.MetricsAddress("publisher"),
                                                        collectors));
    prometheus_ = fmt::format("127.0.0.1:{}", testing::FreeTcpPort());
    ASSERT_OK(province_.StartProgram(
        "prometheus",
        {"/usr/bin/prometheus", "--config.file=" + dir_.Sub("prometheus/prometheus.yml"),
         "--storage.tsdb.path=" + dir_.Sub("prometheus/data"), "--web.listen-address=" + prometheus_},
        "Server is ready to receive web requests"));
  }

  // The result vector of an instant query; empty (with the error added) when the query fails.
  nlohmann::json Query(const std::string& expression) {
    testing::HttpResponse response;
    Status s = testing::HttpGet(prometheus_, "/api/v1/query?query=" + testing::UrlEncode(expression), 10'000, &response);
    if (!s.ok() || response.status != 200) {
      ADD_FAILURE() << expression << ": " << s.ToString() << " " << response.status << " " << response.body;
      return nlohmann::json::array();
    }
    return nlohmann::json::parse(response.body)["data"]["result"];
  }

  // The value of a query that yields one series; NaN when it yields none.
  double Value(const std::string& expression) {
    nlohmann::json result = Query(expression);
    return result.size() == 1 ? std::stod(result[0]["value"][1].get<std::string>()) : std::nan("");
  }

  // Polls until `done` holds, for at most timeout_ms; false with what was last seen otherwise.
  ::testing::AssertionResult Eventually(const std::function<bool(std::string*)>& done, int timeout_ms) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    std::string seen;
    while (MonotonicMs() < deadline) {
      if (done(&seen)) return ::testing::AssertionSuccess();
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
    }
    return ::testing::AssertionFailure() << "not within " << timeout_ms << " ms; last seen: " << seen;
  }

  // The alerts firing now, as alertname/unit-or-instance.
  std::vector<std::string> FiringAlerts() {
    std::vector<std::string> firing;
    for (const auto& alert : Query("ALERTS{alertstate=\"firing\"}")) {
      const auto& labels = alert["metric"];
      firing.push_back(labels["alertname"].get<std::string>() + "/" +
                       labels.value("unit", labels.value("instance", std::string())));
    }
    return firing;
  }

  // The targets whose last scrape failed, each with Prometheus's reason; "" when none.
  std::string TargetsNotUp() {
    testing::HttpResponse response;
    Status s = testing::HttpGet(prometheus_, "/api/v1/targets?state=active", 10'000, &response);
    if (!s.ok() || response.status != 200) return "targets: " + s.ToString() + " " + response.body;
    const nlohmann::json targets = nlohmann::json::parse(response.body);
    std::string down;
    for (const auto& target : targets["data"]["activeTargets"]) {
      if (target["health"] == "up") continue;
      down += fmt::format("{} at {}: {} ({}); ", target["labels"]["job"].get<std::string>(),
                          target["scrapeUrl"].get<std::string>(), target["health"].get<std::string>(),
                          target["lastError"].get<std::string>());
    }
    return down;
  }

  // What Prometheus says of its rules, for a failure's message.
  std::string RulesState() {
    testing::HttpResponse response;
    Status s = testing::HttpGet(prometheus_, "/api/v1/rules", 10'000, &response);
    return "Prometheus's rules: " + (s.ok() ? response.body.substr(0, 4000) : s.ToString()) + "\n" +
           province_.LogTail("prometheus");
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kLangSon};
  std::vector<std::string> units_;
  std::string prometheus_;
};

TEST_F(MetricsTest, PrometheusSeesTheQuarterStoredACollectorDownAndAUnitsFiguresPending) {
  StartProvince();
  StartPrometheus();
  for (const auto& unit : units_) {
    for (const auto& file : std::filesystem::directory_iterator(kScenario + "/" + unit)) {
      ASSERT_OK(province_.Drop(unit, file.path()));
    }
  }

  // The ingest counters add up: every figure read was stored once and none refused,
  // and the collectors hold none.
  EXPECT_TRUE(Eventually([&](std::string* seen) {
    const double stored = Value("sum(tonghop_aggregator_updates_stored_total)");
    *seen = fmt::format("{} stored", stored);
    return stored == kScenarioFigures;
  }, 60'000)) << province_.LogTail("aggregator");
  // A collector resends what stayed unanswered for its ack timeout (a slow machine, ASan), so the
  // aggregator may receive a figure twice: the second copy is counted as a duplicate, never stored.
  EXPECT_EQ(Value("sum(tonghop_aggregator_updates_received_total) - sum(tonghop_aggregator_updates_duplicate_total)"),
            kScenarioFigures);
  EXPECT_EQ(Value("sum(tonghop_aggregator_updates_refused_total)"), 0);
  EXPECT_EQ(Value("count(tonghop_aggregator_unit_last_figure_timestamp_seconds > 0)"), units_.size());
  EXPECT_TRUE(Eventually([&](std::string* seen) {
    const double pending = Value("sum(tonghop_collector_outbox_pending)");
    const double acked = Value("sum(tonghop_collector_updates_acked_total)");
    *seen = fmt::format("{} pending, {} acked", pending, acked);
    return pending == 0 && acked == kScenarioFigures;
  }, 30'000));
  // Every node is scraped. One scrape may miss its 1 s timeout while the machine is busy (CI runs
  // two tests at once, and did miss one), so all up at once within a few scrapes.
  EXPECT_TRUE(Eventually([&](std::string* seen) {
    *seen = TargetsNotUp();
    return Value("count(up == 1)") == units_.size() + 2;
  }, 15'000));

  // A killed collector shows as down.
  const std::string killed = "collector-" + units_.front();
  ASSERT_OK(province_.Kill(killed));
  const std::string down = fmt::format("up{{job=\"tonghop-collector\",instance=\"{}\"}}", province_.MetricsAddress(killed));
  EXPECT_TRUE(Eventually([&](std::string* seen) {
    const double up = Value(down);
    *seen = fmt::format("{} = {}", down, up);
    return up == 0;
  }, 20'000));

  // With the aggregator hung, a unit's new figure waits in its collector's outbox, and the alert
  // for figures pending too long fires for that unit.
  const std::string waiting = units_.back();
  ASSERT_OK(province_.Pause("aggregator"));
  std::string out, err;
  ASSERT_EQ(province_.RunCli({"submit", "--collector", province_.CollectorApiEndpoint(waiting), "--indicator",
                              "agri.sown_area.total", "--period", "2017-Q2", "--value", "5", "--no-wait"}, &out, &err), 0)
      << out << err;
  EXPECT_TRUE(Eventually([&](std::string* seen) {
    std::vector<std::string> firing = FiringAlerts();
    *seen = fmt::format("firing: {}", fmt::join(firing, ", "));
    return std::find(firing.begin(), firing.end(), "TonghopCollectorFiguresPending/" + waiting) != firing.end();
  }, 30'000)) << RulesState();
  EXPECT_GE(Value(fmt::format("tonghop_collector_outbox_pending{{unit=\"{}\"}}", waiting)), 1);
  ASSERT_OK(province_.Resume("aggregator"));
}

// promtool's lint of the text format (names, units, help, types) on what each node really serves.
TEST_F(MetricsTest, EveryNodesMetricsPassPromtool) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("cao-loc"));
  ASSERT_OK(province_.StartWeb());
  std::string out, err;
  ASSERT_EQ(province_.RunCli({"submit", "--collector", province_.CollectorApiEndpoint("cao-loc"), "--indicator",
                              "agri.sown_area.total", "--period", "2017-Q1", "--value", "5"}, &out, &err), 0)
      << out << err;
  ASSERT_OK(province_.WaitForWatch([](const nlohmann::json& state) { return !state["aggregates"].empty(); }, 30'000));
  for (const char* node : {"aggregator", "publisher", "collector-cao-loc", "web"}) {
    SCOPED_TRACE(node);
    testing::HttpResponse response;
    ASSERT_OK(testing::HttpGet(province_.MetricsAddress(node), "/metrics", 10'000, &response));
    ASSERT_EQ(response.status, 200);
    EXPECT_NE(response.body.find("tonghop_build_info{node=\""), std::string::npos);
    std::string lint;
    EXPECT_EQ(RunWithInput("promtool check metrics", response.body, dir_.Sub(node), &lint), 0) << lint;
    EXPECT_EQ(lint, "");
  }
}

}  // namespace
}  // namespace tonghop
