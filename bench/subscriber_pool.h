// SubscriberPool: M subscribers of the publisher's feed, each a CloneReplica (the real client of
// docs/PROTOCOL.md) in its own thread, as a downstream system or the office's screen would run it.
// They keep the live totals they see, so the benchmark can wait until every subscriber shows the
// exact final state, and turn each probe they see into a latency sample (bench/load_generator.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "bench/load_generator.h"
#include "core/status.h"

namespace tonghop::bench {

class SubscriberPool {
 public:
  SubscriberPool(zmq::context_t& context, std::string publish_endpoint, std::string snapshot_endpoint,
                 std::string live_period, const ProbeClock* probes);
  ~SubscriberPool();  // stops and joins

  // Starts `count` subscribers and waits until each has its first snapshot.
  Status Start(int count);

  // From now on, probes sent at or after `since_ns` seen by any subscriber become samples.
  void StartSampling(int64_t since_ns);
  // The samples (ns from the probe's acceptance to a subscriber seeing it) since StartSampling.
  std::vector<int64_t> TakeSamples();

  // Waits until every subscriber holds exactly `totals` for the live period and the probe value
  // `last_probe`; returns the steady-clock time (SteadyNs) when the last one got there.
  Status WaitForState(const std::map<std::string, double>& totals, uint64_t last_probe, int timeout_ms,
                      int64_t* reached_ns);

  // Aggregate versions received by all subscribers together, and resyncs they needed.
  uint64_t versions_received() const;
  uint64_t resyncs() const;

 private:
  struct Subscriber;
  void Serve(Subscriber* s);

  zmq::context_t& context_;
  std::string publish_endpoint_;
  std::string snapshot_endpoint_;
  std::string live_period_;
  const ProbeClock* probes_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sampling_since_ns_{INT64_MAX};
  std::mutex samples_mutex_;
  std::vector<int64_t> samples_;
  std::vector<std::unique_ptr<Subscriber>> subscribers_;
};

}  // namespace tonghop::bench
