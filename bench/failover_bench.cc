#include "bench/failover_bench.h"

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "bench/load_generator.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop::bench {
namespace {

// Offered to each aggregator, by 11 simulated collectors.
constexpr double kUpdatesPerSecond = 2'000;
constexpr int kTimeoutMs = 60'000;

// One collector load into one aggregator, in a thread, until stopped or its aggregator dies.
class SteadyLoad {
 public:
  SteadyLoad(const Workload& workload, const std::string& ingest_endpoint)
      : generator_(context_, workload, ingest_endpoint, &probes_) {
    thread_ = std::thread([this] {
      while (!stop_) {
        LoadResult result;
        Status s = generator_.Run({11, 0.5, kUpdatesPerSecond}, &result);
        if (!s.ok()) {  // its aggregator was killed, or the load failed: said when the wait for it fails
          std::lock_guard lock(mutex_);
          stopped_because_ = s.ToString();
          return;
        }
      }
    });
  }
  ~SteadyLoad() {
    stop_ = true;
    thread_.join();
  }

  // Empty while the load runs; why it stopped otherwise.
  std::string stopped_because() const {
    std::lock_guard lock(mutex_);
    return stopped_because_;
  }

 private:
  zmq::context_t context_{1};
  ProbeClock probes_{1 << 20};
  LoadGenerator generator_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::string stopped_because_;
  std::thread thread_;
};

// Where a replica stands, for a failure message.
std::string Describe(const CloneReplica& r) {
  return fmt::format("{}, stream {:016x}, verified seq {}, {} aggregates, {} resyncs, server {}{}",
                     r.synced() ? "synced" : "not synced", r.stream_id(), r.verified_seq(), r.table().size(),
                     r.resyncs(), r.server_index() + 1, r.server_silent() ? " (silent)" : "");
}

struct Failover {
  std::vector<double> stale_ms;  // per subscriber
  double floor_ms = 0;           // the upstream timeout plus a full snapshot of B
  size_t aggregates = 0;
};

Status RunFailover(const Workload& workload, const BenchOptions& options, const std::string& root,
                   int upstream_timeout_ms, Failover* out) {
  testing::MiniProvince a(root + "/a", options.work_dir + "/catalog");
  testing::MiniProvince b(root + "/b", options.work_dir + "/catalog");
  TONGHOP_RETURN_IF_ERROR(a.StartAggregator(options.aggregator_flags));
  TONGHOP_RETURN_IF_ERROR(b.StartAggregator(options.aggregator_flags));
  TONGHOP_RETURN_IF_ERROR(a.StartPublisher({"--upstream_publish_endpoint", b.AggregatorPublishEndpoint(),
                                            "--upstream_snapshot_endpoint", b.AggregatorSnapshotEndpoint(),
                                            "--upstream_timeout_ms", std::to_string(upstream_timeout_ms)}));
  auto load_a = std::make_unique<SteadyLoad>(workload, a.IngestEndpoint());
  auto load_b = std::make_unique<SteadyLoad>(workload, b.IngestEndpoint());

  zmq::context_t context(1);
  auto replica_of = [&](const std::string& publish, const std::string& snapshot) {
    CloneReplicaOptions o;
    o.publish_endpoint = publish;
    o.snapshot_endpoint = snapshot;
    return std::make_unique<CloneReplica>(context, o);
  };
  auto b_view = replica_of(b.AggregatorPublishEndpoint(), b.AggregatorSnapshotEndpoint());
  auto a_view = replica_of(a.AggregatorPublishEndpoint(), a.AggregatorSnapshotEndpoint());
  std::vector<std::unique_ptr<CloneReplica>> subscribers;
  for (int i = 0; i < options.subscribers; ++i) {
    subscribers.push_back(replica_of(a.PublisherPublishEndpoint(), a.PublisherSnapshotEndpoint()));
  }
  std::vector<CloneReplica*> all = {a_view.get(), b_view.get()};
  for (auto& s : subscribers) all.push_back(s.get());
  for (CloneReplica* r : all) TONGHOP_RETURN_IF_ERROR(r->Start());

  // Each subscriber: when it first held B's stream in sync (0: not yet), and when it then saw a
  // new version (stale until then).
  std::vector<int64_t> synced_ms(subscribers.size(), 0), fresh_ms(subscribers.size(), 0);
  auto pump_until = [&](const std::function<bool()>& done, int timeout_ms) {
    for (const int64_t deadline = MonotonicMs() + timeout_ms; !done();) {
      if (MonotonicMs() >= deadline) return false;
      std::vector<zmq::pollitem_t> items;
      for (CloneReplica* r : all) for (const auto& item : r->PollItems()) items.push_back(item);
      zmq::poll(items, std::chrono::milliseconds(10));
      a_view->Process({});
      b_view->Process({});
      for (size_t i = 0; i < subscribers.size(); ++i) {
        CloneReplica& s = *subscribers[i];
        s.Process([&, i](const tonghop::v1::AggregateUpdate&) {
          if (synced_ms[i] != 0 && fresh_ms[i] == 0) fresh_ms[i] = MonotonicMs();
        });
        if (synced_ms[i] == 0 && b_view->synced() && s.synced() && s.stream_id() == b_view->stream_id()) {
          synced_ms[i] = MonotonicMs();
        }
      }
    }
    return true;
  };
  // What each part holds, for a failure message.
  auto where = [&] {
    std::string text;
    for (const auto& [name, load] : {std::pair{"A", load_a.get()}, std::pair{"B", load_b.get()}}) {
      text += fmt::format("; {}'s load: {}", name, load->stopped_because().empty() ? "running" : load->stopped_because());
    }
    text += fmt::format("; A seen directly: {}; B seen directly: {}", Describe(*a_view), Describe(*b_view));
    for (size_t i = 0; i < subscribers.size(); ++i) {
      text += fmt::format("; subscriber {}: {}, {}", i + 1, Describe(*subscribers[i]),
                          fresh_ms[i] != 0    ? "followed B"
                          : synced_ms[i] != 0 ? "in sync with B but no new version since"
                                              : "not in sync with B");
    }
    return text;
  };
  // Steady state: every subscriber on A's stream, in sync, under load.
  if (!pump_until([&] {
        return a_view->synced() && b_view->synced() && std::all_of(subscribers.begin(), subscribers.end(), [&](auto& s) {
                 return s->synced() && s->stream_id() == a_view->stream_id();
               });
      }, kTimeoutMs)) {
    return Status::Unavailable("the subscribers did not sync with A's stream through the publisher" + where() +
                               a.LogTail("publisher"));
  }
  pump_until([] { return false; }, 1'000);
  std::fill(synced_ms.begin(), synced_ms.end(), 0);

  TONGHOP_RETURN_IF_ERROR(a.Kill("aggregator"));
  const int64_t killed_ms = MonotonicMs();
  all.erase(all.begin());  // a_view: nothing more to hear
  if (!pump_until([&] { return std::all_of(fresh_ms.begin(), fresh_ms.end(), [](int64_t t) { return t != 0; }); },
                  kTimeoutMs)) {
    return Status::Unavailable("the subscribers did not follow B's stream through the publisher" + where() +
                               a.LogTail("publisher"));
  }
  for (int64_t t : fresh_ms) out->stale_ms.push_back(static_cast<double>(t - killed_ms));

  // The floor: a full snapshot of B now, of the size the publisher took.
  auto fresh = replica_of(b.AggregatorPublishEndpoint(), b.AggregatorSnapshotEndpoint());
  TONGHOP_RETURN_IF_ERROR(fresh->Start());
  const int64_t asked_ms = MonotonicMs();
  TONGHOP_RETURN_IF_ERROR(fresh->WaitUntilSynced(kTimeoutMs));
  out->floor_ms = static_cast<double>(upstream_timeout_ms + (MonotonicMs() - asked_ms));
  out->aggregates = fresh->table().size();
  subscribers.clear();
  fresh.reset();
  a_view.reset();
  b_view.reset();
  load_b.reset();
  load_a.reset();
  return Status::OK();
}

}  // namespace

Status MeasureFailovers(const Workload& workload, const BenchOptions& options, const std::string& root,
                        BenchReport& report) {
  const int rounds = options.quick ? 2 : 5;
  const int upstream_timeout_ms = options.quick ? 1'000 : 5'000;  // the publisher's default in a full run
  std::vector<double> stale, floors;
  size_t aggregates = 0;
  for (int round = 0; round < rounds; ++round) {
    spdlog::info("failover {} of {}: a pair under {:.0f} updates/s each, {} subscribers, A killed", round + 1, rounds,
                 kUpdatesPerSecond, options.subscribers);
    Failover f;
    TONGHOP_RETURN_IF_ERROR(RunFailover(workload, options, fmt::format("{}/{}", root, round), upstream_timeout_ms, &f));
    stale.insert(stale.end(), f.stale_ms.begin(), f.stale_ms.end());
    floors.push_back(f.floor_ms);
    aggregates = f.aggregates;
  }
  std::sort(stale.begin(), stale.end());
  std::sort(floors.begin(), floors.end());
  report.Add("failover", "subscriber stale after its publisher's aggregator is killed, median", stale[stale.size() / 2],
             "ms",
             fmt::format("min {:.0f}, max {:.0f} over {} subscribers x {} failovers; from the SIGKILL until it holds B's "
                         "stream in sync and sees a new version; --upstream_timeout_ms {}, {} aggregates, {:.0f} "
                         "updates/s into each aggregator",
                         stale.front(), stale.back(), options.subscribers, rounds, upstream_timeout_ms, aggregates,
                         kUpdatesPerSecond));
  report.Add("failover", "its floor: upstream timeout + a full snapshot of B, median", floors[floors.size() / 2], "ms",
             fmt::format("min {:.0f}, max {:.0f} over {} failovers", floors.front(), floors.back(), rounds));
  return Status::OK();
}

}  // namespace tonghop::bench
