// ResidentMemorySampler: a process's resident memory (VmRSS of /proc/<pid>/status), sampled on a
// thread of its own while it lives, so that a short peak is not missed between two looks. For the
// flood tests and tonghop-bench, which watch a node while peers attack it.
#pragma once

#include <atomic>
#include <sys/types.h>
#include <thread>

namespace tonghop::testing {

class ResidentMemorySampler {
 public:
  // Samples `pid` every interval_ms until destroyed.
  explicit ResidentMemorySampler(pid_t pid, int interval_ms = 20);
  ~ResidentMemorySampler();
  ResidentMemorySampler(const ResidentMemorySampler&) = delete;
  ResidentMemorySampler& operator=(const ResidentMemorySampler&) = delete;

  // The highest resident memory seen so far, in MB (2^20 bytes).
  double peak_mb() const { return peak_mb_; }

  // `pid`'s resident memory now, in MB; 0 when it cannot be read (no such process).
  static double ResidentMegabytes(pid_t pid);

 private:
  std::atomic<double> peak_mb_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace tonghop::testing
