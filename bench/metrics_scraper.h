// MetricsScraper: what Prometheus does to a node, for tonghop-bench's cost of metrics
// (docs/PERFORMANCE.md): a thread that GETs /metrics from each address every interval_ms, as a
// Prometheus with that scrape interval would.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace tonghop::bench {

class MetricsScraper {
 public:
  MetricsScraper(std::vector<std::string> addresses, int interval_ms);
  ~MetricsScraper();  // Stop()

  void Start();
  void Stop();

  uint64_t scrapes() const { return scrapes_.load(); }
  uint64_t failures() const { return failures_.load(); }
  // Bytes of the last scrape of each node, summed.
  uint64_t last_bytes() const { return last_bytes_.load(); }

 private:
  void Run();

  const std::vector<std::string> addresses_;
  const int interval_ms_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> scrapes_{0};
  std::atomic<uint64_t> failures_{0};
  std::atomic<uint64_t> last_bytes_{0};
  std::thread thread_;
};

}  // namespace tonghop::bench
