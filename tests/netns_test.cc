// Network faults between collectors and the aggregator (issue 3, part 3), with the real processes:
//  - collectors in network namespaces of the test's own whose veth links are cut (`ip link set
//    down`) for seconds while they stream, then restored;
//  - collectors behind a TCP proxy of the test's own that adds delay, resets connections at random
//    and goes half-open.
// Either way every figure ends in the published totals, and the aggregator's audit log holds each
// one exactly once. The namespace test needs root; without it, it says why and is skipped.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <map>
#include <memory>
#include <thread>

#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"
#include "tests/network_namespace.h"
#include "tests/tcp_proxy.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::MiniProvince;
using testing::NetworkNamespace;
using testing::TcpProxy;

const std::string kCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";
// Indicators the catalog's districts report, summed across units.
const std::vector<std::string> kIndicators = {"agri.area.total", "agri.area.rice", "agri.herd.pigs"};
constexpr int kRowsPerFile = 80;
// Each file starts this many keys after the previous one, so that half its rows correct figures
// of the file before.
constexpr int kFileStride = 40;
// Longer than the collector's ZMTP heartbeat timeout (5 s): the cut outlives the TCP connection, so
// recovery needs a reconnect, not just TCP retransmitting.
constexpr int kCutMs = 7'000;

void Pause(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

class NetworkFaultTest : public ::testing::Test {
 protected:
  using Key = std::pair<std::string, std::string>;  // (indicator, period)

  static Key KeyAt(int i) {
    int quarter = i / static_cast<int>(kIndicators.size());
    return {kIndicators[i % kIndicators.size()], fmt::format("{}-Q{}", 2000 + quarter / 4, quarter % 4 + 1)};
  }

  // Writes the unit's drop file number `index` outside the drop folder, records its figures as
  // the unit's current ones, and returns its path.
  std::string WriteFile(const std::string& unit, int index) {
    std::string text = "indicator,period,value\n";
    const int salt = static_cast<int>(std::hash<std::string>{}(unit) % 997);
    for (int i = index * kFileStride; i < index * kFileStride + kRowsPerFile; ++i) {
      int64_t cents = (salt * 7919 + i * 104729 + index * 1299709) % 10'000'000;
      Key key = KeyAt(i);
      text += fmt::format("{},{},{}.{:02d}\n", key.first, key.second, cents / 100, cents % 100);
      expected_[key][unit] = cents * 10'000;
      ++figures_;
    }
    std::string name = fmt::format("files/{}-{:02d}.csv", unit, index);
    dir_.Write(name, text);
    return dir_.Sub(name);
  }

  void DropFile(const std::string& unit, int index) {
    Status s = province_.Drop(unit, WriteFile(unit, index));
    ASSERT_TRUE(s.ok()) << s.ToString();
  }

  // Polls every collector's status until `condition` holds for each, or timeout_ms passes.
  bool WaitForCollectors(const std::function<bool(std::map<std::string, std::string>&)>& condition,
                         int timeout_ms) {
    int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      bool all = true;
      for (const auto& unit : units_) {
        auto status = province_.CollectorStatus(unit);
        if (!condition(status)) all = false;
      }
      if (all) return true;
      Pause(100);
    }
    return false;
  }

  // How many of the expected totals the published state does not show (yet).
  size_t Mismatches(const nlohmann::json& state, std::string* first) {
    std::map<Key, const nlohmann::json*> published;
    for (const auto& a : state["aggregates"]) published[{a["indicator"], a["period"]}] = &a;
    size_t wrong = 0;
    for (const auto& [key, by_unit] : expected_) {
      int64_t micros = 0;
      for (const auto& [unit, value] : by_unit) micros += value;
      const double want = static_cast<double>(micros) / 1e6;
      auto it = published.find(key);
      if (it != published.end() && (*it->second)["value"].get<double>() == want &&
          (*it->second)["units_reported"].get<size_t>() == by_unit.size()) {
        continue;
      }
      if (wrong++ == 0) {
        *first = fmt::format("{} {}: want {} from {} units, published {}", key.first, key.second, want,
                             by_unit.size(), it == published.end() ? "nothing" : it->second->dump());
      }
    }
    return wrong;
  }

  // Polls `tonghop watch --once --json` until it shows every figure the test dropped.
  void ExpectEveryFigurePublished(int timeout_ms) {
    size_t wrong = expected_.size();
    std::string first;
    Status s = province_.WaitForWatch(
        [&](const nlohmann::json& state) { return (wrong = Mismatches(state, &first)) == 0; }, timeout_ms);
    if (s.ok()) return;
    std::string logs;
    for (const auto& unit : units_) logs += province_.LogTail("collector-" + unit) + "\n";
    ADD_FAILURE() << wrong << " of " << expected_.size() << " totals not published after " << timeout_ms
                  << " ms; first: " << first << " (" << s.ToString() << ")\n" << logs << province_.LogTail("aggregator");
  }

  // Stops every node, then reads the aggregator's audit log: each (outbox, seq) applied exactly
  // once, every figure the test dropped among them, none rejected.
  void ExpectEachFigureAppliedOnce() {
    Status stopped = province_.TerminateAll();
    ASSERT_TRUE(stopped.ok()) << stopped.ToString();
    testing::AuditSummary audit;
    ASSERT_OK(testing::SummarizeAudit(province_.AggregatorDataDir(), &audit));
    EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
    EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
    EXPECT_EQ(audit.records, figures_);
  }

  testing::TempDir dir_;
  // Before the province, so that its processes are gone before their namespaces are removed.
  std::vector<std::unique_ptr<NetworkNamespace>> namespaces_;
  MiniProvince province_{dir_.path(), kCatalog};
  std::vector<std::string> units_ = {"north", "south"};
  std::map<Key, std::map<std::string, int64_t>> expected_;  // key -> unit -> its current figure
  size_t figures_ = 0;                                      // rows dropped, corrections included
};

