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
// The pair mode (issue 15) runs aggregators A and B, each collector delivering every figure to
// both. Its schedules also lose either aggregator with its data folder, rebuilding it from an
// online backup of the other taken at the end of the fault, cut the links between some
// collectors and one aggregator for seconds (a partition: a proxy of the test's goes half-open),
// and kill the aggregator the publisher follows for long enough that it follows the other
// (failover). The checks are those above, for both aggregators: each outbox empty for each, each
// one's totals exact, each audit log with every update once; A and B, and the subscribers, hold
// the same values (each aggregator numbers its own stream, so seqs differ).
//
// Environment: TONGHOP_FAULT_SEED replays a schedule (the seed is printed on failure);
// TONGHOP_FAULT_SCHEDULES (default 3 single, 2 pair) and TONGHOP_FAULT_UPDATES (default 100000
// per schedule) size the run. `make soak` runs many schedules and prints what it survived.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <algorithm>
#include <filesystem>
#include <iterator>
#include <map>
#include <optional>
#include <random>
#include <string_view>

#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/decimal.h"
#include "core/testing/clone_source.h"
#include "core/testing/http_client.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/mini_province.h"
#include "tests/tcp_proxy.h"
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
// A pair's publisher follows the other aggregator after this much silence of the one it follows.
constexpr int kUpstreamTimeoutMs = 1'000;

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
  enum class Mode {
    kSingle,  // one aggregator
    kPair,    // aggregators A and B, each collector delivering every figure to both (issue 15)
  };
  struct Outcome {
    size_t updates = 0;
    std::map<std::string, size_t> faults;  // injected, by kind
    size_t publisher_moves = 0;             // a pair's publisher found following the other after a failover
  };
  Outcome RunSchedule(Mode mode, uint64_t seed, size_t total_updates);
  // TONGHOP_FAULT_SCHEDULES schedules (`default_schedules` without it), one after another from the
  // seed, until one fails; prints each and what they survived.
  void RunSchedules(Mode mode, uint64_t default_schedules);
};

