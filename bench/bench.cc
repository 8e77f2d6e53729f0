#include "bench/bench.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sys/resource.h>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aggregator/aggregator.h"
#include "bench/bench_report.h"
#include "bench/ceilings.h"
#include "bench/flooder.h"
#include "bench/history_clients.h"
#include "bench/failover_bench.h"
#include "bench/flood_bench.h"
#include "bench/load_generator.h"
#include "bench/metrics_scraper.h"
#include "bench/national_bench.h"
#include "bench/pair_bench.h"
#include "bench/province_run.h"
#include "bench/sse_pool.h"
#include "bench/subscriber_pool.h"
#include "bench/workload.h"
#include "core/testing/resident_memory_sampler.h"
#include "tests/mini_province.h"
#include "core/testing/http_client.h"

namespace tonghop::bench {
namespace {

namespace fs = std::filesystem;

using testing::ResidentMemorySampler;

constexpr char kRawCeiling[] = "raw DEALER->ROUTER acks";
constexpr char kRocksWal[] = "RocksDB batches, wal";
constexpr char kRocksFsync[] = "RocksDB batches, fsync";
constexpr char kNaiveWal[] = "naive pipeline, wal";
constexpr char kNaiveFsync[] = "naive pipeline, fsync";

// Every simulated collector and subscriber holds sockets; the aggregator (a child, inheriting the
// limit) a connection per collector.
void RaiseOpenFileLimit() {
  rlimit limit{};
  if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < limit.rlim_max) {
    limit.rlim_cur = limit.rlim_max;
    setrlimit(RLIMIT_NOFILE, &limit);
  }
}

// 11 collectors offering all they can: the throughput figure of `durability` with its ratios to
// the ceilings, and the latency under that load.
Status MeasureSaturation(Province& p, Durability durability, const BenchOptions& options, BenchReport& report,
                         double* per_s) {
  const bool wal = durability == Durability::kWal;
  Latency latency;
  TONGHOP_RETURN_IF_ERROR(Measure(p, {11, options.run_seconds, 0}, per_s, &latency));
  Figure& f = report.Add("throughput", fmt::format("pipeline, {}, 11 collectors", DurabilityName(durability)), *per_s,
                         "updates/s", fmt::format("{} subscribers", options.subscribers));
  report.AddRatios(f, {kRawCeiling, wal ? kRocksWal : kRocksFsync, wal ? kNaiveWal : kNaiveFsync});
  AddLatency(report, fmt::format("at saturation, {}", DurabilityName(durability)), latency);
  return Status::OK();
}

Status MeasureCeilings(const Workload& workload, const BenchOptions& options, const std::string& root,
                       BenchReport& report) {
  CeilingRun run;
  run.seconds = options.run_seconds;
  run.dir = root + "/ceiling-db";
  CeilingResult result;
  spdlog::info("ceilings: raw DEALER->ROUTER, RocksDB batches and the naive pipeline, {} s each", run.seconds);
  TONGHOP_RETURN_IF_ERROR(MeasureRawDealerRouter(workload, run, &result));
  report.Add("ceiling", kRawCeiling, result.updates_per_s, "updates/s", "batches of 100, acked per message");
  for (Durability d : {Durability::kWal, Durability::kFsync}) {
    TONGHOP_RETURN_IF_ERROR(MeasureRocksDbBatches(workload, d, run, &result));
    report.Add("ceiling", d == Durability::kWal ? kRocksWal : kRocksFsync, result.updates_per_s, "updates/s",
               fmt::format("value, audit and history records per update, {} a batch",
                           AggregatorOptions().max_batch_updates));
  }
  for (Durability d : {Durability::kWal, Durability::kFsync}) {
    TONGHOP_RETURN_IF_ERROR(MeasureNaivePipeline(workload, d, run, &result));
    report.Add("ceiling", d == Durability::kWal ? kNaiveWal : kNaiveFsync, result.updates_per_s, "updates/s",
               "ROUTER, parse, WriteBatch, map of totals, ack, PUB to 1 SUB");
  }
  return Status::OK();
}

// One real tonghop-collector: a drop file of `figures` figures, timed from the drop to an empty
// outbox, and its resident memory then.
Status MeasureRealCollector(Province& p, const Workload& workload, int figures, BenchReport& report) {
  const int unit_index = workload.units - 1;
  const std::string unit = UnitCode(workload, unit_index);
  TONGHOP_RETURN_IF_ERROR(p.nodes.StartCollector(unit));
  double seconds = 0;
  TONGHOP_RETURN_IF_ERROR(DeliverDropFile(p.nodes, unit, "collector-figures.csv",
                                          StoredFiguresCsv(workload, unit_index, 0, figures), &seconds));
  report.Add("collector", "one real collector: drop file to all acked", figures / seconds, "figures/s",
             fmt::format("{} figures, fsynced outbox, scan every 100 ms", figures));
  report.Add("memory", "collector resident", ResidentMemorySampler::ResidentMegabytes(p.nodes.Pid("collector-" + unit)), "MB",
             fmt::format("after sending {} figures", figures));
  return Status::OK();
}

// Issue 10, finding 2: one peer floods heartbeats and never reads the answers. The other collectors'
// throughput at saturation and their ack round trips at 10,000/s, with and without it.
Status MeasureUnderFlood(Province& p, const BenchOptions& options, BenchReport& report) {
  spdlog::info("one peer flooding heartbeats without reading: the others' throughput and round trips");
  double clean_per_s = 0, flooded_per_s = 0, achieved = 0;
  Latency latency, clean_rtt, flooded_rtt;
  TONGHOP_RETURN_IF_ERROR(Measure(p, {11, options.run_seconds, 0}, &clean_per_s, &latency));
  TONGHOP_RETURN_IF_ERROR(Measure(p, {11, options.latency_seconds, 10'000}, &achieved, &latency, nullptr, &clean_rtt));
  Flooder flooder(p.context, p.nodes.IngestEndpoint());
  flooder.Start();
  std::this_thread::sleep_for(std::chrono::seconds(2));  // its answers fill their queue at the aggregator
  Status flooded = Measure(p, {11, options.run_seconds, 0}, &flooded_per_s, &latency);
  if (flooded.ok()) flooded = Measure(p, {11, options.latency_seconds, 10'000}, &achieved, &latency, nullptr, &flooded_rtt);
  flooder.Stop();
  TONGHOP_RETURN_IF_ERROR(flooded);
  report.Add("attack", "11 collectors, no attack", clean_per_s, "updates/s", "wal, the same province, just before");
  report.Add("attack", "11 collectors, one peer flooding", flooded_per_s, "updates/s",
             fmt::format("{:.0f}% of the run without it; {} heartbeats flooded, none read", flooded_per_s / clean_per_s * 100,
                         flooder.sent()));
  report.Add("attack", "ack round trip p99 at 10000/s, no attack", clean_rtt.p99_ms, "ms",
             fmt::format("{} batches", clean_rtt.samples));
  report.Add("attack", "ack round trip p99 at 10000/s, one peer flooding", flooded_rtt.p99_ms, "ms",
             fmt::format("{} batches; target under 50 ms", flooded_rtt.samples));
  return Status::OK();
}

Status MeasureLiveProvince(const Workload& workload, const BenchOptions& options, const std::string& root,
                           BenchReport& report) {
  spdlog::info("province with durability wal: throughput, latency, collectors 11/100/1000");
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p));
  double max_per_s = 0;
  TONGHOP_RETURN_IF_ERROR(MeasureSaturation(*p, Durability::kWal, options, report, &max_per_s));
  Latency latency;

  for (double rate : {1'000.0, 10'000.0, std::floor(max_per_s / 2)}) {
    double achieved = 0;
    TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.latency_seconds, rate}, &achieved, &latency));
    AddLatency(report, fmt::format("at {:.0f}/s, wal", rate), latency);
  }
  for (int collectors : {100, 1000}) {
    double per_s = 0;
    TONGHOP_RETURN_IF_ERROR(Measure(*p, {collectors, options.run_seconds, 0}, &per_s, &latency));
    Figure& f = report.Add("scaling", fmt::format("pipeline, wal, {} collectors", collectors), per_s, "updates/s",
                           fmt::format("{:+.0f}% against 11", (per_s / max_per_s - 1) * 100));
    report.AddRatios(f, {kNaiveWal});
  }
  TONGHOP_RETURN_IF_ERROR(MeasureUnderFlood(*p, options, report));
  report.Add("memory", "aggregator resident", ResidentMemorySampler::ResidentMegabytes(p->nodes.Pid("aggregator")), "MB",
             "after the runs above");
  report.Add("memory", "publisher resident", ResidentMemorySampler::ResidentMegabytes(p->nodes.Pid("publisher")), "MB", "after the runs above");
  return MeasureRealCollector(*p, workload, options.quick ? 2'000 : 10'000, report);
}

Status MeasureFsyncProvince(const Workload& workload, const BenchOptions& options, const std::string& root,
                            BenchReport& report) {
  spdlog::info("province with durability fsync: throughput and latency at 10,000/s");
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kFsync, options, &p));
  double per_s = 0;
  TONGHOP_RETURN_IF_ERROR(MeasureSaturation(*p, Durability::kFsync, options, report, &per_s));
  Latency latency;
  double achieved = 0;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.latency_seconds, 10'000}, &achieved, &latency));
  AddLatency(report, "at 10000/s, fsync", latency);
  return Status::OK();
}

