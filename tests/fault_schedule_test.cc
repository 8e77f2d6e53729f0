// Randomized fault schedules over the real processes. 11 collectors stream first reports and
// corrections through drop files, while a seeded schedule SIGKILLs, SIGSTOPs and restarts the
// aggregator, the publisher, collectors and a subscriber, takes online backups of the aggregator
// (`tonghop backup`), and loses the aggregator's data folder, restoring it from the latest backup.
// Afterwards, against totals the test computes itself:
//  - every collector's outbox is empty (all it accepted was acknowledged);
//  - every province value equals the expected one, exactly;
//  - the audit log holds every update exactly once (no (outbox, seq) twice, none missing);
//  - each subscriber, including one killed and restarted, holds exactly the aggregator's state.
//
// Environment: TONGHOP_FAULT_SEED replays a schedule (the seed is printed on failure);
// TONGHOP_FAULT_SCHEDULES (default 3) and TONGHOP_FAULT_UPDATES (default 100000 per schedule)
// size the run. `make soak` runs many schedules and prints what it survived.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <random>

#include "core/clone_replica.h"
#include "core/decimal.h"
#include "core/testing/clone_source.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

constexpr int kUnits = 11;
constexpr int kIndicators = 20;
constexpr int kPeriods = 16;           // 2017-Q1 .. 2020-Q4
constexpr size_t kFiguresPerFile = 200;
constexpr int kDropIntervalMs = 20;    // one drop file every this often
constexpr int64_t kMinFaultWindowMs = 5'000;
constexpr int kConvergeTimeoutMs = 120'000;

uint64_t EnvOr(const char* name, uint64_t fallback) {
  const char* value = std::getenv(name);
  return value && *value ? std::stoull(value) : fallback;
}

std::string UnitCode(int u) { return fmt::format("d{:02d}", u); }
std::string IndicatorId(int i) { return fmt::format("fault.i{:02d}", i); }
std::string PeriodText(int p) { return fmt::format("{}-Q{}", 2017 + p / 4, p % 4 + 1); }

// Eleven districts, twenty summed indicators, no plans or baselines.
void WriteCatalog(const testing::TempDir& dir) {
  std::string units = "code,name_vi,kind\n";
  for (int u = 0; u < kUnits; ++u) units += fmt::format("{},Huyện {},district\n", UnitCode(u), u);
  std::string indicators = "id,sector,name_vi,unit,reported_by,space_agg,time_agg,part_of,parts_rule\n";
  for (int i = 0; i < kIndicators; ++i) {
    indicators += fmt::format("{},fault,Chỉ tiêu {},ha,district,sum,sum,,\n", IndicatorId(i), i);
  }
  dir.Write("catalog/units.csv", units);
  dir.Write("catalog/indicators.csv", indicators);
  dir.Write("catalog/plans.csv", "indicator,year,plan\n");
  dir.Write("catalog/baselines.csv", "indicator,period,value\n");
  dir.Write("catalog/years.csv", "first_year,last_year\n2017,2020\n");
}

// One unit's figures, in the order it reports them, cut into drop files.
struct UnitStream {
  std::vector<std::string> files;  // CSV texts, in order
};

class FaultScheduleTest : public ::testing::Test {
 protected:
  struct Outcome {
    size_t updates = 0;
    size_t faults = 0;
    size_t backups = 0;
    size_t restores = 0;
  };
  Outcome RunSchedule(uint64_t seed, size_t total_updates);
};

