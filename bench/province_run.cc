#include "bench/province_run.h"

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/wire_protocol.h"

namespace tonghop::bench {

namespace fs = std::filesystem;

uint64_t DirectoryBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code error;
  for (const auto& entry : fs::recursive_directory_iterator(dir, error)) {
    if (entry.is_regular_file(error)) total += entry.file_size(error);
  }
  return total;
}

std::string DurabilityName(Durability d) { return d == Durability::kWal ? "wal" : "fsync"; }

std::vector<std::string> AggregatorFlags(Durability durability, const BenchOptions& options) {
  std::vector<std::string> flags = {"--durability", DurabilityName(durability)};
  flags.insert(flags.end(), options.aggregator_flags.begin(), options.aggregator_flags.end());
  return flags;
}

Status StartProvince(const std::string& root, const Workload& workload, Durability durability,
                     const BenchOptions& options, std::unique_ptr<Province>* out, double* ready_ms, bool metrics) {
  auto p = std::make_unique<Province>(root);
  p->nodes.set_ready_timeout_ms(600'000);
  p->nodes.set_metrics(metrics);
  const int64_t start = SteadyNs();
  TONGHOP_RETURN_IF_ERROR(p->nodes.StartAggregator(AggregatorFlags(durability, options)));
  if (ready_ms) *ready_ms = (SteadyNs() - start) / 1e6;
  TONGHOP_RETURN_IF_ERROR(p->nodes.StartPublisher());
  p->load = std::make_unique<LoadGenerator>(p->context, workload,
                                            p->nodes.IngestEndpoint(), &p->probes);
  p->subscribers = std::make_unique<SubscriberPool>(p->context, p->nodes.PublisherPublishEndpoint(),
                                                     p->nodes.PublisherSnapshotEndpoint(), workload.live_period,
                                                     &p->probes);
  TONGHOP_RETURN_IF_ERROR(p->subscribers->Start(options.subscribers));
  *out = std::move(p);
  return Status::OK();
}

Status Measure(Province& p, const LoadRun& run, double* per_second, Latency* latency, uint64_t* acked,
               Latency* round_trips) {
  const int64_t start = SteadyNs();
  p.subscribers->StartSampling(start);
  LoadResult result;
  TONGHOP_RETURN_IF_ERROR(p.load->Run(run, &result));
  int64_t reached = 0;
  TONGHOP_RETURN_IF_ERROR(
      p.subscribers->WaitForState(p.load->ExpectedTotals(), p.load->last_probe_seq(), kSubscriberCatchUpMs, &reached));
  *per_second = result.acked / ((reached - start) / 1e9);
  if (acked) *acked = result.acked;
  *latency = Summarize(p.subscribers->TakeSamples());
  if (round_trips) *round_trips = Summarize(std::move(result.round_trips_ns));
  spdlog::info("{} collectors, offered {}: {} updates acked and seen in {:.2f} s: {:.0f}/s; probe p50 {:.2f} ms, p99 "
               "{:.2f} ms ({} samples)", run.collectors, run.offered_per_s > 0 ? fmt::format("{:.0f}/s", run.offered_per_s) : "all it can",
               result.acked, (reached - start) / 1e9, *per_second, latency->p50_ms, latency->p99_ms, latency->samples);
  return Status::OK();
}

void AddLatency(BenchReport& report, const std::string& what, const Latency& latency) {
  const std::string note = fmt::format("{} samples", latency.samples);
  report.Add("latency", what + " p50", latency.p50_ms, "ms", note);
  report.Add("latency", what + " p99", latency.p99_ms, "ms", note);
  report.Add("latency", what + " p99.9", latency.p999_ms, "ms", note);
}

Status Preload(const Workload& workload, const std::string& dir, uint64_t count) {
  std::unique_ptr<IngestStore> store;
  TONGHOP_RETURN_IF_ERROR(IngestStore::Open(dir, Durability::kWal, &store));
  IngestStore::Counters counters;
  constexpr uint64_t kPerBatch = 50'000;
  const int64_t start = SteadyNs();
  tonghop::v1::IndicatorUpdate update;
  for (uint64_t done = 0; done < count;) {
    IngestStore::Batch batch = store->NewBatch();
    for (uint64_t end = std::min(count, done + kPerBatch); done < end; ++done) {
      MakeStoredUpdate(workload, done, &update);
      update.set_seq(done + 1);
      const tonghop::storage::v1::UnitValue value = MakeStoredValue("bench-preload", 1'000'000, update, 0);
      batch.PutValue(update.indicator(), update.period(), update.reporting_unit(), value);
      batch.PutAudit(++counters.audit_seq, MakeStoredAudit(value, update, /*replaces_a_figure=*/false));
    }
    batch.PutCounters(counters);
    TONGHOP_RETURN_IF_ERROR(store->Commit(&batch));
    if (count >= 1'000'000 && done % 1'000'000 == 0) {
      spdlog::info("stored {} of {} figures ({:.0f}/s)", done, count, done / ((SteadyNs() - start) / 1e9));
    }
  }
  return Status::OK();
}

std::string StoredFiguresCsv(const Workload& workload, int unit, uint64_t first, int figures) {
  std::string csv = "indicator,period,value\n";
  tonghop::v1::IndicatorUpdate update;
  const auto units = static_cast<uint64_t>(workload.units);
  for (uint64_t i = first; i < first + static_cast<uint64_t>(figures); ++i) {
    // Unit-fastest order: every workload.units-th stored figure is this unit's.
    MakeStoredUpdate(workload, i * units + static_cast<uint64_t>(unit), &update);
    csv += fmt::format("{},{},{}\n", update.indicator(), update.period(), ValueText(update));
  }
  return csv;
}

Status DeliverDropFile(const testing::MiniProvince& nodes, const std::string& unit, const std::string& name,
                       const std::string& csv, double* seconds, const std::string& only_to) {
  const int64_t start = SteadyNs();
  TONGHOP_RETURN_IF_ERROR(nodes.DropText(unit, name, csv));
  const int64_t deadline = start + 300'000'000'000;
  while (SteadyNs() < deadline) {
    // "pending: 0" before the file is even scanned must not count: the done/ file says it was.
    std::map<std::string, std::string> status = nodes.CollectorStatus(unit);
    const bool delivered = only_to.empty() ? status["pending"] == "0"
                                           : status["aggregator " + only_to].starts_with("reachable; pending: 0;");
    if (delivered && fs::exists(nodes.DropDir(unit) + "/done/" + name)) {
      *seconds = (SteadyNs() - start) / 1e9;
      return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return Status::Unavailable(fmt::format("the real collector of {} did not deliver {} in 300 s:\n{}", unit, name,
                                         nodes.LogTail("collector-" + unit)));
}

Status BackupBesideIngest(Province& p, const BenchOptions& options, const std::string& output, double* backup_s,
                          double* ingest_per_s) {
  std::atomic<bool> done{false};
  int code = -1;
  std::string out, err;
  int64_t backup_ns = 0;
  std::thread backup([&] {
    const int64_t start = SteadyNs();
    code = p.nodes.RunCli({"backup", "--output", output, "--aggregator", p.nodes.QueryEndpoint(),
                           "--plaintext_for_development", "--timeout_ms", "600000"}, &out, &err);
    backup_ns = SteadyNs() - start;
    done = true;
  });
  double acked = 0, seconds = 0;
  Status measured;
  Latency latency;
  while (!done && measured.ok()) {
    double per_s = 0;
    uint64_t slice_acked = 0;
    measured = Measure(p, {11, std::min(2.0, options.run_seconds), 0}, &per_s, &latency, &slice_acked);
    if (per_s > 0) {
      acked += static_cast<double>(slice_acked);
      seconds += static_cast<double>(slice_acked) / per_s;
    }
  }
  backup.join();
  TONGHOP_RETURN_IF_ERROR(measured);
  if (code != 0) return Status::IOError(fmt::format("tonghop backup exited {}: {}{}", code, out, err));
  *backup_s = backup_ns / 1e9;
  *ingest_per_s = seconds > 0 ? acked / seconds : 0;
  return Status::OK();
}

}  // namespace tonghop::bench