// Throughput over `stored` figures already in the database, and for the largest count the
// restart: SIGKILL, start again, time until it serves.
Status MeasureStored(const Workload& workload, const BenchOptions& options, const std::string& root, uint64_t stored,
                     bool restart, BenchReport& report) {
  spdlog::info("province over {} stored figures", stored);
  fs::create_directories(root);
  const int64_t start = SteadyNs();
  TONGHOP_RETURN_IF_ERROR(Preload(workload, root + "/aggregator", stored));
  const double preload_s = (SteadyNs() - start) / 1e9;
  std::unique_ptr<Province> p;
  double first_start_ms = 0;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p, &first_start_ms));
  double per_s = 0;
  Latency latency;
  uint64_t acked = 0;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.run_seconds, 0}, &per_s, &latency, &acked));
  Figure& f = report.Add("stored", fmt::format("pipeline, wal, over {} stored figures", stored), per_s, "updates/s",
                         fmt::format("stored in {:.1f} s; first start {:.1f} s", preload_s, first_start_ms / 1e3));
  report.AddRatios(f, {kNaiveWal});
  if (!restart) return Status::OK();
  report.Add("memory", fmt::format("aggregator resident, {} figures", stored),
             ResidentMemorySampler::ResidentMegabytes(p->nodes.Pid("aggregator")), "MB");
  TONGHOP_RETURN_IF_ERROR(p->nodes.Kill("aggregator"));
  const int64_t killed = SteadyNs();
  TONGHOP_RETURN_IF_ERROR(p->nodes.Restart("aggregator"));
  report.Add("stored", fmt::format("restart to serving, {} figures", stored), (SteadyNs() - killed) / 1e9, "s",
             "SIGKILL, start, until the ingest endpoint is bound (\"ready:\")");
  report.Add("stored", "RocksDB bytes per stored figure", static_cast<double>(DirectoryBytes(root + "/aggregator")) /
             static_cast<double>(stored + acked), "bytes",
             "whole database directory (values, audit log, aggregates, WAL) / figures ever stored");
  return Status::OK();
}

