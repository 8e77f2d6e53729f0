#include "bench/load_generator.h"

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "collector/test_aggregator.h"

namespace tonghop::bench {
namespace {

// One aggregator of the pair, in a thread of its own: records every seq it receives, and acks
// each batch `delay_ms` after receiving it.
class RecordingAggregator {
 public:
  RecordingAggregator(zmq::context_t& context, int delay_ms) : aggregator_(context) {
    thread_ = std::thread([this, delay_ms] {
      while (!stop_) {
        std::optional<tonghop::v1::UpdateBatch> batch = aggregator_.NextBatch(50);
        if (!batch) continue;
        for (const auto& update : batch->updates()) seqs_.push_back(update.seq());
        std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
        aggregator_.AckAll(*batch);
      }
    });
  }
  ~RecordingAggregator() { Stop(); }
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  const std::string& endpoint() const { return aggregator_.endpoint(); }
  // Once stopped.
  const std::vector<uint64_t>& seqs() const { return seqs_; }

 private:
  testing::TestAggregator aggregator_;
  std::atomic<bool> stop_{false};
  std::vector<uint64_t> seqs_;
  std::thread thread_;
};

TEST(LoadGeneratorTest, APairGetsEveryUpdateOnceInOrderAndAnUpdateIsDeliveredOnlyOnceBothAcked) {
  zmq::context_t context{1};
  constexpr int kSlowAckMs = 100;
  RecordingAggregator a(context, 0), b(context, kSlowAckMs);
  ProbeClock probes(1'000'000);
  LoadResult result;
  {
    LoadGenerator load(context, Workload{}, std::vector<std::string>{a.endpoint(), b.endpoint()}, &probes);
    // One collector, offering all it can for 10 ms: A acks at once and lets the collector run
    // ahead of B, which acks each batch 100 ms late.
    ASSERT_TRUE(load.Run({1, 0.01, 0}, &result).ok());
    EXPECT_EQ(load.last_probe_seq(), result.sent);
  }
  a.Stop();
  b.Stop();
  ASSERT_GT(result.sent, 0u);
  EXPECT_EQ(result.acked, result.sent);
  std::vector<uint64_t> expected(result.sent);
  for (uint64_t i = 0; i < result.sent; ++i) expected[i] = i + 1;
  EXPECT_EQ(a.seqs(), expected);
  EXPECT_EQ(b.seqs(), expected);
  // Counted delivered on B's ack, not on A's.
  ASSERT_FALSE(result.round_trips_ns.empty());
  for (int64_t round_trip : result.round_trips_ns) EXPECT_GE(round_trip, kSlowAckMs * 1'000'000);
}

}  // namespace
}  // namespace tonghop::bench
