#include "bench/flood_bench.h"

#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/testing/resident_memory_sampler.h"
#include "core/transport.h"
#include "tests/feed_flood.h"
#include "tests/mini_province.h"

namespace tonghop::bench {
namespace {

using testing::FeedFlood;
using testing::ResidentMemorySampler;

// The state of the flood tests: 5,700 aggregates (3 indicators, 19 periods a year), a full
// snapshot of about 0.8 MB.
constexpr int kYears = 100;
// How long after the attacker left the publisher's memory is read again.
constexpr int kAfterMs = 2'000;

}  // namespace

Status MeasureFloods(const BenchOptions& options, const std::string& root, BenchReport& report) {
  testing::MiniProvince province(root, testing::FloodCatalogDir());
  TONGHOP_RETURN_IF_ERROR(testing::StartFloodTarget(province, kYears));
  const std::vector<std::optional<FeedFlood::Kind>> runs = {
      std::nullopt, FeedFlood::Kind::kHugeSubscription, FeedFlood::Kind::kManySubscriptions,
      FeedFlood::Kind::kSnapshotRequests};
  for (const auto& kind : runs) {
    std::unique_ptr<FeedFlood> flood;
    if (kind) {
      flood = std::make_unique<FeedFlood>(*kind, province.PublisherPublishEndpoint(),
                                          province.PublisherSnapshotEndpoint());
    }
    const std::string name = flood ? flood->name() : "no attack";
    spdlog::info("publisher under {}, {} s", name, options.flood_seconds);
    // Each run on a fresh publisher, synced: what one attack left behind is not the next one's.
    TONGHOP_RETURN_IF_ERROR(province.Restart("publisher"));
    const size_t aggregates = 3 * 19 * kYears;
    TONGHOP_RETURN_IF_ERROR(province.WaitForWatch(
        [&](const nlohmann::json& state) { return state["aggregates"].size() == aggregates; }, 60'000));
    const pid_t publisher = province.Pid("publisher");
    const double before_mb = ResidentMemorySampler::ResidentMegabytes(publisher);
    ResidentMemorySampler memory(publisher);
    if (flood) flood->Start();
    // watch --once gives up after 5 s without a snapshot: a publisher the attack stalls.
    int watches = 0;
    int failed = 0;
    int64_t slowest_ms = 0;
    const int64_t end = MonotonicMs() + static_cast<int64_t>(options.flood_seconds * 1'000);
    while (MonotonicMs() < end) {
      const int64_t start = MonotonicMs();
      nlohmann::json state;
      failed += !province.WatchOnce(&state).ok();
      slowest_ms = std::max(slowest_ms, MonotonicMs() - start);
      ++watches;
    }
    if (flood) flood->Stop();
    const double peak_mb = memory.peak_mb();
    std::this_thread::sleep_for(std::chrono::milliseconds(kAfterMs));
    const double after_mb = ResidentMemorySampler::ResidentMegabytes(publisher);
    std::string note = fmt::format("{:.0f} MB before, {:.0f} MB {} s after; watch --once x{} ({} failed), slowest {} ms",
                                   before_mb, after_mb, kAfterMs / 1'000, watches, failed, slowest_ms);
    if (flood) {
      note += fmt::format("; {} connections ({} cut off), {} messages", flood->rounds(), flood->closed_by_server(),
                          flood->messages());
    }
    report.Add("flood", name, peak_mb, "MB", "publisher resident at most; " + note);
  }
  return province.TerminateAll();
}

}  // namespace tonghop::bench