// The collectors' ack round trips of a latency run: the aggregator's share of the probe's latency,
// which also crosses the feed, the publisher and a subscriber.
void AddRoundTrips(BenchReport& report, const std::string& beside, const Latency& round_trips) {
  const std::string note = fmt::format("{} batches, from the send to the ack", round_trips.samples);
  report.Add("latency", fmt::format("ack round trip at 10000/s, {}, p50", beside), round_trips.p50_ms, "ms", note);
  report.Add("latency", fmt::format("ack round trip at 10000/s, {}, p99", beside), round_trips.p99_ms, "ms", note);
}

// The floor under the collectors' ack round trips at 10,000/s on this machine: the naive pipeline
// (bench/ceilings.h) under the same load generator, measured in the same run as the figures it
// bounds.
Status MeasureRoundTripCeiling(const Workload& workload, const BenchOptions& options, const std::string& dir,
                               BenchReport& report) {
  CeilingRun run;
  run.seconds = options.latency_seconds;
  run.dir = dir;
  Latency ceiling;
  TONGHOP_RETURN_IF_ERROR(MeasureNaivePipelineRoundTrips(workload, Durability::kWal, run, 10'000, &ceiling));
  const std::string note = fmt::format("{} batches; ROUTER, parse, WriteBatch, map of totals, ack, PUB", ceiling.samples);
  report.Add("ceiling", "ack round trip at 10000/s, naive pipeline, wal, p50", ceiling.p50_ms, "ms", note);
  report.Add("ceiling", "ack round trip at 10000/s, naive pipeline, wal, p99", ceiling.p99_ms, "ms", note);
  return Status::OK();
}

// Latency at 10,000 updates/s over `stored` figures, without and then with office clients asking
// for province histories of the stored months (each history a thousand units' records) as fast as
// they are answered: what queries cost ingest now that they have their own thread.
Status MeasureQueries(const Workload& workload, const BenchOptions& options, const std::string& root, uint64_t stored,
                      BenchReport& report) {
  spdlog::info("province over {} stored figures: latency at 10,000/s without and with {} history clients", stored,
               options.history_clients);
  fs::create_directories(root);
  TONGHOP_RETURN_IF_ERROR(Preload(workload, root + "/aggregator", stored));
  TONGHOP_RETURN_IF_ERROR(MeasureRoundTripCeiling(workload, options, root + "/ceiling-db", report));
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p));
  LoadResult warm_up;
  TONGHOP_RETURN_IF_ERROR(p->load->Run(kConnectingRun, &warm_up));
  double achieved = 0;
  Latency latency, round_trips;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.latency_seconds, 10'000}, &achieved, &latency, nullptr, &round_trips));
  AddLatency(report, fmt::format("at 10000/s, wal, {} stored, no queries", stored), latency);
  AddRoundTrips(report, "no queries", round_trips);

  std::vector<tonghop::v1::HistoryRequest> requests;
  tonghop::v1::IndicatorUpdate update;
  const uint64_t per_unit = static_cast<uint64_t>(workload.units);
  for (uint64_t i = 0; i < stored; i += per_unit) {  // unit 0's figure of each (indicator, month) stored
    MakeStoredUpdate(workload, i, &update);
    tonghop::v1::HistoryRequest history;
    history.set_indicator(update.indicator());
    history.set_period(update.period());
    requests.push_back(std::move(history));
  }
  HistoryClients clients(p->context, p->nodes.QueryEndpoint(), std::move(requests));
  clients.Start(options.history_clients);
  Status measured = Measure(*p, {11, options.latency_seconds, 10'000}, &achieved, &latency, nullptr, &round_trips);
  HistoryStats stats;
  Status stopped = clients.Stop(&stats);
  TONGHOP_RETURN_IF_ERROR(measured);
  TONGHOP_RETURN_IF_ERROR(stopped);
  AddLatency(report, fmt::format("at 10000/s, wal, {} stored, {} history clients", stored, options.history_clients),
             latency);
  AddRoundTrips(report, fmt::format("{} history clients", options.history_clients), round_trips);
  report.Add("queries", "province histories answered beside 10000/s", stats.answered / stats.seconds, "queries/s",
             fmt::format("{} clients, {} answers of {:.0f} revisions each; one query p50 {:.1f} ms, p99 {:.1f} ms",
                         options.history_clients, stats.answered,
                         stats.answered ? static_cast<double>(stats.revisions) / stats.answered : 0.0, stats.p50_ms,
                         stats.p99_ms));
  return Status::OK();
}

// An online backup (`tonghop backup`) of `stored` figures while 11 collectors offer all they can:
// how long the backup takes, and what ingest carries meanwhile against what it carries without it.
Status MeasureBackup(const Workload& workload, const BenchOptions& options, const std::string& root, uint64_t stored,
                     BenchReport& report) {
  spdlog::info("province over {} stored figures: an online backup beside ingest at saturation", stored);
  fs::create_directories(root);
  TONGHOP_RETURN_IF_ERROR(Preload(workload, root + "/aggregator", stored));
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p));
  double without = 0;
  Latency latency;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.run_seconds, 0}, &without, &latency));

  const std::string output = root + "/backup";
  double backup_s = 0, during = 0;
  TONGHOP_RETURN_IF_ERROR(BackupBesideIngest(*p, options, output, &backup_s, &during));
  const uint64_t bytes = DirectoryBytes(output);
  report.Add("backup", fmt::format("online backup of {} stored figures, beside ingest", stored), backup_s, "s",
             fmt::format("{:.0f} MB copied and checked: {:.0f} MB/s", bytes / 1e6, bytes / 1e6 / backup_s));
  report.Add("backup", "pipeline, wal, 11 collectors, during the backup", during, "updates/s",
             fmt::format("{:+.0f}% against {:.0f}/s without it, just before", (during / without - 1) * 100, without));
  std::error_code ignored;
  fs::remove_all(output, ignored);
  return Status::OK();
}

