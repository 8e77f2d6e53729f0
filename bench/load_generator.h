// LoadGenerator: N simulated collectors in one thread, each a DEALER connected to the aggregator's
// ingest ROUTER, speaking the real ingest protocol (docs/PROTOCOL.md) with the real collector's
// batch size and window (bench/workload.h).
//
// Outbox-less (docs/PERFORMANCE.md): an update is "accepted by its collector" the moment it is due
// to be sent, and held in memory until acked, instead of in a RocksDB outbox per collector. The
// load offered is then exactly what the aggregator is asked to carry; a real collector's own
// throughput and memory are measured apart (tonghop-bench runs one).
//
// A pair of aggregators (issue 15), as the real collector delivers to one (collector/sender.h):
// each simulated collector has a DEALER and a window of its own per aggregator, sends every update
// to each, the same batches where the links keep pace, and counts it delivered ("acked") once every
// aggregator acked it. A link that falls behind sends from the updates already made, and keeps
// sending after the run's sending time until it has caught up. With one aggregator this is the
// single collector above, unchanged.
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

// A short run, not measured, that goes before a latency run: the simulated collectors connect and
// shake hands in it, as deployed collectors are connected long before. Without it, the first 0.1 s
// of a run waited for eleven new connections, and that alone set its p99.
inline constexpr LoadRun kConnectingRun{11, 0.5, 1'000};

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
  // Every update to each of `ingest_endpoints` (a pair: A and B), delivered once all acked it.
  LoadGenerator(zmq::context_t& context, Workload workload, std::vector<std::string> ingest_endpoints,
                ProbeClock* probes);
  ~LoadGenerator();

  // Sends for run.seconds, then waits until every update sent is acked by every aggregator (any
  // reject or a silence of 10 s fails the run). LoadResult::acked counts updates delivered to all,
  // and a round trip runs from a batch's first send to its last update's delivery. Collectors are created on first use and keep their seqs across runs,
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
  struct Link;
  struct Collector;
  Status EnsureCollectors(int count);
  // Sends the link's next `count` updates as one batch, new ones (made now, due at `due_ns` unless
  // the run paces them) when the link is the collector's furthest; false when the socket refused.
  bool SendBatch(Collector& c, Link& link, int count, int64_t due_ns);
  // Reads the link's replies; `*acked` grows by the updates now delivered to every aggregator.
  Status ReadReplies(Collector& c, size_t link_index, uint64_t* acked, uint64_t* link_acks,
                     std::vector<int64_t>* round_trips_ns);

  zmq::context_t& context_;
  Workload workload_;
  std::vector<std::string> ingest_endpoints_;
  ProbeClock* probes_;
  double probe_per_s_ = 0;
  std::vector<std::unique_ptr<Collector>> collectors_;
  // unit x live indicator -> the unit's current figure, for ExpectedTotals().
  std::vector<double> unit_figures_;
};

}  // namespace tonghop::bench