FaultScheduleTest::Outcome FaultScheduleTest::RunSchedule(Mode mode, uint64_t seed, size_t total_updates) {
  SCOPED_TRACE(fmt::format("seed {} (replay: TONGHOP_FAULT_SEED={} TONGHOP_FAULT_SCHEDULES=1)", seed, seed));
  const bool pair = mode == Mode::kPair;
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  WriteCatalog(dir);
  testing::MiniProvince province(dir.Sub("province"), dir.Sub("catalog"));
  // B of a pair: its aggregator alone; the collectors, the publisher and the subscribers are A's.
  std::optional<testing::MiniProvince> b;
  if (pair) b.emplace(dir.Sub("b"), dir.Sub("catalog"));

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

  // Each node by the name the schedule gives it: its province, and its name there.
  struct Node {
    testing::MiniProvince* province;
    std::string name;
  };
  std::map<std::string, Node> nodes = {{"aggregator", {&province, "aggregator"}}, {"publisher", {&province, "publisher"}}};
  if (pair) nodes["aggregator-b"] = {&*b, "aggregator"};
  for (int u = 0; u < kUnits; ++u) nodes["collector-" + UnitCode(u)] = {&province, "collector-" + UnitCode(u)};
  std::vector<std::string> aggregators = {"aggregator"};
  if (pair) aggregators.push_back("aggregator-b");

  // A pair's publisher follows A, then B when the one it follows is silent for a second (the flag
  // given twice makes the list); its metrics say which one it follows.
  std::vector<std::string> publisher_flags;
  if (pair) {
    publisher_flags = {"--upstream_publish_endpoint", b->AggregatorPublishEndpoint(), "--upstream_snapshot_endpoint",
                       b->AggregatorSnapshotEndpoint(), "--upstream_timeout_ms", std::to_string(kUpstreamTimeoutMs)};
    province.set_metrics(true);
  }
  for (Status s : {province.StartAggregator(), b ? b->StartAggregator() : Status::OK(),
                   province.StartPublisher(publisher_flags)}) {
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  // In a pair, the first collectors reach B, the next ones A, through a proxy of the test's that
  // a partition cuts (half-open: the links go silent, as behind a dead router); the rest reach
  // both directly.
  constexpr int kBehindEachProxy = 3;
  std::map<std::string, std::unique_ptr<testing::TcpProxy>> proxies;  // the aggregator it leads to -> proxy
  if (pair) {
    for (const auto& name : aggregators) {
      proxies[name] = std::make_unique<testing::TcpProxy>("127.0.0.1", nodes[name].province->ingest_port(), seed);
      EXPECT_OK(proxies[name]->Start());
    }
  }
  for (int u = 0; u < kUnits; ++u) {
    testing::MiniProvince::CollectorPlacement placement;
    if (pair) {
      const bool b_behind_proxy = u < kBehindEachProxy, a_behind_proxy = !b_behind_proxy && u < 2 * kBehindEachProxy;
      placement.aggregator_endpoint =
          (a_behind_proxy ? proxies["aggregator"]->endpoint() : province.IngestEndpoint()) + "," +
          (b_behind_proxy ? proxies["aggregator-b"]->endpoint() : b->IngestEndpoint());
    }
    Status s = province.StartCollector(UnitCode(u), placement);
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
  std::vector<std::string> node_names;
  for (const auto& [name, node] : nodes) node_names.push_back(name);
  size_t files_total = 0;
  for (const auto& s : streams) files_total += s.files.size();
  const int64_t stream_ms = std::max<int64_t>(static_cast<int64_t>(files_total) * kDropIntervalMs, kMinFaultWindowMs);
  enum Kind {
    kKill,        // SIGKILL, restart
    kPause,       // SIGSTOP, SIGCONT
    kSubscriber,  // a subscriber closed, opened again
    kBackup,      // an online backup of the aggregator, kept for the next kRestore
    kRestore,     // the aggregator's data folder lost with it, restored from the latest backup
    kRebuild,     // a pair's aggregator lost with its data, rebuilt from a backup the other takes then
    kPartition,   // the collectors behind one aggregator's proxy cut off from it, and back
    kFailover,    // the aggregator the publisher follows killed for longer than the publisher waits
  };
  static constexpr const char* kKindNames[] = {"kill", "pause", "subscriber", "backup", "restore", "rebuild",
                                               "partition", "failover"};
  // Kills and pauses twice as often as the others.
  const std::vector<Kind> kinds =
      pair ? std::vector<Kind>{kKill, kKill, kPause, kPause, kSubscriber, kRebuild, kPartition, kFailover}
           : std::vector<Kind>{kKill, kKill, kPause, kPause, kSubscriber, kBackup, kRestore};
  struct Fault {
    int64_t at_ms, for_ms;
    Kind kind;
    std::string node;
  };
  std::vector<Fault> faults;
  for (int64_t t = 200 + static_cast<int64_t>(rng() % 500); t < stream_ms + 1'000;
       t += 400 + static_cast<int64_t>(rng() % 1'200)) {
    Fault f{t, static_cast<int64_t>(rng() % 1'200), kKill, node_names[rng() % node_names.size()]};
    f.kind = kinds[rng() % kinds.size()];
    if (f.kind == kBackup || f.kind == kRestore) f.node = "aggregator";
    if (f.kind == kRebuild || f.kind == kPartition) f.node = aggregators[rng() % aggregators.size()];
    // Long enough, at times, for the collectors to find the link silent and connect again.
    if (f.kind == kPartition) f.for_ms += 1'000 + static_cast<int64_t>(rng() % 4'000);
    if (f.kind == kFailover) f.for_ms += 2 * kUpstreamTimeoutMs;
    faults.push_back(f);
  }
  // The latest backup taken (a restore before the first is a kill and restart).
  std::string backup;
  size_t backups_taken = 0;
  std::map<std::string, size_t> injected;
  // Loses the aggregator's data folder: what a dead disk does, with the process.
  auto lose_data = [&](const std::string& name) {
    Status s = nodes[name].province->Kill("aggregator");
    std::error_code ignored;
    std::filesystem::remove_all(nodes[name].province->AggregatorDataDir(), ignored);
    return s;
  };
  auto restore = [&](const std::string& name) {
    std::error_code error;
    std::filesystem::copy(backup, nodes[name].province->AggregatorDataDir(), std::filesystem::copy_options::recursive,
                          error);
    if (error) return Status::IOError(fmt::format("copying the backup {}: {}", backup, error.message()));
    return nodes[name].province->Restart("aggregator");
  };
  auto take_backup = [&](const std::string& name) {
    const std::string into = dir.Sub(fmt::format("backups/{}", backups_taken++));
    std::string out, err;
    const int code = province.RunCli({"backup", "--output", into, "--aggregator", nodes[name].province->QueryEndpoint(),
                                      "--plaintext_for_development"}, &out, &err);
    if (code != 0) return Status::IOError(fmt::format("tonghop backup of {} exited {}: {}{}", name, code, out, err));
    backup = into;
    return Status::OK();
  };
  auto other = [&](const std::string& aggregator) { return aggregator == "aggregator" ? "aggregator-b" : "aggregator"; };
  // The aggregator the publisher follows, by its name here.
  size_t publisher_moves = 0;
  auto followed = [&](std::string* name) {
    testing::HttpResponse metrics;
    Status s = testing::HttpGet(province.MetricsAddress("publisher"), "/metrics", 10'000, &metrics);
    if (!s.ok()) return s;
    constexpr std::string_view kIndex = "\ntonghop_publisher_upstream_index ";
    const size_t at = metrics.body.find(kIndex);
    if (at == std::string::npos) return Status::NotFound(fmt::format("no {} in the publisher's metrics", kIndex.substr(1)));
    const size_t index = std::stoul(metrics.body.substr(at + kIndex.size()));
    if (index >= aggregators.size()) return Status::Corruption(fmt::format("the publisher follows upstream {}", index));
    *name = aggregators[index];
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
      const Node& node = nodes[active->node];
      Status s;
      switch (active->kind) {
        case kKill: s = node.province->Restart(node.name); break;
        case kPause: s = node.province->Resume(node.name); break;
        case kSubscriber: restarted = subscriber(""); break;
        case kBackup: break;
        case kRestore: s = restore(active->node); break;
        case kRebuild:
          s = take_backup(other(active->node));  // while the collectors stream to it
          if (s.ok()) s = restore(active->node);
          break;
        case kPartition: proxies[active->node]->set_half_open(false); break;
        case kFailover: {
          std::string now_followed;
          s = followed(&now_followed);
          if (s.ok() && now_followed != active->node) ++publisher_moves;
          if (s.ok()) s = node.province->Restart(node.name);
          break;
        }
      }
      EXPECT_TRUE(s.ok()) << active->node << ": " << s.ToString();
      active = nullptr;
    }
    if (!active && fault_index < faults.size() && now >= faults[fault_index].at_ms) {
      active = &faults[fault_index++];
      if (active->kind == kRestore && backup.empty()) active->kind = kKill;
      if (active->kind == kFailover) active->node = "aggregator";  // unless the publisher says which
      Status s = active->kind == kFailover ? followed(&active->node) : Status::OK();
      const Node& node = nodes[active->node];
      switch (active->kind) {
        case kKill: s = node.province->Kill(node.name); break;
        case kPause: s = node.province->Pause(node.name); break;
        case kSubscriber: restarted.reset(); break;
        case kBackup: s = take_backup(active->node); break;  // while the collectors stream, as all the others
        case kRestore:
        case kRebuild: s = lose_data(active->node); break;
        case kPartition: proxies[active->node]->set_half_open(true); break;
        case kFailover: if (s.ok()) s = node.province->Kill(node.name); break;
      }
      EXPECT_TRUE(s.ok()) << active->node << ": " << s.ToString();
      ++injected[kKindNames[active->kind]];
      undo_at_ms = now + active->for_ms;
    }
    pump(10);
  }

  // Converge: outboxes empty for every aggregator, each aggregator's totals as computed here,
  // the subscribers equal to them.
  std::vector<std::unique_ptr<CloneReplica>> views;  // each aggregator's own feed, in `aggregators` order
  for (const auto& name : aggregators) {
    const testing::MiniProvince& p = *nodes[name].province;
    views.push_back(std::make_unique<CloneReplica>(
        context, testing::TestReplicaOptions(p.AggregatorPublishEndpoint(), p.AggregatorSnapshotEndpoint())));
    EXPECT_OK(views.back()->Start());
  }
  // The first outbox with figures pending, and for which aggregator; "" when there is none.
  auto pending_outbox = [&]() -> std::string {
    for (int u = 0; u < kUnits; ++u) {
      auto status = province.CollectorStatus(UnitCode(u));
      if (status["pending"] != "0") return fmt::format("{}: pending {}", UnitCode(u), status["pending"]);
      for (const auto& [field, value] : status) {
        // A pair's collector has a line per aggregator: "aggregator ENDPOINT": "reachable; pending: N; ...".
        if (field.starts_with("aggregator ") && value.find("; pending: 0;") == std::string::npos) {
          return fmt::format("{}: {}: {}", UnitCode(u), field, value);
        }
      }
    }
    return "";
  };
  auto totals_diff = [&](const CloneReplica& view) -> std::string {
    for (const auto& [key, units] : last) {
      int64_t expected = 0;
      for (const auto& [unit, micros] : units) expected += micros;
      const auto* held = view.table().Find(IndicatorId(key.first), PeriodText(key.second));
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
  // The subscribers follow the publisher; in a pair, it follows either aggregator, so they must
  // hold A's values, which must be B's, under seqs of whichever stream it relays.
  const testing::TableFields fields = pair ? testing::TableFields::kValues : testing::TableFields::kEvery;
  std::string diff = "not checked", pending = "not checked";
  const int64_t deadline = MonotonicMs() + kConvergeTimeoutMs;
  int64_t next_outbox_check = 0;
  auto views_synced = [&] {
    return std::all_of(views.begin(), views.end(), [](const auto& v) { return v->synced(); });
  };
  while (MonotonicMs() < deadline) {
    for (int i = 0; i < 10; ++i) {
      pump(10);
      for (auto& view : views) view->Process({});
    }
    if (!pending.empty() && MonotonicMs() >= next_outbox_check) {
      pending = pending_outbox();
      next_outbox_check = MonotonicMs() + 1'000;
    }
    if (!pending.empty() || !views_synced()) continue;
    diff = "";
    for (size_t v = 0; v < views.size() && diff.empty(); ++v) {
      diff = totals_diff(*views[v]);
      if (!diff.empty()) diff = aggregators[v] + ": " + diff;
    }
    const AggregateTable& a = views.front()->table();
    if (diff.empty() && pair) diff = testing::TableDiff(a, views.back()->table(), "", fields);
    if (diff.empty()) diff = testing::TableDiff(a, steady->table(), "", fields);
    if (diff.empty()) diff = testing::TableDiff(a, restarted->table(), "", fields);
    if (diff.empty()) diff = testing::TableDiff(a, filtered->table(), "i/fault.i0", fields);
    if (diff.empty()) break;
  }
  auto tails = [&] {
    std::string text;
    for (const auto& name : aggregators) text += nodes[name].province->LogTail("aggregator");
    return text + province.LogTail("publisher") + province.LogTail("collector-" + UnitCode(0));
  };
  EXPECT_EQ(pending, "") << "some outbox still holds figures\n" << tails();
  EXPECT_EQ(diff, "") << tails();

  // Each audit log: every figure applied exactly once.
  for (const auto& [name, node] : nodes) {
    if (!node.province->IsRunning(node.name)) continue;
    Status s = node.province->Terminate(node.name);
    EXPECT_TRUE(s.ok()) << name << ": " << s.ToString();
  }
  for (const auto& name : aggregators) {
    SCOPED_TRACE(name);
    testing::AuditSummary audit;
    EXPECT_OK(testing::SummarizeAudit(nodes[name].province->AggregatorDataDir(), &audit));
    EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
    EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
    EXPECT_EQ(audit.records, per_unit * kUnits) << "updates missing from the audit log";
  }
  return {per_unit * kUnits, injected, publisher_moves};
}

void FaultScheduleTest::RunSchedules(Mode mode, uint64_t default_schedules) {
  const uint64_t schedules = EnvOr("TONGHOP_FAULT_SCHEDULES", default_schedules);
  const uint64_t updates = EnvOr("TONGHOP_FAULT_UPDATES", 100'000);
  uint64_t seed = EnvOr("TONGHOP_FAULT_SEED", std::random_device{}());
  size_t survived = 0, total_updates = 0, total_moves = 0;
  std::map<std::string, size_t> total_faults;
  auto by_kind = [](const std::map<std::string, size_t>& faults) {
    size_t all = 0;
    std::string kinds;
    for (const auto& [kind, count] : faults) {
      all += count;
      kinds += fmt::format("{}{} {}", kinds.empty() ? "" : ", ", count, kind);
    }
    return fmt::format("{} faults ({})", all, kinds);
  };
  auto moves = [mode](size_t count) {
    return mode == Mode::kPair ? fmt::format("; the publisher followed the other aggregator {} times", count) : "";
  };
  const int64_t start = MonotonicMs();
  for (uint64_t n = 0; n < schedules; ++n, ++seed) {
    Outcome outcome = RunSchedule(mode, seed, updates);
    if (HasFailure()) {
      ADD_FAILURE() << "schedule with seed " << seed << " failed; replay with TONGHOP_FAULT_SEED=" << seed
                    << " TONGHOP_FAULT_SCHEDULES=1";
      break;
    }
    ++survived;
    total_updates += outcome.updates;
    for (const auto& [kind, count] : outcome.faults) total_faults[kind] += count;
    total_moves += outcome.publisher_moves;
    std::printf("schedule %zu/%llu (seed %llu): %zu updates, %s%s, ok\n", survived,
                static_cast<unsigned long long>(schedules), static_cast<unsigned long long>(seed), outcome.updates,
                by_kind(outcome.faults).c_str(), moves(outcome.publisher_moves).c_str());
    std::fflush(stdout);
  }
  std::printf("fault schedules survived: %zu of %llu, %zu updates, %s injected%s, %.0f s\n", survived,
              static_cast<unsigned long long>(schedules), total_updates, by_kind(total_faults).c_str(),
              moves(total_moves).c_str(), (MonotonicMs() - start) / 1000.0);
}

TEST_F(FaultScheduleTest, NothingLostNothingCountedTwiceUnderRandomFaults) { RunSchedules(Mode::kSingle, 3); }

TEST_F(FaultScheduleTest, APairConvergesUnderRandomFaults) { RunSchedules(Mode::kPair, 2); }

}  // namespace
}  // namespace tonghop
