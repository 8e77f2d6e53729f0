// Flow control on the feed (issue 3, part 4), with the real processes: a subscriber that stops
// reading while updates stream neither slows ingest nor the other subscribers. It falls behind,
// the publisher drops for it at its HWM, and once it reads again it sees the gap and resyncs to
// exactly the aggregator's state.
#include <atomic>
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <map>
#include <thread>

#include "aggregator/ingest_store.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/testing/clone_source.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::MiniProvince;

const std::string kCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";
const std::vector<std::string> kIndicators = {"agri.area.total", "agri.area.rice", "agri.herd.pigs"};
// Each phase drops kFilesPerPhase files of one figure per (indicator, month) of kYears years, each
// file correcting the one before: every figure is a new version of its aggregate (and of the
// quarter, half and year it is part of), tens of thousands of versions per phase, more than the
// stalled subscriber's queues and TCP buffers hold. The years are inside the test catalog's
// (1990 to next year): a collector refuses a file with a figure outside them.
constexpr int kFirstYear = 1990;
constexpr int kYears = 36;
constexpr int kFilesPerPhase = 20;
constexpr int kFiguresPerFile = 3 * 12 * kYears;
// The publisher's queue per subscriber: above the versions of one aggregator burst, so that a
// subscriber that reads keeps up, far below a phase. The stalled replica's receive queue is small.
constexpr int kSubscriberHwm = 5'000;
constexpr int kStalledReceiveHwm = 100;

void Pause(int ms) { std::this_thread::sleep_for(std::chrono::milliseconds(ms)); }

// A CloneReplica of the publisher that reads all the time, on a thread of its own.
class LiveSubscriber {
 public:
  LiveSubscriber(std::string publish_endpoint, std::string snapshot_endpoint) {
    options_.publish_endpoint = std::move(publish_endpoint);
    options_.snapshot_endpoint = std::move(snapshot_endpoint);
    thread_ = std::thread([this] { Run(); });
  }
  ~LiveSubscriber() { Stop(); }

  uint64_t verified_seq() const { return verified_seq_; }
  uint64_t resyncs() const { return resyncs_; }
  // Stops reading; the table is then final.
  std::map<AggregateTable::Key, tonghop::v1::AggregateUpdate> Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    return entries_;
  }

 private:
  void Run() {
    zmq::context_t context;
    CloneReplica replica(context, options_);
    if (!replica.Start().ok()) return;
    while (!stop_) {
      std::vector<zmq::pollitem_t> items = replica.PollItems();
      zmq::poll(items, std::chrono::milliseconds(50));
      replica.Process({});
      verified_seq_ = replica.verified_seq();
      resyncs_ = replica.resyncs();
    }
    entries_ = replica.table().entries();
  }

  CloneReplicaOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> verified_seq_{0};
  std::atomic<uint64_t> resyncs_{0};
  std::map<AggregateTable::Key, tonghop::v1::AggregateUpdate> entries_;
  std::thread thread_;
};

class FlowControlTest : public ::testing::Test {
 protected:
  // Writes the phase's files, one figure per key each, every file differing from the one before,
  // and drops them.
  void DropPhase(int phase) {
    for (int file = 0; file < kFilesPerPhase; ++file) {
      std::string text = "indicator,period,value\n";
      for (int i = 0; i < kFiguresPerFile; ++i) {
        int month = i / static_cast<int>(kIndicators.size());
        text += fmt::format("{},{}-{:02d},{}.{}{}\n", kIndicators[i % kIndicators.size()], kFirstYear + month / 12,
                            month % 12 + 1, 1000 + i % 977, phase, file);
      }
      std::string name = fmt::format("files/phase-{}-{}.csv", phase, file);
      dir_.Write(name, text);
      Status s = province_.Drop("north", dir_.Sub(name));
      ASSERT_TRUE(s.ok()) << s.ToString();
    }
  }

  // What the collector's outbox holds, -1 when it does not say.
  int64_t Pending() {
    auto status = province_.CollectorStatus("north");
    auto pending = status.find("pending");
    return pending == status.end() ? -1 : std::stoll(pending->second);
  }

  // How many of the phase's files the collector has taken in (moved to done/).
  int FilesIngested(int phase) {
    int done = 0;
    for (int file = 0; file < kFilesPerPhase; ++file) {
      done += std::filesystem::exists(fmt::format("{}/done/phase-{}-{}.csv", province_.DropDir("north"), phase, file));
    }
    return done;
  }

  // Drops a phase and returns the acked updates per second: from the first time the collector
  // shows the files' figures pending until every file is taken in and none is pending. (The
  // collector leaves a file younger than its min age for a later scan, so the outbox may empty
  // between two files.)
  double IngestPhase(int phase) {
    DropPhase(phase);
    int64_t deadline = MonotonicMs() + 60'000;
    int64_t first_seen_ms = 0;
    while (MonotonicMs() < deadline) {
      int64_t pending = Pending();
      if (first_seen_ms == 0 && pending > 0) {
        first_seen_ms = MonotonicMs();
      } else if (first_seen_ms != 0 && pending == 0 && FilesIngested(phase) == kFilesPerPhase) {
        double seconds = (MonotonicMs() - first_seen_ms) / 1000.0;
        return kFilesPerPhase * kFiguresPerFile / seconds;
      }
      Pause(20);
    }
    ADD_FAILURE() << "phase " << phase << " not acked within 60 s\n" << province_.LogTail("collector-north");
    return 0;
  }