bool Unreachable(std::map<std::string, std::string>& s) { return s["aggregator"] == "unreachable"; }
bool Reachable(std::map<std::string, std::string>& s) { return s["aggregator"] == "reachable"; }
bool Buffering(std::map<std::string, std::string>& s) {
  return Unreachable(s) && !s["pending"].empty() && s["pending"] != "0";
}

TEST_F(NetworkFaultTest, CollectorsInNamespacesBufferWhileTheirLinksAreCutAndDeliverEverything) {
  std::string why;
  if (!NetworkNamespace::Available(&why)) GTEST_SKIP() << why;
  province_.set_ingest_bind_address("0.0.0.0");  // the veth addresses are the collectors' way in
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  for (size_t i = 0; i < units_.size(); ++i) {
    std::unique_ptr<NetworkNamespace> ns;
    Status s = NetworkNamespace::Create(static_cast<int>(i), &ns);
    namespaces_.push_back(std::move(ns));
    ASSERT_TRUE(s.ok()) << s.ToString();
    MiniProvince::CollectorPlacement placement;
    placement.aggregator_endpoint = fmt::format("tcp://{}:{}", namespaces_[i]->host_address(), province_.ingest_port());
    placement.command_prefix = namespaces_[i]->ExecPrefix();
    s = province_.StartCollector(units_[i], placement);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  ASSERT_TRUE(WaitForCollectors(Reachable, 10'000)) << "collectors never reached the aggregator over veth";

  // Stream, and cut both links while files keep arriving.
  for (const auto& unit : units_) DropFile(unit, 0);
  for (const auto& unit : units_) DropFile(unit, 1);
  Pause(150);
  for (auto& ns : namespaces_) ASSERT_OK(ns->CutLink());
  const int64_t cut_at = MonotonicMs();
  for (int file = 2; file <= 4; ++file) {
    for (const auto& unit : units_) DropFile(unit, file);
    Pause(300);
  }
  // Cut off, each collector says so and keeps what it took in its outbox.
  EXPECT_TRUE(WaitForCollectors(Buffering, 5'000)) << "a collector does not report the cut";
  Pause(static_cast<int>(std::max<int64_t>(0, kCutMs - (MonotonicMs() - cut_at))));
  EXPECT_TRUE(WaitForCollectors(Buffering, 1'000)) << "a collector stopped buffering while cut off";

  for (auto& ns : namespaces_) ASSERT_OK(ns->RestoreLink());
  const int64_t restored_at = MonotonicMs();
  for (const auto& unit : units_) DropFile(unit, 5);
  ExpectEveryFigurePublished(30'000);
  std::cout << "[ figures ] all " << figures_ << " figures published " << MonotonicMs() - restored_at
            << " ms after the links came back (cut for " << restored_at - cut_at << " ms)\n";
  EXPECT_TRUE(WaitForCollectors([](auto& s) { return Reachable(s) && s["pending"] == "0"; }, 5'000));
  ExpectEachFigureAppliedOnce();
}

TEST_F(NetworkFaultTest, ThroughAProxyWithDelayResetsAndAHalfOpenLinkEveryFigureArrivesOnce) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  TcpProxy proxy("127.0.0.1", province_.ingest_port(), /*seed=*/42);
  ASSERT_OK(proxy.Start());
  proxy.set_delay_ms(30);
  proxy.set_reset_probability(0.02);
  for (const auto& unit : units_) {
    MiniProvince::CollectorPlacement placement;
    placement.aggregator_endpoint = proxy.endpoint();
    Status s = province_.StartCollector(unit, placement);
    ASSERT_TRUE(s.ok()) << s.ToString();
  }
  for (int file = 0; file <= 3; ++file) {
    for (const auto& unit : units_) DropFile(unit, file);
    Pause(500);
  }

  // Half-open: connections stay up and go silent. The collectors must notice on their own.
  proxy.set_reset_probability(0);
  proxy.set_half_open(true);
  const int64_t silent_at = MonotonicMs();
  for (const auto& unit : units_) DropFile(unit, 4);
  EXPECT_TRUE(WaitForCollectors(Buffering, 5'000)) << "a collector does not notice the silent link";
  std::cout << "[ figures ] both collectors reported the aggregator unreachable "
            << MonotonicMs() - silent_at << " ms into the half-open period\n";
  Pause(3'000);
  EXPECT_TRUE(WaitForCollectors(Buffering, 1'000)) << "a collector stopped buffering while the link is silent";

  proxy.set_half_open(false);
  const int64_t resumed_at = MonotonicMs();
  for (const auto& unit : units_) DropFile(unit, 5);
  ExpectEveryFigurePublished(30'000);
  std::cout << "[ figures ] all " << figures_ << " figures published " << MonotonicMs() - resumed_at
            << " ms after the link resumed; the proxy reset " << proxy.connections_reset() << " of "
            << proxy.connections_accepted() << " connections\n";
  EXPECT_GT(proxy.connections_reset(), 0u) << "the random resets never happened: the test proved nothing";
  EXPECT_TRUE(WaitForCollectors([](auto& s) { return Reachable(s) && s["pending"] == "0"; }, 5'000));
  ExpectEachFigureAppliedOnce();
}

}  // namespace
}  // namespace tonghop