// The web node's seq (the feed's), 0 when it does not answer.
uint64_t WebSeq(const testing::MiniProvince& nodes) {
  testing::HttpResponse status;
  if (!testing::HttpGet(nodes.web_port(), "/api/v1/status", &status).ok() || status.status != 200) return 0;
  return nlohmann::json::parse(status.body)["seq"].get<uint64_t>();
}

// Issue 13: tonghop-web's event stream. options.sse_clients clients follow it while the collectors
// offer options.sse_updates_per_s: how many of them received every change (each version the
// aggregator issued meanwhile, with no snapshot and no cut-off), and how long from a collector
// accepting a figure to a client receiving it.
Status MeasureWebStreams(const Workload& workload, const BenchOptions& options, const std::string& root,
                         BenchReport& report) {
  const int clients = options.sse_clients;
  const double rate = options.sse_updates_per_s;
  spdlog::info("web node: {} event streams at {:.0f} updates/s", clients, rate);
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p));
  TONGHOP_RETURN_IF_ERROR(p->nodes.StartWeb({"--max_streams", std::to_string(clients + 10)}));
  SsePool streams(p->nodes.web_port(), workload.live_period, &p->probes);
  TONGHOP_RETURN_IF_ERROR(streams.Start(clients, 60'000));
  // A first run makes the live month's totals, so that the measured one only changes them.
  double per_s = 0;
  Latency latency;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, 1.0, rate}, &per_s, &latency));
  int64_t reached = 0;
  TONGHOP_RETURN_IF_ERROR(streams.WaitForState(p->load->ExpectedTotals(), p->load->last_probe_seq(),
                                               kSubscriberCatchUpMs, &reached));

  const uint64_t seq_before = WebSeq(p->nodes);
  const int64_t start = SteadyNs();
  streams.StartSampling(start);
  p->subscribers->StartSampling(start);
  LoadResult result;
  TONGHOP_RETURN_IF_ERROR(p->load->Run({11, options.latency_seconds, rate}, &result));
  TONGHOP_RETURN_IF_ERROR(streams.WaitForState(p->load->ExpectedTotals(), p->load->last_probe_seq(),
                                               kSubscriberCatchUpMs, &reached));
  const uint64_t issued = WebSeq(p->nodes) - seq_before;
  const double seconds = (reached - start) / 1e9;
  const std::vector<SsePool::Tally> tallies = streams.Tallies();
  // Seqs are unique: as many ids as were issued, adding up to theirs, are theirs.
  uint64_t issued_sum = 0;
  for (uint64_t seq = seq_before + 1; seq <= seq_before + issued; ++seq) issued_sum += seq;
  int every_change = 0, cut_off = 0;
  uint64_t fewest = UINT64_MAX, bytes = 0;
  for (const SsePool::Tally& t : tallies) {
    every_change += t.versions == issued && t.id_sum == issued_sum && t.snapshots == 0 && !t.closed;
    cut_off += t.closed;
    fewest = std::min(fewest, t.versions);
    bytes += t.bytes;
  }
  spdlog::info("{} of {} streams received all {} versions ({} updates acked in {:.1f} s); fewest {}; {} cut off",
               every_change, clients, issued, result.acked, seconds, fewest, cut_off);
  report.Add("web", fmt::format("event streams receiving every change at {:.0f} updates/s", rate), every_change,
             "streams", fmt::format("of {} ({} cut off); {} versions each in {:.1f} s ({:.0f} versions/s, {:.1f} MB/s "
                                    "a stream); {} updates acked", clients, cut_off, issued, seconds, issued / seconds,
                                    bytes / static_cast<double>(clients) / seconds / 1e6, result.acked));
  AddLatency(report, fmt::format("to {} event streams at {:.0f}/s", clients, rate), Summarize(streams.TakeSamples()));
  AddLatency(report, fmt::format("to {} Clone subscribers meanwhile", options.subscribers), Summarize(p->subscribers->TakeSamples()));
  report.Add("memory", "web node resident", ResidentMemorySampler::ResidentMegabytes(p->nodes.Pid("web")), "MB",
             fmt::format("{} streams open, after the run", clients));
  return Status::OK();
}

