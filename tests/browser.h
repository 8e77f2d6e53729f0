// Browser: a headless Chromium for system tests, driven through Selenium by tests/browser.py in a
// child process (one JSON command per line). The test keeps its logic in C++ beside the
// MiniProvince it drives; the page is read by evaluating JavaScript in it.
#pragma once

#include <string>
#include <sys/types.h>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tonghop::testing {

class Browser {
 public:
  Browser() = default;
  ~Browser();  // ends the browser
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  // Starts Chromium (within timeout_ms); Unavailable, saying what to install, when it cannot.
  Status Start(int timeout_ms = 60'000);
  Status Open(const std::string& url);
  // The value of the JavaScript expression `expression` in the page.
  Status Eval(const std::string& expression, nlohmann::json* value);
  // Evaluates `expression` every 25 ms until it is truthy (its value in *value, the wait in
  // *waited_ms); Unavailable after timeout_ms, with the last value in *value.
  Status WaitFor(const std::string& expression, int timeout_ms, nlohmann::json* value = nullptr,
                 double* waited_ms = nullptr);
  Status Screenshot(const std::string& png_path);
  Status Resize(int width, int height);

 private:
  Status Call(const nlohmann::json& command, nlohmann::json* answer, int timeout_ms);
  pid_t pid_ = -1;
  int to_browser_ = -1;
  int from_browser_ = -1;
  std::string pending_;
};

}  // namespace tonghop::testing
