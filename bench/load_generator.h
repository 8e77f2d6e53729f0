// LoadGenerator: N simulated collectors in one thread, each a DEALER connected to the aggregator's
// ingest ROUTER, speaking the real ingest protocol (docs/PROTOCOL.md) with the real collector's
// batch size and window (bench/workload.h).
//
// Outbox-less (docs/PERFORMANCE.md): an update is "accepted by its collector" the moment it is due
// to be sent, and held in memory until acked, instead of in a RocksDB outbox per collector. The
// load offered is then exactly what the aggregator is asked to carry; a real collector's own
// throughput and memory are measured apart (tonghop-bench runs one).
//
// Collector 0 is the latency probe: its updates set the indicator bench.probe (max over units,
// only commune 0 reports it) to its seq, so a subscriber seeing value v knows that every probe up
// to v is reflected, exactly. The others send live counters.
//
// Not thread-safe; one thread calls Run().
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "bench/workload.h"
#include "core/status.h"

namespace tonghop::bench {

// Send times of probe seqs, shared with the subscriber threads (bench/subscriber_pool.h).
class ProbeClock {
 public:
  explicit ProbeClock(size_t capacity) : sent_ns_(capacity) {}
  void Record(uint64_t seq, int64_t ns) {
    if (seq < sent_ns_.size()) sent_ns_[seq].store(ns, std::memory_order_release);
  }
  // 0 when unknown (never recorded, or beyond the capacity: LoadGenerator::Run then fails).
  int64_t SentNs(uint64_t seq) const {
    return seq < sent_ns_.size() ? sent_ns_[seq].load(std::memory_order_acquire) : 0;
  }
  size_t capacity() const { return sent_ns_.size(); }

 private:
  std::vector<std::atomic<int64_t>> sent_ns_;
};

// Nanoseconds of the steady clock, the one time base of the benchmark process.
int64_t SteadyNs();

struct LoadRun {
  int collectors = 11;
  double seconds = 3.0;
  // Updates per second over all collectors; 0 offers as much as the windows allow.
  double offered_per_s = 0;
};

struct LoadResult {
  uint64_t sent = 0;
  uint64_t acked = 0;
  double seconds = 0;  // first send to last ack
  uint64_t probes = 0;
  // Each batch's round trip, from its send to the ack of its last update (ns).
  std::vector<int64_t> round_trips_ns;
};

class LoadGenerator {
 public:
  LoadGenerator(zmq::context_t& context, Workload workload, std::string ingest_endpoint, ProbeClock* probes);
  ~LoadGenerator();

  // Sends for run.seconds, then waits until every update sent is acked (any reject or a silence
  // of 10 s fails the run). Collectors are created on first use and keep their seqs across runs,
  // as the aggregator keeps their positions.
  Status Run(const LoadRun& run, LoadResult* out);

  // In paced runs from now on, the probe collector sends `per_s` updates a second on its own, so
  // that latency samples come as often as wanted at any load, and the other collectors share
  // offered_per_s; 0 (the default) gives it its turn among them.
  void set_probe_per_s(double per_s) { probe_per_s_ = per_s; }

  // The province total of each live counter (indicator id -> value) once everything sent so far
  // is applied, and the last probe seq: what every subscriber must end up seeing.
  std::map<std::string, double> ExpectedTotals() const;
  uint64_t last_probe_seq() const;

 private:
  struct Collector;
  Status EnsureCollectors(int count);
  // Sends collector c's next `count` updates as one batch; false when the socket refused.
  bool SendBatch(Collector& c, int count, int64_t due_ns);
  Status ReadReplies(Collector& c, uint64_t* acked, std::vector<int64_t>* round_trips_ns);

  zmq::context_t& context_;
  Workload workload_;
  std::string ingest_endpoint_;
  ProbeClock* probes_;
  double probe_per_s_ = 0;
  std::vector<std::unique_ptr<Collector>> collectors_;
  // unit x live indicator -> the unit's current figure, for ExpectedTotals().
  std::vector<double> unit_figures_;
};

}  // namespace tonghop::bench
