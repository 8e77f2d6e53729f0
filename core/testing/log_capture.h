// LogCapture: while one lives, spdlog's default logger writes into a ring buffer that the test
// reads. The previous logger is back when it goes, also when a failed ASSERT ends the test early.
// Not thread-safe against other code replacing the default logger meanwhile. Not for production
// code.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <spdlog/sinks/ringbuffer_sink.h>
#include <spdlog/spdlog.h>

namespace tonghop::testing {

class LogCapture {
 public:
  explicit LogCapture(size_t max_lines = 100'000)
      : sink_(std::make_shared<spdlog::sinks::ringbuffer_sink_mt>(max_lines)), previous_(spdlog::default_logger()) {
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("capture", sink_));
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  LogCapture(const LogCapture&) = delete;
  LogCapture& operator=(const LogCapture&) = delete;

  // The lines logged so far, with their level, oldest first.
  std::vector<spdlog::details::log_msg_buffer> lines() const { return sink_->last_raw(); }
  // The same, formatted as the default pattern writes them (with the level's name).
  std::vector<std::string> formatted() const { return sink_->last_formatted(); }

 private:
  std::shared_ptr<spdlog::sinks::ringbuffer_sink_mt> sink_;
  std::shared_ptr<spdlog::logger> previous_;
};

}  // namespace tonghop::testing
