// Issue 14's proof of online backups, with the real processes (tests/mini_province.h):
//  1. `tonghop backup` copies the aggregator while collectors stream figures into it;
//  2. ingest goes on after the backup, every figure acknowledged;
//  3. the aggregator is killed, its data folder deleted, and the backup copied in its place;
//  4. the restored aggregator starts a new feed stream, the collectors (idle by then: nothing is
//     pending) send again what it lacks out of what they retain, and every figure is there once:
//     the totals are exact, the audit log holds each update exactly once, and a subscriber that
//     followed the publisher throughout holds exactly the aggregator's state.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <map>
#include <random>
#include <thread>

#include "aggregator/backup_manifest.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/testing/clone_source.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

namespace fs = std::filesystem;

// tests/testdata/catalog: the units that report agri.area.total and agri.area.rice (sums).
const std::vector<std::string> kUnits = {"north", "south", "capital"};
const std::vector<std::string> kIndicators = {"agri.area.total", "agri.area.rice"};
constexpr int kPeriods = 40;  // 2000-Q1 .. 2009-Q4
constexpr int kFilesPerUnit = 24;
constexpr size_t kFiguresPerFile = 50;
constexpr int kDropIntervalMs = 15;
constexpr int kConvergeTimeoutMs = 120'000;

std::string PeriodText(int p) { return fmt::format("{}-Q{}", 2000 + p / 4, p % 4 + 1); }

