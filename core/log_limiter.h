// LogLimiter: lets a node warn about bad input from the network without a flood of such input
// flooding its log: at most one message per interval, which reports how many it stood for.
// Not thread-safe: one per owning object.
#pragma once

#include <cstdint>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop {

class LogLimiter {
 public:
  explicit LogLimiter(int64_t interval_ms = 1'000) : interval_ms_(interval_ms) {}

  // True when a message may be logged now; suppressed() is then the number of messages held back
  // since the previous one.
  bool Allow() {
    int64_t now = MonotonicMs();
    if (logged_once_ && now - last_ms_ < interval_ms_) {
      ++held_back_;
      return false;
    }
    logged_once_ = true;
    last_ms_ = now;
    suppressed_ = held_back_;
    held_back_ = 0;
    return true;
  }
  uint64_t suppressed() const { return suppressed_; }

 private:
  int64_t interval_ms_;
  bool logged_once_ = false;
  int64_t last_ms_ = 0;
  uint64_t held_back_ = 0;
  uint64_t suppressed_ = 0;
};

}  // namespace tonghop
