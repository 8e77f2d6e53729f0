// SsePool: N clients of tonghop-web's event stream (GET /api/v1/stream, Server-Sent Events) in one
// thread, as the office's browsers and the downstream systems would hold them
// (docs/PERFORMANCE.md, "The web node"). Each keeps the live totals it is shown, counts the
// versions it receives and adds up their ids (the feed's seqs), so that the benchmark can say
// whether every client received every change; each probe it sees becomes a
// latency sample, from the probe's acceptance by its collector to the event's arrival.
// "Every change" is checked by count and by the sum of the ids: versions have unique seqs, so a
// client that got as many versions as the aggregator issued, adding up to the sum of their seqs,
// got each of them.
//
// It reads the event text with a few string searches rather than a JSON parser, relying on the
// field order of the node's JSON (indicator, period, value first): at a hundred clients the reader
// must not be what the figures measure.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "bench/load_generator.h"
#include "core/status.h"

namespace tonghop::bench {

class SsePool {
 public:
  SsePool(int port, std::string live_period, const ProbeClock* probes);
  ~SsePool();  // stops and joins

  // Opens `count` streams and waits until each has its snapshot.
  Status Start(int count, int timeout_ms);

  // From now on: probes sent at or after `since_ns` become samples, and the tallies start afresh.
  void StartSampling(int64_t since_ns);
  std::vector<int64_t> TakeSamples();

  // Waits until every client still open holds exactly `totals` for the live period and the probe
  // value `last_probe`; returns the steady-clock time (SteadyNs) when the last one got there. A
  // client the node cut off is left out (its tally says so).
  Status WaitForState(const std::map<std::string, double>& totals, uint64_t last_probe, int timeout_ms,
                      int64_t* reached_ns);

  // What each client received since StartSampling.
  struct Tally {
    uint64_t versions = 0;
    uint64_t bytes = 0;
    uint64_t id_sum = 0;     // of the versions' ids (seqs)
    uint64_t snapshots = 0;  // beyond the first: the node started it over
    bool closed = false;     // the node closed it (cut off)
  };
  std::vector<Tally> Tallies();

 private:
  struct Client;
  void Serve();
  void Read(Client& client);
  void Parse(Client& client, int64_t now_ns);

  const int port_;
  const std::string live_period_;
  const ProbeClock* probes_;
  int epoll_fd_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> sampling_since_ns_{INT64_MAX};
  std::mutex mutex_;  // guards the clients' state and the samples
  std::vector<std::unique_ptr<Client>> clients_;
  std::vector<int64_t> samples_;
  std::thread thread_;
};

}  // namespace tonghop::bench
