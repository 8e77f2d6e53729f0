#include "bench/metrics_scraper.h"

#include <chrono>

#include "core/testing/http_client.h"

namespace tonghop::bench {

MetricsScraper::MetricsScraper(std::vector<std::string> addresses, int interval_ms)
    : addresses_(std::move(addresses)), interval_ms_(interval_ms) {}

MetricsScraper::~MetricsScraper() { Stop(); }

void MetricsScraper::Start() { thread_ = std::thread([this] { Run(); }); }

void MetricsScraper::Stop() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
}

void MetricsScraper::Run() {
  auto next = std::chrono::steady_clock::now();
  while (!stop_) {
    uint64_t bytes = 0;
    for (const std::string& address : addresses_) {
      testing::HttpResponse response;
      if (testing::HttpGet(address, "/metrics", 5'000, &response).ok() && response.status == 200) {
        ++scrapes_;
        bytes += response.body.size();
      } else {
        ++failures_;
      }
    }
    last_bytes_ = bytes;
    next += std::chrono::milliseconds(interval_ms_);
    while (!stop_ && std::chrono::steady_clock::now() < next) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace tonghop::bench
