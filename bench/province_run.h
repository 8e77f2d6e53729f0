// What every part of tonghop-bench (bench/bench.h) runs against: a province of real processes
// (tests/mini_province.h) with its simulated collectors and Clone subscribers, the measurement of
// one load against it, a database filled beforehand, a real collector's drop file, and an online
// backup beside ingest. Shared by bench.cc and the parts in files of their own (bench/pair_bench.h).
//
// Not thread-safe: one thread drives a Province.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "aggregator/ingest_store.h"
#include "bench/bench.h"
#include "bench/bench_report.h"
#include "bench/load_generator.h"
#include "bench/subscriber_pool.h"
#include "bench/workload.h"
#include "core/status.h"
#include "tests/mini_province.h"

namespace tonghop::bench {

// Probe seqs whose send time is kept (8 bytes each) in one province. Its busiest, the live one,
// sends under a million at this machine's rates with 10 s runs; a run beyond this fails.
inline constexpr size_t kProbeCapacity = 4'000'000;
inline constexpr int kSubscriberCatchUpMs = 120'000;

// One province of real processes, with the simulated collectors and the subscribers.
struct Province {
  explicit Province(std::string root) : nodes(root, root + "/../catalog") {}
  ~Province() {
    subscribers.reset();  // sockets before their context
    load.reset();
  }
  testing::MiniProvince nodes;
  zmq::context_t context{1};
  ProbeClock probes{kProbeCapacity};
  std::unique_ptr<LoadGenerator> load;
  std::unique_ptr<SubscriberPool> subscribers;
};

// Bytes of the regular files under `dir`, recursively.
uint64_t DirectoryBytes(const std::string& dir);

std::string DurabilityName(Durability d);

// The flags of every tonghop-aggregator the benchmark starts: the durability, then
// options.aggregator_flags.
std::vector<std::string> AggregatorFlags(Durability durability, const BenchOptions& options);

// Starts aggregator and publisher on `root` (its aggregator/ may hold stored figures already; the
// catalog is <root>/../catalog) and options.subscribers subscribers; `ready_ms` is how long the
// aggregator took to serve. The simulated collectors deliver to that aggregator alone.
Status StartProvince(const std::string& root, const Workload& workload, Durability durability,
                     const BenchOptions& options, std::unique_ptr<Province>* out, double* ready_ms = nullptr,
                     bool metrics = false);

// Offers `run` and waits until every subscriber shows the exact totals: updates per second from
// the first send to that moment. The probes sent meanwhile give the latency under that load;
// `round_trips`, when given, the collectors' ack round trips.
Status Measure(Province& p, const LoadRun& run, double* per_second, Latency* latency, uint64_t* acked = nullptr,
               Latency* round_trips = nullptr);

// Adds the p50, p99 and p99.9 of `latency` to the report's group "latency", named `what` and each.
void AddLatency(BenchReport& report, const std::string& what, const Latency& latency);

// Writes `count` stored figures into the aggregator database at `dir`, with the audit record the
// aggregator writes beside each, as if they had been reported before.
Status Preload(const Workload& workload, const std::string& dir, uint64_t count);

// A drop file (CSV) of `figures` of `unit`'s stored figures (MakeStoredUpdate), the unit's from
// its `first`-th on: each of a different indicator or month.
std::string StoredFiguresCsv(const Workload& workload, int unit, uint64_t first, int figures);

// Drops `csv` as `name` into the real collector of `unit` (already started in `nodes`) and waits
// until it has scanned the file and every figure is delivered ("pending: 0"), or, given
// `only_to`, delivered to the aggregator of that ingest endpoint (its line of collector-status);
// `seconds` from the drop to then.
Status DeliverDropFile(const testing::MiniProvince& nodes, const std::string& unit, const std::string& name,
                       const std::string& csv, double* seconds, const std::string& only_to = "");

// Runs `tonghop backup --output OUTPUT` against the province's aggregator while its 11 collectors
// offer all they can, in slices of at most two seconds until the backup is over: how long the
// backup took, and the ingest rate meanwhile.
Status BackupBesideIngest(Province& p, const BenchOptions& options, const std::string& output, double* backup_s,
                          double* ingest_per_s);

}  // namespace tonghop::bench
