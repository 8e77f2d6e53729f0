#include "core/testing/resident_memory_sampler.h"

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <string>

#include <fmt/format.h>

namespace tonghop::testing {

ResidentMemorySampler::ResidentMemorySampler(pid_t pid, int interval_ms) {
  peak_mb_ = ResidentMegabytes(pid);
  thread_ = std::thread([this, pid, interval_ms] {
    while (!stop_) {
      const double now = ResidentMegabytes(pid);
      if (now > peak_mb_) peak_mb_ = now;
      std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
    }
  });
}

ResidentMemorySampler::~ResidentMemorySampler() {
  stop_ = true;
  thread_.join();
}

double ResidentMemorySampler::ResidentMegabytes(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/status", pid));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::strtod(line.c_str() + 6, nullptr) / 1024.0;
  }
  return 0;
}

}  // namespace tonghop::testing
