// Peers that try to bloat or stall the publisher (issue 10, finding 3; docs/SECURITY.md), against
// the real processes: a raw SUB that sends an 8 MiB subscription, one that sends tens of
// thousands of valid-looking subscriptions, and a DEALER that floods snapshot requests and never
// reads, then leaves. Anyone who reaches the publisher can do each (its subscriber side is public
// by default). During each attack `tonghop watch --once` must still get the exact state promptly,
// the publisher's resident memory must stay within a bound of where it started, and once the
// attacker has left it must come back near where it started.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdlib>
#include <fmt/format.h>
#include <thread>

#include "core/clock.h"
#include "core/testing/resident_memory_sampler.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/feed_flood.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

using testing::FeedFlood;
using testing::MiniProvince;
using testing::ResidentMemorySampler;

// Years of figures in the state: a full snapshot is then about 0.8 MB, in a dozen replies, and a
// flood of requests that are never read would queue hundreds of MB without bounds.
constexpr int kYears = 100;
// How long each attack runs while watch is checked.
constexpr int kAttackMs = 4'000;
// What an attack may add to the publisher's resident memory while it runs (without bounds, each of
// these attacks added 250 to 800 MB in 4 s), and what may remain once the attacker has left.
constexpr double kMaxGrowthMb = 100;
constexpr double kMaxRemainingMb = 20;
constexpr int kMemoryReturnedWithinMs = 10'000;

void Pause(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// Under AddressSanitizer (make test-asan) the nodes keep freed memory in a quarantine of 256 MB
// and give memory back to the system every 5 s: their resident memory would say little about what
// they hold. The nodes this test starts get a small quarantine and a prompt release instead. Set in
// every build: a node built without ASan reads no ASAN_OPTIONS, and no compiler macro need say
// which build this is (clang 14 defines no __SANITIZE_ADDRESS__, and this once failed there).
void LetSanitizedNodesReturnMemory() {
  const char* options = std::getenv("ASAN_OPTIONS");
  const std::string mine = "quarantine_size_mb=8:allocator_release_to_os_interval_ms=100";
  setenv("ASAN_OPTIONS", (options != nullptr && *options ? std::string(options) + ":" + mine : mine).c_str(), 1);
}

class PublisherFloodTest : public ::testing::Test {
 protected:
  void SetUp() override {
    LetSanitizedNodesReturnMemory();
    ASSERT_OK(testing::StartFloodTarget(province_, kYears));
    ASSERT_OK(province_.WatchAggregatorOnce(&expected_));
  }

  // Runs `flood` for kAttackMs, checking all along that watch gets exactly the aggregator's state
  // within its own timeout (5 s); then the attacker leaves. Checks the publisher's memory during
  // the attack and after.
  void Attack(FeedFlood* flood) {
    const pid_t publisher = province_.Pid("publisher");
    const double baseline_mb = ResidentMemorySampler::ResidentMegabytes(publisher);
    ResidentMemorySampler memory(publisher);
    flood->Start();
    int watches = 0;
    int64_t slowest_ms = 0;
    const int64_t end = MonotonicMs() + kAttackMs;
    while (MonotonicMs() < end) {
      const int64_t start = MonotonicMs();
      nlohmann::json state;
      Status s = province_.WatchOnce(&state);
      ASSERT_TRUE(s.ok()) << "watch failed during the attack (" << flood->name() << "): " << s.ToString()
                          << "\n" << province_.LogTail("publisher");
      slowest_ms = std::max(slowest_ms, MonotonicMs() - start);
      ASSERT_EQ(state["aggregates"], expected_["aggregates"]) << "watch saw another state during the attack";
      ++watches;
    }
    flood->Stop();
    const double peak_mb = memory.peak_mb();
    std::cout << fmt::format("[ figures ] {}: {} connections ({} cut off by the publisher), {} messages; publisher "
                             "resident {:.0f} MB before, {:.0f} MB at most during; {} watches, the slowest {} ms\n",
                             flood->name(), flood->rounds(), flood->closed_by_server(), flood->messages(),
                             baseline_mb, peak_mb, watches, slowest_ms);
    EXPECT_LT(peak_mb - baseline_mb, kMaxGrowthMb) << flood->name() << " bloated the publisher";

    double now_mb = 0;
    const int64_t deadline = MonotonicMs() + kMemoryReturnedWithinMs;
    while ((now_mb = ResidentMemorySampler::ResidentMegabytes(publisher)) - baseline_mb > kMaxRemainingMb &&
           MonotonicMs() < deadline) {
      Pause(100);
    }
    EXPECT_LT(now_mb - baseline_mb, kMaxRemainingMb)
        << "the publisher kept what " << flood->name() << " cost after the attacker left";
    ASSERT_TRUE(province_.IsRunning("publisher"));
  }

  std::string PublishEndpoint() const { return province_.PublisherPublishEndpoint(); }
  std::string SnapshotEndpoint() const { return province_.PublisherSnapshotEndpoint(); }

  testing::TempDir dir_;
  MiniProvince province_{dir_.path(), testing::FloodCatalogDir()};
  nlohmann::json expected_;
};

TEST_F(PublisherFloodTest, AHugeSubscriptionDisconnectsItsSenderAndCostsNothing) {
  FeedFlood flood(FeedFlood::Kind::kHugeSubscription, PublishEndpoint(), SnapshotEndpoint(), /*max_rounds=*/3);
  Attack(&flood);
  EXPECT_EQ(flood.closed_by_server(), flood.rounds()) << "the publisher kept a connection that sent 8 MiB";
}

TEST_F(PublisherFloodTest, ASubscriberWithTooManySubscriptionsIsCutOff) {
  FeedFlood flood(FeedFlood::Kind::kManySubscriptions, PublishEndpoint(), SnapshotEndpoint(), /*max_rounds=*/5);
  Attack(&flood);
  EXPECT_GT(flood.closed_by_server(), 0u) << "the publisher kept a connection with 50,000 subscriptions";
  EXPECT_NE(province_.LogTail("publisher", 200).find("cut off the subscriber at"), std::string::npos)
      << "the cut-off was not logged";
}

TEST_F(PublisherFloodTest, ASnapshotRequesterThatNeverReadsCostsLittleAndItsMemoryIsReturned) {
  FeedFlood flood(FeedFlood::Kind::kSnapshotRequests, PublishEndpoint(), SnapshotEndpoint());
  Attack(&flood);
  EXPECT_GT(flood.messages(), 1'000u) << "the attack sent too few requests to prove anything";
  EXPECT_NE(province_.LogTail("publisher", 200).find("cut off the snapshot requester at"), std::string::npos)
      << "the flood of requests was not cut off, or not logged";
}

}  // namespace
}  // namespace tonghop
