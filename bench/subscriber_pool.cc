#include "bench/subscriber_pool.h"

#include <fmt/format.h>

#include "bench/workload.h"
#include "core/clone_replica.h"
#include "core/wire_protocol.h"

namespace tonghop::bench {

struct SubscriberPool::Subscriber {
  std::thread thread;
  std::atomic<int> state{0};  // 0 starting, 1 synced, -1 failed
  std::string error;
  std::mutex mutex;           // guards live_values and last_probe
  std::map<std::string, double> live_values;
  uint64_t last_probe = 0;
  std::atomic<uint64_t> versions{0};
  std::atomic<uint64_t> resyncs{0};
};

SubscriberPool::SubscriberPool(zmq::context_t& context, std::string publish_endpoint, std::string snapshot_endpoint,
                               std::string live_period, const ProbeClock* probes)
    : context_(context),
      publish_endpoint_(std::move(publish_endpoint)),
      snapshot_endpoint_(std::move(snapshot_endpoint)),
      live_period_(std::move(live_period)),
      probes_(probes) {}

SubscriberPool::~SubscriberPool() {
  stop_ = true;
  for (auto& s : subscribers_) {
    if (s->thread.joinable()) s->thread.join();
  }
}

Status SubscriberPool::Start(int count) {
  for (int i = 0; i < count; ++i) {
    subscribers_.push_back(std::make_unique<Subscriber>());
    Subscriber* s = subscribers_.back().get();
    s->thread = std::thread([this, s] { Serve(s); });
  }
  for (auto& s : subscribers_) {
    while (s->state == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    if (s->state < 0) return Status::Unavailable("a subscriber could not sync with the publisher: " + s->error);
  }
  return Status::OK();
}

void SubscriberPool::Serve(Subscriber* s) {
  CloneReplicaOptions options;
  options.publish_endpoint = publish_endpoint_;
  options.snapshot_endpoint = snapshot_endpoint_;
  options.link = LinkOptions();
  CloneReplica replica(context_, options);
  auto on_change = [&](const tonghop::v1::AggregateUpdate& version) {
    s->versions.fetch_add(1, std::memory_order_relaxed);
    if (version.period() != live_period_) return;
    const int64_t now = SteadyNs();
    std::lock_guard lock(s->mutex);
    if (version.indicator() != kProbeIndicator) {
      s->live_values[version.indicator()] = ValueOf(version).value_or(Decimal()).ToDouble();
      return;
    }
    // Every probe up to the value shown is reflected on this subscriber's screen now.
    const auto shown = static_cast<uint64_t>(ValueOf(version).value_or(Decimal()).ToDouble());
    const int64_t since = sampling_since_ns_.load();
    std::vector<int64_t> latencies;
    for (uint64_t seq = s->last_probe + 1; seq <= shown; ++seq) {
      const int64_t sent = probes_->SentNs(seq);
      if (sent >= since) latencies.push_back(now - sent);
    }
    s->last_probe = std::max(s->last_probe, shown);
    if (!latencies.empty()) {
      std::lock_guard samples_lock(samples_mutex_);
      samples_.insert(samples_.end(), latencies.begin(), latencies.end());
    }
  };
  Status started = replica.Start();
  if (started.ok()) started = replica.WaitUntilSynced(10'000, on_change);
  if (!started.ok()) {
    s->error = started.ToString();
    s->state = -1;
    return;
  }
  s->state = 1;
  while (!stop_) {
    std::vector<zmq::pollitem_t> items = replica.PollItems();
    try {
      zmq::poll(items, std::chrono::milliseconds(50));
    } catch (const zmq::error_t&) {
      // EINTR: go round again
    }
    replica.Process(on_change);
    s->resyncs = replica.resyncs();
  }
}

void SubscriberPool::StartSampling(int64_t since_ns) {
  {
    std::lock_guard lock(samples_mutex_);
    samples_.clear();
  }
  sampling_since_ns_ = since_ns;
}

std::vector<int64_t> SubscriberPool::TakeSamples() {
  sampling_since_ns_ = INT64_MAX;
  std::lock_guard lock(samples_mutex_);
  return std::move(samples_);
}

Status SubscriberPool::WaitForState(const std::map<std::string, double>& totals, uint64_t last_probe, int timeout_ms,
                                    int64_t* reached_ns) {
  const int64_t deadline = SteadyNs() + static_cast<int64_t>(timeout_ms) * 1'000'000;
  while (true) {
    size_t done = 0;
    std::string behind;
    for (auto& s : subscribers_) {
      std::lock_guard lock(s->mutex);
      bool exact = s->last_probe == last_probe;
      for (const auto& [indicator, total] : totals) {
        auto it = s->live_values.find(indicator);
        if (total != 0 && (it == s->live_values.end() || it->second != total)) {
          exact = false;
          if (behind.empty()) {
            behind = fmt::format("a subscriber shows {} for {} where {} is expected",
                                 it == s->live_values.end() ? 0.0 : it->second, indicator, total);
          }
        }
      }
      if (exact) ++done;
    }
    const int64_t now = SteadyNs();
    if (done == subscribers_.size()) {
      *reached_ns = now;
      return Status::OK();
    }
    if (now > deadline) {
      return Status::Unavailable(fmt::format("subscribers not exact after {} ms: {}", timeout_ms, behind));
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

uint64_t SubscriberPool::versions_received() const {
  uint64_t total = 0;
  for (const auto& s : subscribers_) total += s->versions.load();
  return total;
}

uint64_t SubscriberPool::resyncs() const {
  uint64_t total = 0;
  for (const auto& s : subscribers_) total += s->resyncs.load();
  return total;
}

}  // namespace tonghop::bench