TEST(BackupTest, AnAggregatorRestoredFromABackupGetsBackEveryFigureAcknowledgedSince) {
  testing::TempDir dir;
  testing::MiniProvince province(dir.Sub("province"), std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog");
  for (Status s : {province.StartAggregator(), province.StartPublisher()}) ASSERT_TRUE(s.ok()) << s.ToString();
  for (const auto& unit : kUnits) ASSERT_OK(province.StartCollector(unit));

  // Each unit's drop files, and the totals they make: each unit's last value of each key, summed.
  std::mt19937_64 rng(20261130);
  std::vector<std::vector<std::string>> files(kUnits.size());
  std::map<std::pair<std::string, std::string>, std::map<size_t, int64_t>> last;  // (indicator, period) -> unit -> micros
  std::vector<std::pair<std::string, std::string>> keys;
  for (const auto& indicator : kIndicators) for (int p = 0; p < kPeriods; ++p) keys.emplace_back(indicator, PeriodText(p));
  for (size_t u = 0; u < kUnits.size(); ++u) {
    for (int f = 0; f < kFilesPerUnit; ++f) {
      std::shuffle(keys.begin(), keys.end(), rng);
      std::string text = "indicator,period,value\n";
      for (size_t n = 0; n < kFiguresPerFile; ++n) {
        const int64_t cents = static_cast<int64_t>(rng() % 10'000'000);
        text += fmt::format("{},{},{}.{:02d}\n", keys[n].first, keys[n].second, cents / 100, cents % 100);
        last[keys[n]][u] = cents * 10'000;
      }
      files[u].push_back(std::move(text));
    }
  }
  const size_t total = kUnits.size() * kFilesPerUnit * kFiguresPerFile;

  zmq::context_t context(1);
  CloneReplica subscriber(context, testing::TestReplicaOptions(province.PublisherPublishEndpoint(),
                                                               province.PublisherSnapshotEndpoint()));
  ASSERT_OK(subscriber.Start());

  // 1. Back up during ingest: once the aggregator has acknowledged figures of every unit, while
  // the first half of the files streams in; the other half goes in only after it.
  std::atomic<bool> backed_up{false};
  std::atomic<bool> stop{false};
  std::thread dropper([&] {
    for (int f = 0; f < kFilesPerUnit && !stop; ++f) {
      while (f == kFilesPerUnit / 2 && !backed_up && !stop) std::this_thread::sleep_for(std::chrono::milliseconds(5));
      for (size_t u = 0; u < kUnits.size(); ++u) {
        EXPECT_OK(province.DropText(kUnits[u], fmt::format("f{:03d}.csv", f), files[u][f]));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(kDropIntervalMs));
    }
  });
  // Until the aggregator has acknowledged figures of every unit.
  auto acknowledged_by_all = [&] {
    for (const auto& unit : kUnits) {
      if (province.CollectorStatus(unit)["retained"].starts_with("0")) return false;
    }
    return true;
  };
  for (int64_t deadline = MonotonicMs() + kConvergeTimeoutMs; !acknowledged_by_all() && MonotonicMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const std::string backup = dir.Sub("backups/first");
  std::string out, err;
  const int code = province.RunCli({"backup", "--output", backup, "--aggregator", province.QueryEndpoint(),
                                    "--plaintext_for_development"}, &out, &err);
  backed_up = true;
  EXPECT_EQ(code, 0) << out << err << province.LogTail("aggregator");
  EXPECT_NE(out.find("backup of the aggregator at"), std::string::npos) << out;

  // 2. Keep ingesting, until every file is in its collector's outbox and acknowledged.
  dropper.join();
  const std::string all_stored = std::to_string(kFilesPerUnit * kFiguresPerFile + 1);
  auto all_acknowledged = [&] {
    for (const auto& unit : kUnits) {
      auto status = province.CollectorStatus(unit);
      if (status["next_seq"] != all_stored || status["pending"] != "0") return false;
    }
    return true;
  };
  for (int64_t deadline = MonotonicMs() + kConvergeTimeoutMs; !all_acknowledged() && MonotonicMs() < deadline;) {
    subscriber.Process({});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(all_acknowledged()) << province.LogTail("aggregator");
  BackupManifest manifest;
  ASSERT_OK(BackupManifest::Read(backup, &manifest));
  EXPECT_GT(manifest.audit_seq, 0u);
  EXPECT_LT(manifest.audit_seq, total) << "figures were acknowledged after the backup";
  EXPECT_EQ(manifest.aggregator, province.QueryEndpoint());
  EXPECT_FALSE(fs::exists(province.AggregatorDataDir() + "/backup-checkpoint")) << "removed once the backup finished";

  // 3. Destroy the aggregator's data folder and restore it from the backup.
  ASSERT_OK(province.Kill("aggregator"));
  fs::remove_all(province.AggregatorDataDir());
  fs::copy(backup, province.AggregatorDataDir(), fs::copy_options::recursive);
  ASSERT_OK(province.Restart("aggregator"));

  // 4. The collectors send again what it lost; every figure is there once, the totals exact.
  CloneReplica aggregator_view(context, testing::TestReplicaOptions(province.AggregatorPublishEndpoint(),
                                                                     province.AggregatorSnapshotEndpoint()));
  ASSERT_OK(aggregator_view.Start());
  auto totals_diff = [&]() -> std::string {
    for (const auto& [key, units] : last) {
      int64_t expected = 0;
      for (const auto& [unit, micros] : units) expected += micros;
      const auto* held = aggregator_view.table().Find(key.first, key.second);
      if (held == nullptr) return fmt::format("{} {} missing", key.first, key.second);
      Decimal value;
      if (!Decimal::FromDouble(held->value(), &value).ok() || value.micros() != expected) {
        return fmt::format("{} {}: {} held, {} expected", key.first, key.second, held->value(),
                           Decimal::FromMicros(expected).ToString());
      }
    }
    return "";
  };
  std::string diff = "not compared";
  for (int64_t deadline = MonotonicMs() + kConvergeTimeoutMs; MonotonicMs() < deadline;) {
    std::vector<zmq::pollitem_t> items;
    for (auto* replica : {&subscriber, &aggregator_view}) {
      for (auto& item : replica->PollItems()) items.push_back(item);
    }
    zmq::poll(items, std::chrono::milliseconds(20));
    subscriber.Process({});
    aggregator_view.Process({});
    if (!aggregator_view.synced() || !subscriber.synced() || subscriber.stream_id() != aggregator_view.stream_id()) {
      continue;
    }
    diff = totals_diff();
    if (diff.empty()) diff = testing::TableDiff(aggregator_view.table(), subscriber.table());
    if (diff.empty()) break;
  }
  EXPECT_EQ(diff, "") << province.LogTail("aggregator") << province.LogTail("collector-north");
  EXPECT_EQ(subscriber.stream_id(), aggregator_view.stream_id());
  EXPECT_NE(aggregator_view.stream_id(), manifest.stream_id) << "a restored database starts a new stream";
  for (const auto& unit : kUnits) {
    auto status = province.CollectorStatus(unit);
    EXPECT_EQ(status["pending"], "0") << unit;
    EXPECT_EQ(status["lost"], "0") << unit;
    EXPECT_TRUE(status["retained"].starts_with(fmt::format("{} ", kFilesPerUnit * kFiguresPerFile))) << status["retained"];
  }

  // The collectors were idle, nothing pending: their heartbeats told the restored aggregator.
  std::string log;
  ASSERT_OK(ReadFileToString(dir.Sub("province/logs/aggregator.log"), &log));
  EXPECT_NE(log.find("restored backup: the database starts the new stream"), std::string::npos);
  EXPECT_NE(log.find("asking it to send them again from seq"), std::string::npos)
      << province.LogTail("aggregator", 40) << province.LogTail("collector-north", 40);

  stop = true;
  ASSERT_OK(province.TerminateAll());
  testing::AuditSummary audit;
  ASSERT_OK(testing::SummarizeAudit(province.AggregatorDataDir(), &audit));
  EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
  EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
  EXPECT_EQ(audit.records, total) << "updates missing from the audit log";
}

}  // namespace
}  // namespace tonghop
