#include "bench/pair_bench.h"

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "bench/province_run.h"
#include "tests/mini_province.h"

namespace tonghop::bench {
namespace {

namespace fs = std::filesystem;

constexpr char kSingleCeiling[] = "one aggregator, wal, 11 collectors";
constexpr double kFixedRate = 10'000;

// What one configuration (one aggregator, or a pair) carries.
struct IngestFigures {
  double saturated_per_s = 0;
  Latency saturated, fixed, fixed_round_trips;
  double real_collector_per_s = 0;
};

// On a province whose load generator and real collectors deliver to `endpoints`: 11 simulated
// collectors at saturation, then at kFixedRate, then one real collector's drop file.
Status MeasureIngest(Province& p, const Workload& workload, const BenchOptions& options, const std::string& endpoints,
                     IngestFigures* out) {
  TONGHOP_RETURN_IF_ERROR(Measure(p, {11, options.run_seconds, 0}, &out->saturated_per_s, &out->saturated));
  double achieved = 0;
  TONGHOP_RETURN_IF_ERROR(
      Measure(p, {11, options.latency_seconds, kFixedRate}, &achieved, &out->fixed, nullptr, &out->fixed_round_trips));
  const int figures = options.quick ? 2'000 : 10'000;
  const int unit = workload.units - 1;
  TONGHOP_RETURN_IF_ERROR(p.nodes.StartCollector(UnitCode(workload, unit), {.aggregator_endpoint = endpoints,
                                                                   .command_prefix = {},
                                                                   .extra_flags = {}}));
  double seconds = 0;
  TONGHOP_RETURN_IF_ERROR(DeliverDropFile(p.nodes, UnitCode(workload, unit), "collector-figures.csv",
                                          StoredFiguresCsv(workload, unit, 0, figures), &seconds));
  out->real_collector_per_s = figures / seconds;
  return Status::OK();
}

void AddIngest(BenchReport& report, const std::string& what, const IngestFigures& f, int collector_figures) {
  AddLatency(report, fmt::format("at saturation, wal, {}", what), f.saturated);
  AddLatency(report, fmt::format("at {:.0f}/s, wal, {}", kFixedRate, what), f.fixed);
  report.Add("pair", fmt::format("delivery round trip p50 at {:.0f}/s, {}", kFixedRate, what),
             f.fixed_round_trips.p50_ms, "ms", fmt::format("{} batches, from the send to every ack", f.fixed_round_trips.samples));
  report.Add("pair", fmt::format("delivery round trip p99 at {:.0f}/s, {}", kFixedRate, what),
             f.fixed_round_trips.p99_ms, "ms", fmt::format("{} batches", f.fixed_round_trips.samples));
  report.Add("pair", fmt::format("one real collector to {}: drop file to all acked", what), f.real_collector_per_s,
             "figures/s", fmt::format("{} figures, fsynced outbox", collector_figures));
}

// The same simulated load against one aggregator, then against a pair (each update to both,
// delivered once both acked), each on a fresh province.
Status MeasurePairIngest(const Workload& workload, const BenchOptions& options, const std::string& work_dir,
                         BenchReport& report) {
  spdlog::info("ingest: one aggregator, then a pair, each at saturation and at {:.0f}/s", kFixedRate);
  IngestFigures single, pair;
  {
    std::unique_ptr<Province> p;
    TONGHOP_RETURN_IF_ERROR(StartProvince(work_dir + "/pair-single", workload, Durability::kWal, options, &p));
    TONGHOP_RETURN_IF_ERROR(MeasureIngest(*p, workload, options, p->nodes.IngestEndpoint(), &single));
  }
  {
    testing::MiniProvince b(work_dir + "/pair-b", work_dir + "/catalog");
    TONGHOP_RETURN_IF_ERROR(b.StartAggregator(AggregatorFlags(Durability::kWal, options)));
    std::unique_ptr<Province> a;
    TONGHOP_RETURN_IF_ERROR(StartProvince(work_dir + "/pair-a", workload, Durability::kWal, options, &a));
    // The publisher and the subscribers follow A, as OPERATIONS.md says to run a pair.
    const std::vector<std::string> endpoints = {a->nodes.IngestEndpoint(), b.IngestEndpoint()};
    a->load = std::make_unique<LoadGenerator>(a->context, workload, endpoints, &a->probes);
    TONGHOP_RETURN_IF_ERROR(MeasureIngest(*a, workload, options, endpoints[0] + "," + endpoints[1], &pair));
  }
  const int collector_figures = options.quick ? 2'000 : 10'000;
  report.Add("ceiling", kSingleCeiling, single.saturated_per_s, "updates/s",
             "the same load and machine, delivered to one aggregator, just before the pair");
  Figure& f = report.Add("pair", "a pair, wal, 11 collectors, delivered to both", pair.saturated_per_s, "updates/s",
                         "every update to A and B, counted once both acked; A, B, publisher, 2 subscribers on one machine");
  report.AddRatios(f, {kSingleCeiling});
  AddIngest(report, "one aggregator", single, collector_figures);
  AddIngest(report, "a pair", pair, collector_figures);
  return Status::OK();
}

// Delivers a drop file per collector (the `file`-th of each) and waits until the aggregator at
// `only_to` ("" for every aggregator) holds them all. A file holds the unit's figure of every
// indicator but the live counters (whose totals the subscribers check) for the live month, as a
// month's report does (the first file's are new figures, the later ones correct them); none makes
// the aggregator read a stored month's units from disk.
Status DeliverFiles(const testing::MiniProvince& nodes, const Workload& workload, const std::vector<int>& units,
                    int file, const std::string& only_to) {
  std::string csv = "indicator,period,value\n";
  for (int i = workload.live_indicators; i < workload.indicators; ++i) {
    csv += fmt::format("{},{},{}\n", IndicatorId(i), workload.live_period, file * 1000 + i + 1);
  }
  for (int unit : units) {
    double seconds = 0;
    TONGHOP_RETURN_IF_ERROR(
        DeliverDropFile(nodes, UnitCode(workload, unit), fmt::format("file-{}.csv", file), csv, &seconds, only_to));
  }
  return Status::OK();
}

// OPERATIONS.md's rebuild of A from B's online backup, B holding `stored` figures, each step
// timed: the backup with ingest beside it, the copy into A's data folder, A's start until
// "ready:", and the real collectors delivering to A what it lacks until "pending: 0".
Status MeasureRebuild(const Workload& workload, const BenchOptions& options, const std::string& work_dir,
                      uint64_t stored, BenchReport& report) {
  spdlog::info("rebuild of one aggregator of a pair from the other's backup of {} stored figures", stored);
  const std::string root_b = work_dir + "/rebuild-b";
  fs::create_directories(root_b);
  TONGHOP_RETURN_IF_ERROR(Preload(workload, root_b + "/aggregator", stored));
  std::unique_ptr<Province> b;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root_b, workload, Durability::kWal, options, &b));
  testing::MiniProvince a(work_dir + "/rebuild-a", work_dir + "/catalog");
  a.set_ready_timeout_ms(600'000);
  TONGHOP_RETURN_IF_ERROR(a.StartAggregator(AggregatorFlags(Durability::kWal, options)));

  // Real collectors of the pair, beside B's simulated ones (units 0 to 10).
  std::vector<int> units;
  for (int i = 0; i < (options.quick ? 2 : 8); ++i) units.push_back(workload.units - 1 - i);
  for (int unit : units) {
    TONGHOP_RETURN_IF_ERROR(b->nodes.StartCollector(
        UnitCode(workload, unit), {.aggregator_endpoint = a.IngestEndpoint() + "," + b->nodes.IngestEndpoint(),
                         .command_prefix = {},
                         .extra_flags = {}}));
  }
  TONGHOP_RETURN_IF_ERROR(DeliverFiles(b->nodes, workload, units, 0, ""));
  // A loses its disk; the collectors go on delivering to B and keep the figures pending for A.
  TONGHOP_RETURN_IF_ERROR(a.Kill("aggregator"));
  fs::remove_all(a.AggregatorDataDir());
  TONGHOP_RETURN_IF_ERROR(DeliverFiles(b->nodes, workload, units, 1, b->nodes.IngestEndpoint()));

  const std::string backup = work_dir + "/rebuild-backup";
  double backup_s = 0, during = 0;
  TONGHOP_RETURN_IF_ERROR(BackupBesideIngest(*b, options, backup, &backup_s, &during));
  const uint64_t bytes = DirectoryBytes(backup);
  // What reaches B after the backup reaches A only from the collectors. Not timed: in a province
  // it arrives while the copy and the start run.
  TONGHOP_RETURN_IF_ERROR(DeliverFiles(b->nodes, workload, units, 2, b->nodes.IngestEndpoint()));
  const int64_t copy_start = SteadyNs();
  fs::copy(backup, a.AggregatorDataDir(), fs::copy_options::recursive);
  const int64_t copied = SteadyNs();
  TONGHOP_RETURN_IF_ERROR(a.Restart("aggregator"));
  const int64_t ready = SteadyNs();
  for (int unit : units) {
    while (b->nodes.CollectorStatus(UnitCode(workload, unit))["pending"] != "0") {
      if (SteadyNs() - ready > 300'000'000'000) {
        return Status::Unavailable(fmt::format("the collector of {} did not deliver to the rebuilt aggregator in 300 s:"
                                               "\n{}\n{}", UnitCode(workload, unit), b->nodes.LogTail("collector-" + UnitCode(workload, unit)),
                                               a.LogTail("aggregator")));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  const int64_t caught_up = SteadyNs();
  const double total_s = backup_s + (caught_up - copy_start) / 1e9;
  report.Add("rebuild", fmt::format("rebuild of a replica of {} figures, in all", stored), total_s, "s",
             "the four steps below, one after the other");
  report.Add("rebuild", "1. tonghop backup of B, beside ingest", backup_s, "s",
             fmt::format("{:.0f} MB copied and checked; B ingesting {:.0f} updates/s meanwhile (11 collectors)",
                         bytes / 1e6, during));
  report.Add("rebuild", "2. copy of the backup into A's data folder", (copied - copy_start) / 1e9, "s",
             "std::filesystem::copy on the same disk, not synced");
  report.Add("rebuild", "3. start of A until ready:", (ready - copied) / 1e9, "s",
             "checks every file of the backup, starts a new stream");
  report.Add("rebuild", "4. collectors deliver to A what it lacks, until pending: 0", (caught_up - ready) / 1e9, "s",
             fmt::format("{} real collectors; {} figures each sent to B while A was down, half of them after the backup",
                         units.size(), 2 * (workload.indicators - workload.live_indicators)));
  std::error_code ignored;
  fs::remove_all(backup, ignored);
  return Status::OK();
}

}  // namespace

Status MeasurePair(const Workload& workload, const BenchOptions& options, const std::string& work_dir,
                   BenchReport& report) {
  TONGHOP_RETURN_IF_ERROR(MeasurePairIngest(workload, options, work_dir, report));
  return MeasureRebuild(workload, options, work_dir, options.stored_values, report);
}

}  // namespace tonghop::bench