// What metrics cost ingest: 11 collectors at saturation (wal) in one province whose nodes serve
// /metrics, without a scraper and with one GETting every node's /metrics each scrape interval,
// alternated for `metrics_rounds` rounds; the medians of each.
Status MeasureMetricsCost(const Workload& workload, const BenchOptions& options, const std::string& root,
                          BenchReport& report) {
  spdlog::info("province with metrics: throughput without and with a scraper every {} ms, {} rounds",
               options.scrape_interval_ms, options.metrics_rounds);
  std::unique_ptr<Province> p;
  TONGHOP_RETURN_IF_ERROR(StartProvince(root, workload, Durability::kWal, options, &p, nullptr, /*metrics=*/true));
  std::vector<double> without, with;
  uint64_t scrapes = 0, failures = 0, bytes = 0;
  Latency latency;
  double per_s = 0;
  TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.run_seconds, 0}, &per_s, &latency));  // warm-up
  for (int round = 0; round < options.metrics_rounds; ++round) {
    TONGHOP_RETURN_IF_ERROR(Measure(*p, {11, options.run_seconds, 0}, &per_s, &latency));
    without.push_back(per_s);
    MetricsScraper scraper({p->nodes.MetricsAddress("aggregator"), p->nodes.MetricsAddress("publisher")},
                           options.scrape_interval_ms);
    scraper.Start();
    Status measured = Measure(*p, {11, options.run_seconds, 0}, &per_s, &latency);
    scraper.Stop();
    TONGHOP_RETURN_IF_ERROR(measured);
    with.push_back(per_s);
    scrapes += scraper.scrapes();
    failures += scraper.failures();
    bytes = scraper.last_bytes();
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  const double clean = median(without), scraped = median(with);
  report.Add("metrics", "pipeline, wal, 11 collectors, not scraped", clean, "updates/s",
             fmt::format("median of {} runs; every node serving /metrics", without.size()));
  report.Add("metrics", fmt::format("pipeline, wal, 11 collectors, scraped every {} ms", options.scrape_interval_ms),
             scraped, "updates/s",
             fmt::format("median of {} runs, alternated with the above: {:+.1f}%; {} scrapes of aggregator and publisher "
                         "({} failed), {} bytes a round", with.size(), (scraped / clean - 1) * 100, scrapes, failures, bytes));
  return Status::OK();
}

}  // namespace