FaultScheduleTest::Outcome FaultScheduleTest::RunSchedule(uint64_t seed, size_t total_updates) {
  SCOPED_TRACE(fmt::format("seed {} (replay: TONGHOP_FAULT_SEED={} TONGHOP_FAULT_SCHEDULES=1)", seed, seed));
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  WriteCatalog(dir);
  testing::MiniProvince province(dir.Sub("province"), dir.Sub("catalog"));

  // The figures, and the totals they must produce: each unit's last value per key, summed.
  std::vector<UnitStream> streams(kUnits);
  std::map<std::pair<int, int>, std::map<int, int64_t>> last;  // (indicator, period) -> unit -> micros
  const size_t per_unit = total_updates / kUnits;
  for (int u = 0; u < kUnits; ++u) {
    // A drop file gives each (indicator, period) at most once, so each file is a random sample of
    // distinct keys; a key drawn again in a later file is a correction.
    std::vector<std::pair<int, int>> keys;
    for (int i = 0; i < kIndicators; ++i) for (int p = 0; p < kPeriods; ++p) keys.emplace_back(i, p);
    for (size_t written = 0; written < per_unit;) {
      std::shuffle(keys.begin(), keys.end(), rng);
      size_t rows = std::min(kFiguresPerFile, per_unit - written);
      std::string file = "indicator,period,value\n";
      for (size_t n = 0; n < rows; ++n) {
        auto [i, p] = keys[n];
        int64_t cents = static_cast<int64_t>(rng() % 10'000'000);
        file += fmt::format("{},{},{}.{:02d}\n", IndicatorId(i), PeriodText(p), cents / 100, cents % 100);
        last[{i, p}][u] = cents * 10'000;
      }
      streams[u].files.push_back(std::move(file));
      written += rows;
    }
  }

  for (Status s : {province.StartAggregator(), province.StartPublisher()}) EXPECT_TRUE(s.ok()) << s.ToString();
  for (int u = 0; u < kUnits; ++u) {
    Status s = province.StartCollector(UnitCode(u));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  // Subscribers: one that stays, one the schedule kills and restarts, one with a filter.
  zmq::context_t context(1);
  auto subscriber = [&](const std::string& filter) {
    auto replica = std::make_unique<CloneReplica>(
        context, testing::TestReplicaOptions(province.PublisherPublishEndpoint(), province.PublisherSnapshotEndpoint(), filter));
    EXPECT_OK(replica->Start());
    return replica;
  };
  std::unique_ptr<CloneReplica> steady = subscriber(""), restarted = subscriber(""), filtered = subscriber("i/fault.i0");
  auto pump = [&](int wait_ms) {
    std::vector<CloneReplica*> live;
    for (auto* r : {steady.get(), restarted.get(), filtered.get()}) if (r) live.push_back(r);
    std::vector<zmq::pollitem_t> items;
    for (auto* r : live) for (auto& item : r->PollItems()) items.push_back(item);
    zmq::poll(items, std::chrono::milliseconds(wait_ms));
    for (auto* r : live) r->Process({});
  };

  // The schedule: faults at random moments of the streaming phase, one at a time.
  const std::vector<std::string> nodes = [&] {
    std::vector<std::string> n = {"aggregator", "publisher"};
    for (int u = 0; u < kUnits; ++u) n.push_back("collector-" + UnitCode(u));
    return n;
  }();
  size_t files_total = 0;
  for (const auto& s : streams) files_total += s.files.size();
  const int64_t stream_ms = std::max<int64_t>(static_cast<int64_t>(files_total) * kDropIntervalMs, kMinFaultWindowMs);
  enum Kind { kKill, kPause, kSubscriber, kBackup, kRestore };
  struct Fault {
    int64_t at_ms, for_ms;
    Kind kind;  // kill+restart, pause+resume, subscriber kill+restart, backup, data lost+restore
    std::string node;
  };
  std::vector<Fault> faults;
  for (int64_t t = 200 + static_cast<int64_t>(rng() % 500); t < stream_ms + 1'000;
       t += 400 + static_cast<int64_t>(rng() % 1'200)) {
    Fault f{t, static_cast<int64_t>(rng() % 1'200), kKill, nodes[rng() % nodes.size()]};
    // Kills and pauses twice as often as the others.
    static constexpr Kind kKinds[] = {kKill, kKill, kPause, kPause, kSubscriber, kBackup, kRestore};
    f.kind = kKinds[rng() % std::size(kKinds)];
    if (f.kind == kBackup || f.kind == kRestore) f.node = "aggregator";
    faults.push_back(f);
  }
  // The latest backup taken (a restore before the first is a kill and restart).
  std::string backup;
  size_t backups = 0, restores = 0;
  // Loses the aggregator's data folder: what a dead disk does, with the process.
  auto lose_aggregator_data = [&] {
    Status s = province.Kill("aggregator");
    std::error_code ignored;
    std::filesystem::remove_all(province.AggregatorDataDir(), ignored);
    return s;
  };
  auto restore_aggregator = [&] {
    std::error_code error;
    std::filesystem::copy(backup, province.AggregatorDataDir(), std::filesystem::copy_options::recursive, error);
    if (error) return Status::IOError(fmt::format("copying the backup {}: {}", backup, error.message()));
    ++restores;
    return province.Restart("aggregator");
  };
  auto take_backup = [&] {
    const std::string into = dir.Sub(fmt::format("backups/{}", backups));
    std::string out, err;
    const int code = province.RunCli({"backup", "--output", into, "--aggregator", province.QueryEndpoint(),
                                      "--plaintext_for_development"}, &out, &err);
    if (code != 0) return Status::IOError(fmt::format("tonghop backup exited {}: {}{}", code, out, err));
    backup = into;
    ++backups;
    return Status::OK();
  };

  const int64_t start = MonotonicMs();
  std::vector<size_t> next_file(kUnits, 0);
  size_t dropped = 0, fault_index = 0;
  int64_t next_drop_ms = 0, undo_at_ms = -1;
  Fault* active = nullptr;
  while (dropped < files_total || fault_index < faults.size() || active) {
    int64_t now = MonotonicMs() - start;
    if (dropped < files_total && now >= next_drop_ms) {
      int u;
      do u = static_cast<int>(rng() % kUnits); while (next_file[u] == streams[u].files.size());
      Status s = province.DropText(UnitCode(u), fmt::format("f{:04d}.csv", next_file[u]), streams[u].files[next_file[u]]);
      EXPECT_TRUE(s.ok()) << s.ToString();
      ++next_file[u];
      ++dropped;
      next_drop_ms = now + kDropIntervalMs;
    }
    if (active && now >= undo_at_ms) {
      Status s;
      switch (active->kind) {
        case kKill: s = province.Restart(active->node); break;
        case kPause: s = province.Resume(active->node); break;
        case kSubscriber: restarted = subscriber(""); break;
        case kBackup: break;
        case kRestore: s = restore_aggregator(); break;
      }
      EXPECT_TRUE(s.ok()) << active->node << ": " << s.ToString();
      active = nullptr;
    }
    if (!active && fault_index < faults.size() && now >= faults[fault_index].at_ms) {
      active = &faults[fault_index++];
      if (active->kind == kRestore && backup.empty()) active->kind = kKill;
      Status s;
      switch (active->kind) {
        case kKill: s = province.Kill(active->node); break;
        case kPause: s = province.Pause(active->node); break;
        case kSubscriber: restarted.reset(); break;
        case kBackup: s = take_backup(); break;  // while the collectors stream, as all the others
        case kRestore: s = lose_aggregator_data(); break;
      }
      EXPECT_TRUE(s.ok()) << active->node << ": " << s.ToString();
      undo_at_ms = now + active->for_ms;
    }
    pump(10);
  }

  // Converge: outboxes empty, the aggregator's totals as computed here, subscribers equal to it.
  CloneReplica aggregator_view(context, testing::TestReplicaOptions(province.AggregatorPublishEndpoint(),
                                                                     province.AggregatorSnapshotEndpoint()));
  EXPECT_OK(aggregator_view.Start());
  auto outboxes_empty = [&] {
    for (int u = 0; u < kUnits; ++u) {
      if (province.CollectorStatus(UnitCode(u))["pending"] != "0") return false;
    }
    return true;
  };
  auto totals_diff = [&]() -> std::string {
    for (const auto& [key, units] : last) {
      int64_t expected = 0;
      for (const auto& [unit, micros] : units) expected += micros;
      const auto* held = aggregator_view.table().Find(IndicatorId(key.first), PeriodText(key.second));
      if (held == nullptr) return fmt::format("{} {} missing", IndicatorId(key.first), PeriodText(key.second));
      Decimal value;
      if (!Decimal::FromDouble(held->value(), &value).ok() || value.micros() != expected) {
        return fmt::format("{} {}: {} held, {} expected", IndicatorId(key.first), PeriodText(key.second),
                           held->value(), Decimal::FromMicros(expected).ToString());
      }
      if (held->units_reported() != units.size()) return fmt::format("{} {}: units_reported", key.first, key.second);
    }
    return "";
  };
  std::string diff = "not checked";
  bool empty = false;
  const int64_t deadline = MonotonicMs() + kConvergeTimeoutMs;
  int64_t next_outbox_check = 0;
  while (MonotonicMs() < deadline) {
    for (int i = 0; i < 10; ++i) {
      pump(10);
      aggregator_view.Process({});
    }
    if (!empty && MonotonicMs() >= next_outbox_check) {
      empty = outboxes_empty();
      next_outbox_check = MonotonicMs() + 1'000;
    }
    if (!empty || !aggregator_view.synced()) continue;
    diff = totals_diff();
    if (diff.empty()) diff = testing::TableDiff(aggregator_view.table(), steady->table());
    if (diff.empty()) diff = testing::TableDiff(aggregator_view.table(), restarted->table());
    if (diff.empty()) diff = testing::TableDiff(aggregator_view.table(), filtered->table(), "i/fault.i0");
    if (diff.empty()) break;
  }
  EXPECT_TRUE(empty) << "some outbox still holds figures\n" << province.LogTail("aggregator");
  EXPECT_EQ(diff, "") << province.LogTail("aggregator") << province.LogTail("publisher")
                      << province.LogTail("collector-" + UnitCode(0));

  // The audit log: every figure applied exactly once.
  for (const auto& node : nodes) {
    if (province.IsRunning(node)) EXPECT_TRUE(province.Terminate(node).ok()) << node;
  }
  testing::AuditSummary audit;
  EXPECT_OK(testing::SummarizeAudit(province.AggregatorDataDir(), &audit));
  EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
  EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
  EXPECT_EQ(audit.records, per_unit * kUnits) << "updates missing from the audit log";
  return {per_unit * kUnits, faults.size(), backups, restores};
}

TEST_F(FaultScheduleTest, NothingLostNothingCountedTwiceUnderRandomFaults) {
  const uint64_t schedules = EnvOr("TONGHOP_FAULT_SCHEDULES", 3);
  const uint64_t updates = EnvOr("TONGHOP_FAULT_UPDATES", 100'000);
  uint64_t seed = EnvOr("TONGHOP_FAULT_SEED", std::random_device{}());
  size_t survived = 0, total_updates = 0, total_faults = 0, total_restores = 0;
  const int64_t start = MonotonicMs();
  for (uint64_t n = 0; n < schedules; ++n, ++seed) {
    Outcome outcome = RunSchedule(seed, updates);
    if (HasFailure()) {
      ADD_FAILURE() << "schedule with seed " << seed << " failed; replay with TONGHOP_FAULT_SEED=" << seed
                    << " TONGHOP_FAULT_SCHEDULES=1";
      break;
    }
    ++survived;
    total_updates += outcome.updates;
    total_faults += outcome.faults;
    total_restores += outcome.restores;
    std::printf("schedule %zu/%llu (seed %llu): %zu updates, %zu faults (%zu backups, %zu restores), ok\n", survived,
                static_cast<unsigned long long>(schedules), static_cast<unsigned long long>(seed), outcome.updates,
                outcome.faults, outcome.backups, outcome.restores);
    std::fflush(stdout);
  }
  std::printf("fault schedules survived: %zu of %llu, %zu updates, %zu faults injected (%zu restores from a backup), "
              "%.0f s\n", survived, static_cast<unsigned long long>(schedules), total_updates, total_faults,
              total_restores, (MonotonicMs() - start) / 1000.0);
}

}  // namespace
}  // namespace tonghop