  // The seq a feed's state is complete up to, as `tonghop watch --once --json` sees it: the
  // publisher's, or the aggregator's own.
  uint64_t PublishedSeq(bool of_aggregator = false) {
    nlohmann::json state;
    Status s = of_aggregator ? province_.WatchAggregatorOnce(&state) : province_.WatchOnce(&state);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return s.ok() ? state["seq"].get<uint64_t>() : 0;
  }

  testing::TempDir dir_;
  MiniProvince province_{dir_.path(), kCatalog};
};

TEST_F(FlowControlTest, AStalledSubscriberSlowsNeitherIngestNorOthersAndResyncsExactly) {
  Status s = province_.StartAggregator();
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = province_.StartPublisher({"--subscriber_hwm", std::to_string(kSubscriberHwm)});
  ASSERT_TRUE(s.ok()) << s.ToString();
  s = province_.StartCollector("north");
  ASSERT_TRUE(s.ok()) << s.ToString();
  LiveSubscriber live(province_.PublisherPublishEndpoint(), province_.PublisherSnapshotEndpoint());

  // Each rate is the better of two phases: the machine is shared, and a build elsewhere can halve
  // one phase's rate; what a stalled subscriber would do is slow every phase.
  const double unimpeded_rate = std::max(IngestPhase(1), IngestPhase(2));

  // A subscriber that syncs, then stops reading: it takes nothing from its socket, whose queue
  // fills, then the TCP buffers, then the publisher's queue for it.
  zmq::context_t stalled_context;
  CloneReplicaOptions stalled_options;
  stalled_options.publish_endpoint = province_.PublisherPublishEndpoint();
  stalled_options.snapshot_endpoint = province_.PublisherSnapshotEndpoint();
  stalled_options.link.receive_hwm = kStalledReceiveHwm;
  CloneReplica stalled(stalled_context, stalled_options);
  ASSERT_OK(stalled.Start());
  ASSERT_OK(stalled.WaitUntilSynced(10'000));
  const uint64_t stalled_resyncs = stalled.resyncs();
  const uint64_t live_resyncs = live.resyncs();

  const double stalled_rate = std::max(IngestPhase(3), IngestPhase(4));
  std::cout << fmt::format("[ figures ] ingest {:.0f} updates/s with every subscriber reading, {:.0f} with one "
                           "stalled (best of two phases of {} figures)\n", unimpeded_rate, stalled_rate, kFilesPerPhase * kFiguresPerFile);
  EXPECT_GT(stalled_rate, unimpeded_rate / 3) << "a stalled subscriber slowed ingest";

  // The live subscriber is current within a second of the publisher, without a resync. The last
  // seq is the aggregator's: right after the last ack the publisher may still be relaying.
  const uint64_t final_seq = PublishedSeq(/*of_aggregator=*/true);
  int64_t deadline = MonotonicMs() + 10'000;
  while (PublishedSeq() < final_seq && MonotonicMs() < deadline) Pause(10);
  ASSERT_EQ(PublishedSeq(), final_seq) << "the publisher did not relay the aggregator's last version within 10 s";
  deadline = MonotonicMs() + 1'000;
  while (live.verified_seq() < final_seq && MonotonicMs() < deadline) Pause(10);
  EXPECT_EQ(live.verified_seq(), final_seq) << "the reading subscriber fell behind";
  EXPECT_EQ(live.resyncs(), live_resyncs) << "the reading subscriber lost updates";
  EXPECT_LT(stalled.verified_seq(), final_seq);
  const uint64_t stalled_behind = final_seq - stalled.verified_seq();

  // Reading again, the stalled one sees the gap, catches up and holds exactly the same state.
  testing::PumpUntil({}, {&stalled}, [&] { return stalled.verified_seq() >= final_seq && stalled.synced(); }, 15'000);
  EXPECT_EQ(stalled.verified_seq(), final_seq);
  EXPECT_GT(stalled.resyncs(), stalled_resyncs) << "the stalled subscriber lost nothing: the test proved nothing";
  std::cout << fmt::format("[ figures ] the stalled subscriber was {} versions behind and caught up in {} snapshots\n",
                           stalled_behind, stalled.resyncs() - stalled_resyncs);
  auto live_entries = live.Stop();

  // The aggregator's own state, read from its database once it has stopped.
  Status stopped = province_.TerminateAll();
  ASSERT_TRUE(stopped.ok()) << stopped.ToString();
  std::unique_ptr<IngestStore> store;
  ASSERT_OK(IngestStore::Open(province_.AggregatorDataDir(), Durability::kWal, &store));
  std::map<AggregateTable::Key, tonghop::v1::AggregateUpdate> stored;
  IngestStore::Visitor visitor;
  visitor.on_value = [](auto&&...) {};
  visitor.on_position = [](auto&&...) {};
  visitor.on_aggregate = [&](const tonghop::v1::AggregateUpdate& u) { stored[{u.indicator(), u.period()}] = u; };
  IngestStore::Counters counters;
  ASSERT_OK(store->Load(visitor, &counters));
  EXPECT_EQ(counters.aggregate_seq, final_seq);

  using Entries = std::map<AggregateTable::Key, tonghop::v1::AggregateUpdate>;
  for (const Entries* held : {&stalled.table().entries(), static_cast<const Entries*>(&live_entries)}) {
    ASSERT_EQ(held->size(), stored.size());
    size_t differing = 0;
    for (const auto& [key, version] : stored) {
      auto it = held->find(key);
      if (it == held->end() || it->second.SerializeAsString() != version.SerializeAsString()) ++differing;
    }
    EXPECT_EQ(differing, 0u) << "of " << stored.size() << " aggregates";
  }
}

}  // namespace
}  // namespace tonghop