Status RunBench(BenchOptions options) {
  if (options.quick) {
    options.run_seconds = std::min(options.run_seconds, 1.5);
    options.latency_seconds = std::min(options.latency_seconds, 2.0);
    options.flood_seconds = std::min(options.flood_seconds, 3.0);
    options.stored_values = std::min<uint64_t>(options.stored_values, 100'000);
    options.flood_seconds = std::min(options.flood_seconds, 2.0);
    options.national_seconds = std::min(options.national_seconds, 3.0);
  }
  RaiseOpenFileLimit();
  const bool own_dir = options.work_dir.empty();
  if (own_dir) {
    std::string pattern = (fs::temp_directory_path() / "tonghop-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) return Status::IOError("cannot make a folder under /tmp");
    options.work_dir = pattern;
  }
  Workload workload;
  TONGHOP_RETURN_IF_ERROR(WriteCatalog(workload, options.work_dir + "/catalog"));
  BenchReport report(DescribeMachine(), options.command);
  auto runs = [&](const std::string& part) {
    return options.only.empty() || std::find(options.only.begin(), options.only.end(), part) != options.only.end();
  };
  Status status;
  if (runs("ceilings")) status = MeasureCeilings(workload, options, options.work_dir, report);
  if (status.ok() && runs("live")) status = MeasureLiveProvince(workload, options, options.work_dir + "/wal", report);
  if (status.ok() && runs("fsync")) status = MeasureFsyncProvince(workload, options, options.work_dir + "/fsync", report);
  if (status.ok() && runs("queries")) {
    status = MeasureQueries(workload, options, options.work_dir + "/queries", options.quick ? 100'000 : 1'000'000, report);
  }
  if (status.ok() && runs("stored")) {
    status = MeasureStored(workload, options, options.work_dir + "/stored-small", options.quick ? 1'000 : 10'000, false, report);
  }
  if (status.ok() && runs("stored")) {
    status = MeasureStored(workload, options, options.work_dir + "/stored-large", options.stored_values, true, report);
  }
  if (status.ok() && runs("backup")) {
    status = MeasureBackup(workload, options, options.work_dir + "/backup", options.stored_values, report);
  }
  if (status.ok() && runs("pair")) status = MeasurePair(workload, options, options.work_dir, report);
  if (status.ok() && runs("flood")) {
    status = MeasureFloods(options, options.work_dir + "/flood", report);
  }
  if (status.ok() && runs("failover")) status = MeasureFailovers(workload, options, options.work_dir + "/failover", report);
  if (status.ok() && runs("metrics")) status = MeasureMetricsCost(workload, options, options.work_dir + "/metrics", report);
  if (status.ok() && runs("web")) status = MeasureWebStreams(workload, options, options.work_dir + "/web", report);
  if (status.ok() && runs("national")) status = MeasureNation(options, options.work_dir + "/national", report);
  std::cout << report.Table() << std::flush;
  if (!options.json_file.empty()) {
    Status written = report.WriteJson(options.json_file);
    if (status.ok()) status = written;
  }
  if (own_dir) {
    std::error_code error;
    fs::remove_all(options.work_dir, error);
  }
  return status;
}

}  // namespace tonghop::bench
