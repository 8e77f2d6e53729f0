// Issue 15's proof of a pair of aggregators, with the real processes (tests/mini_province.h):
// every collector of the reference quarter delivers to aggregators A and B. A third of the way
// in, A is killed and its data folder deleted; the collectors keep streaming (to B, and pending
// for A); B is backed up online and the last third streams in; A is rebuilt from that backup and
// started, and gets from the collectors what it lacks. At the end A and B hold the same figures and the
// same province values, every one compared; each update is in each audit log exactly once; and
// the report's totals are exact, read from the publisher that followed A through it all.
//
// And the office's import given both: each stores every row. And the publisher's failover: given
// both aggregators, A first, it follows A until A is killed mid-stream, then B; a subscriber that
// stayed on throughout ends with exactly B's values, and the report's totals read through the
// publisher are exact.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <thread>

#include <zmq.hpp>

#include "aggregator/backup_manifest.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/csv.h"
#include "core/testing/clone_source.h"
#include "core/testing/status_matchers.h"
#include "core/transport.h"
#include "tests/audit_summary.h"
#include "tests/curve_test_keys.h"
#include "tests/reference_quarter.h"

namespace tonghop {
namespace {

namespace fs = std::filesystem;

constexpr int kTimeoutMs = 120'000;

class PairTest : public testing::ReferenceQuarterTest {
 protected:
  // What `tonghop query --by unit --format json` prints of `period` on the aggregator at `query`:
  // every province value and every unit's value, without seqs or times.
  // `key_flags` are the office's, for an aggregator under CURVE.
  std::string Values(const std::string& query, const std::string& period, const std::vector<std::string>& key_flags = {}) {
    std::vector<std::string> args = {"query", "--period", period, "--by", "unit", "--format", "json", "--aggregator", query};
    args.insert(args.end(), key_flags.begin(), key_flags.end());
    std::string out, err;
    EXPECT_EQ(province_.RunCli(args, &out, &err), 0) << err;
    return out;
  }
  // unit -> how many figures its drop files of the scenario hold (one a row, after the header).
  Status FiguresPerUnit(std::map<std::string, size_t>* figures) {
    for (const auto& [unit, path] : ScenarioFiles()) {
      std::string text;
      TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
      (*figures)[unit] += std::count(text.begin(), text.end(), '\n') - 1;
    }
    return Status::OK();
  }
  // Whether every collector has delivered its `figures` to both aggregators.
  bool AllDelivered(const std::map<std::string, size_t>& figures, std::string* why) {
    for (const auto& unit : units_) {
      auto status = province_.CollectorStatus(unit);
      const std::string next_seq = std::to_string(figures.at(unit) + 1);
      if (status["next_seq"] != next_seq || status["pending"] != "0") {
        *why = fmt::format("{}: next_seq {} (of {}), pending {}", unit, status["next_seq"], next_seq, status["pending"]);
        return false;
      }
    }
    return true;
  }
};

TEST_F(PairTest, AReplicaRebuiltFromTheOthersBackupEndsWithTheSameFiguresAndTotals) {
  testing::MiniProvince b(dir_.Sub("b"), testing::kLangSon);
  ASSERT_OK(b.StartAggregator());
  StartProvince({.aggregator_endpoint = province_.IngestEndpoint() + "," + b.IngestEndpoint()});
  std::map<std::string, size_t> figures;
  ASSERT_OK(FiguresPerUnit(&figures));

  // A third of the scenario in, and part of it applied by A.
  auto files = ScenarioFiles();
  const size_t third = files.size() / 3;
  for (size_t i = 0; i < third; ++i) ASSERT_OK(province_.Drop(files[i].first, files[i].second));
  nlohmann::json seen;
  for (int64_t deadline = MonotonicMs() + kTimeoutMs; MonotonicMs() < deadline;) {
    if (province_.WatchAggregatorOnce(&seen).ok() && !seen["aggregates"].empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_FALSE(seen["aggregates"].empty()) << province_.LogTail("aggregator");

  // 1. A dies with its disk. 2. The collectors keep streaming: to B, and pending for A.
  ASSERT_OK(province_.Kill("aggregator"));
  fs::remove_all(province_.AggregatorDataDir());
  for (size_t i = third; i < 2 * third; ++i) ASSERT_OK(province_.Drop(files[i].first, files[i].second));
  // The collectors show what A lacks, once they find it silent (three heartbeat intervals).
  const std::string a_line = fmt::format("aggregator {}", province_.IngestEndpoint());
  std::map<std::string, std::string> waiting;
  for (int64_t deadline = MonotonicMs() + kTimeoutMs; MonotonicMs() < deadline;) {
    waiting = province_.CollectorStatus(files[2 * third - 1].first);  // it had a file in meanwhile
    if (waiting[a_line].starts_with("unreachable; pending: ") && !waiting[a_line].starts_with("unreachable; pending: 0;")) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(waiting["aggregator"], "unreachable");
  EXPECT_TRUE(waiting[a_line].starts_with("unreachable; pending: ")) << a_line << ": " << waiting[a_line];
  EXPECT_FALSE(waiting[a_line].starts_with("unreachable; pending: 0;")) << waiting[a_line];
  EXPECT_TRUE(waiting[fmt::format("aggregator {}", b.IngestEndpoint())].starts_with("reachable; pending: "))
      << waiting[fmt::format("aggregator {}", b.IngestEndpoint())];

  // 3. A rebuilt from B's online backup.
  const std::string backup = dir_.Sub("backup-of-b");
  std::string out, err;
  ASSERT_EQ(province_.RunCli({"backup", "--output", backup, "--aggregator", b.QueryEndpoint(),
                              "--plaintext_for_development"},
                             &out, &err),
            0)
      << out << err << b.LogTail("aggregator");
  // The rest streams in after the backup: A gets it only from the collectors.
  for (size_t i = 2 * third; i < files.size(); ++i) ASSERT_OK(province_.Drop(files[i].first, files[i].second));
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  fs::copy(backup, province_.AggregatorDataDir(), fs::copy_options::recursive);
  ASSERT_OK(province_.Restart("aggregator"));

  // Every figure delivered to both; the report's totals exact, through the publisher following A.
  std::string why;
  for (int64_t deadline = MonotonicMs() + kTimeoutMs; !AllDelivered(figures, &why) && MonotonicMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(AllDelivered(figures, &why)) << why << province_.LogTail("aggregator")
                                           << province_.LogTail("collector-" + files.back().first);
  ExpectReferenceFigures(WaitForCompleteQuarter(kTimeoutMs));
  nlohmann::json state_b;
  ASSERT_OK(b.WatchAggregatorOnce(&state_b));
  ExpectReferenceFigures(state_b);

  // A and B hold the same figures and the same values, every one.
  for (const char* period : {"2017-Q1", "2017-H1", "2017"}) {
    SCOPED_TRACE(period);
    const std::string a_values = Values(province_.QueryEndpoint(), period);
    EXPECT_GT(a_values.size(), 1000u) << a_values;
    EXPECT_EQ(a_values, Values(b.QueryEndpoint(), period));
  }
  std::string log;
  ASSERT_OK(ReadFileToString(dir_.Sub("logs/aggregator.log"), &log));
  EXPECT_NE(log.find("restored backup: the database starts the new stream"), std::string::npos);

  ASSERT_OK(province_.TerminateAll());
  ASSERT_OK(b.TerminateAll());
  size_t total = 0;
  for (const auto& [unit, count] : figures) total += count;
  BackupManifest manifest;
  ASSERT_OK(BackupManifest::Read(backup, &manifest));
  EXPECT_LT(manifest.audit_seq, total) << "figures reached A after the backup it was rebuilt from";
  for (const std::string& data_dir : {province_.AggregatorDataDir(), b.AggregatorDataDir()}) {
    SCOPED_TRACE(data_dir);
    testing::AuditSummary audit;
    ASSERT_OK(testing::SummarizeAudit(data_dir, &audit));
    EXPECT_EQ(audit.rejected, 0u) << audit.first_rejection;
    EXPECT_EQ(audit.records, audit.distinct_updates) << "an update was applied twice";
    EXPECT_EQ(audit.records, total) << "updates missing from the audit log";
  }
}

// The office's import given both aggregators of a pair, B first: each stores every row, and the two
// hold the same values.
TEST_F(PairTest, AnImportGivenBothReachesEach) {
  testing::MiniProvince b(dir_.Sub("b"), testing::kLangSon);
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(b.StartAggregator());
  dir_.Write("office.csv",
             "dataelement,period,orgunit,value\n"
             "agri.herd.pigs,2017-Q1,cao-loc,1200\n"
             "agri.herd.pigs,2017-Q1,bac-son,3400\n");
  std::string out, err;
  ASSERT_EQ(province_.RunCli({"--lang", "en", "import", dir_.Sub("office.csv"), "--ingest_endpoint",
                              b.IngestEndpoint() + "," + province_.IngestEndpoint(), "--state_dir", dir_.Sub("state")},
                             &out, &err),
            0)
      << out << err;
  EXPECT_NE(out.find("2 rows: 2 stored"), std::string::npos) << out;
  const std::string a_values = Values(province_.QueryEndpoint(), "2017-Q1");
  EXPECT_NE(a_values.find("4600"), std::string::npos) << a_values;
  EXPECT_EQ(a_values, Values(b.QueryEndpoint(), "2017-Q1"));
}

// The same under CURVE, as SECURITY.md has a pair run: A and B share one key pair and each reads its
// own copy of the registry. B's copy lacks the office key: the import names B alone as refusing it,
// A stores every row, and once B's registry has the key (SIGHUP) the same command gives B what it
// lacks.
TEST_F(PairTest, UnderCurveAnImportNamesTheAggregatorThatRefusesTheKeyAndARunAgainCatchesItUp) {
  const std::string keys = dir_.Sub("keys");
  std::map<std::string, CurveKeyPair> pairs;
  ASSERT_OK(testing::MakeCurveKeys(keys, {"aggregator", "office"}, &pairs));
  const std::string header = "role,name,public_key,comment\n";
  const std::string office_line = "office,office," + pairs["office"].public_key + ",statistics desk\n";
  dir_.Write("keys/a.csv", header + office_line);
  dir_.Write("keys/b.csv", header);
  testing::MiniProvince b(dir_.Sub("b"), testing::kLangSon);
  for (auto [aggregator, registry] : {std::pair{&province_, "a.csv"}, std::pair{&b, "b.csv"}}) {
    aggregator->set_plaintext_for_development(false);
    ASSERT_OK(aggregator->StartAggregator(
        {"--curve_secret_key_file", keys + "/aggregator.key", "--key_registry_file", keys + "/" + registry}));
  }
  const std::vector<std::string> office = {"--curve_secret_key_file", keys + "/office.key", "--curve_server_public_key",
                                           keys + "/aggregator.pub"};
  dir_.Write("office.csv",
             "dataelement,period,orgunit,value\n"
             "agri.herd.pigs,2017-Q1,cao-loc,1200\n"
             "agri.herd.pigs,2017-Q1,bac-son,3400\n");
  std::vector<std::string> import = {"--lang", "en", "import", dir_.Sub("office.csv"), "--ingest_endpoint",
                                     province_.IngestEndpoint() + "," + b.IngestEndpoint(), "--state_dir",
                                     dir_.Sub("state"), "--timeout_ms", "60000"};
  import.insert(import.end(), office.begin(), office.end());

  std::string out, err;
  ASSERT_EQ(province_.RunCli(import, &out, &err), 1) << out << err;
  EXPECT_NE(err.find(fmt::format("the aggregator at {} refused this key", b.IngestEndpoint())), std::string::npos) << err;
  EXPECT_EQ(err.find(province_.IngestEndpoint()), std::string::npos) << "A took the key, and is not to be named: " << err;
  EXPECT_NE(err.find("run the same command again"), std::string::npos) << err;
  EXPECT_NE(b.LogTail("aggregator", 50).find("not in the key registry"), std::string::npos) << b.LogTail("aggregator", 50);

  dir_.Write("keys/b.csv", header + office_line);
  ASSERT_OK(b.Reload("aggregator"));
  for (int64_t deadline = MonotonicMs() + kTimeoutMs;
       b.LogTail("aggregator", 50).find("reloaded: 0 collector, 0 publisher and 1 office keys") == std::string::npos &&
       MonotonicMs() < deadline;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(province_.RunCli(import, &out, &err), 0) << out << err;
  const std::string a_values = Values(province_.QueryEndpoint(), "2017-Q1", office);
  EXPECT_NE(a_values.find("4600"), std::string::npos) << a_values;
  EXPECT_EQ(a_values, Values(b.QueryEndpoint(), "2017-Q1", office));
  ASSERT_OK(province_.Terminate("aggregator"));
  ASSERT_OK(b.Terminate("aggregator"));
  for (const std::string& data_dir : {province_.AggregatorDataDir(), b.AggregatorDataDir()}) {
    SCOPED_TRACE(data_dir);
    testing::AuditSummary audit;
    ASSERT_OK(testing::SummarizeAudit(data_dir, &audit));
    EXPECT_EQ(audit.records, 2u) << "each row stored once";
    EXPECT_EQ(audit.distinct_updates, 2u);
  }
}

TEST_F(PairTest, APublisherGivenBothFollowsBWhenAIsKilledAndItsSubscribersEndWithBsValues) {
  testing::MiniProvince b(dir_.Sub("b"), testing::kLangSon);
  ASSERT_OK(b.StartAggregator());
  StartProvince({.aggregator_endpoint = province_.IngestEndpoint() + "," + b.IngestEndpoint()});
  // The fixture's publisher follows A alone; this one is given B as well (the list flags' second
  // entries), and detects A's silence within a second.
  ASSERT_OK(province_.Terminate("publisher"));
  ASSERT_OK(province_.StartPublisher({"--upstream_publish_endpoint", b.AggregatorPublishEndpoint(),
                                      "--upstream_snapshot_endpoint", b.AggregatorSnapshotEndpoint(),
                                      "--upstream_timeout_ms", "1000"}));

  // A subscriber of the publisher from the start to the end, and B's own state to compare with.
  zmq::context_t context(1);
  CloneReplica subscriber(context, testing::TestReplicaOptions(province_.PublisherPublishEndpoint(),
                                                               province_.PublisherSnapshotEndpoint()));
  CloneReplica b_state(context, testing::TestReplicaOptions(b.AggregatorPublishEndpoint(), b.AggregatorSnapshotEndpoint()));
  ASSERT_OK(subscriber.Start());
  ASSERT_OK(b_state.Start());
  auto pump = [&](int ms) {
    for (const int64_t until = MonotonicMs() + ms; MonotonicMs() < until;) {
      std::vector<zmq::pollitem_t> items = subscriber.PollItems();
      for (const auto& item : b_state.PollItems()) items.push_back(item);
      zmq::poll(items, std::chrono::milliseconds(10));
      subscriber.Process({});
      b_state.Process({});
    }
  };

  // A third of the scenario in, and part of it relayed from A.
  auto files = ScenarioFiles();
  const size_t third = files.size() / 3;
  for (size_t i = 0; i < third; ++i) {
    ASSERT_OK(province_.Drop(files[i].first, files[i].second));
    pump(20);
  }
  for (int64_t deadline = MonotonicMs() + kTimeoutMs;
       MonotonicMs() < deadline && !(subscriber.synced() && subscriber.table().size() > 0);) {
    pump(50);
  }
  ASSERT_TRUE(subscriber.synced()) << province_.LogTail("publisher");
  const uint64_t a_stream = subscriber.stream_id();

  // A dies mid-stream, and the rest streams in, to B (and pending for A).
  ASSERT_OK(province_.Kill("aggregator"));
  const int64_t killed_ms = MonotonicMs();
  int64_t on_b_ms = 0;  // when the subscriber first held B's stream, in sync
  auto note_b = [&] {
    if (on_b_ms == 0 && b_state.synced() && subscriber.synced() && subscriber.stream_id() == b_state.stream_id()) {
      on_b_ms = MonotonicMs();
    }
  };
  for (size_t i = third; i < files.size(); ++i) {
    ASSERT_OK(province_.Drop(files[i].first, files[i].second));
    pump(20);
    note_b();
  }
  ASSERT_NE(a_stream, b_state.stream_id());

  // Every figure delivered to B (A's stay pending for it)...
  std::map<std::string, size_t> figures;
  ASSERT_OK(FiguresPerUnit(&figures));
  const std::string b_line = fmt::format("aggregator {}", b.IngestEndpoint());
  std::string why = "not asked yet";
  auto all_at_b = [&] {
    for (const auto& unit : units_) {
      auto status = province_.CollectorStatus(unit);
      if (status["next_seq"] != std::to_string(figures.at(unit) + 1) || !status[b_line].starts_with("reachable; pending: 0;")) {
        why = fmt::format("{}: next_seq {} (of {}), {}", unit, status["next_seq"], figures.at(unit) + 1, status[b_line]);
        return false;
      }
    }
    return true;
  };
  for (int64_t deadline = MonotonicMs() + kTimeoutMs; MonotonicMs() < deadline && !all_at_b();) {
    pump(100);
    note_b();
  }
  ASSERT_TRUE(all_at_b()) << why << b.LogTail("aggregator");
  // ...the subscriber ends with exactly B's values, every aggregate.
  for (int64_t deadline = MonotonicMs() + kTimeoutMs; MonotonicMs() < deadline;) {
    pump(100);
    note_b();
    if (!subscriber.synced() || !b_state.synced() || subscriber.stream_id() != b_state.stream_id()) {
      why = fmt::format("subscriber synced {} on stream {:x}; B's stream {:x}", subscriber.synced(),
                        subscriber.stream_id(), b_state.stream_id());
    } else if ((why = testing::TableDiff(b_state.table(), subscriber.table(), "", testing::TableFields::kValues)).empty()) {
      break;
    }
  }
  ASSERT_EQ(why, "") << province_.LogTail("publisher");
  ASSERT_NE(on_b_ms, 0);
  const double stale_s = (on_b_ms - killed_ms) / 1000.0;
  std::printf("failover: the subscriber held B's stream, in sync, %.3f s after A was killed "
              "(publisher --upstream_timeout_ms 1000)\n", stale_s);
  RecordProperty("subscriber_stale_after_kill_ms", static_cast<int>(on_b_ms - killed_ms));
  EXPECT_EQ(subscriber.stream_id(), b_state.stream_id());
  EXPECT_GT(subscriber.table().size(), 100u);

  // The report's totals through the publisher, now following B, are exact.
  ExpectReferenceFigures(WaitForCompleteQuarter(kTimeoutMs));
  std::string log;
  ASSERT_OK(ReadFileToString(dir_.Sub("logs/publisher.log"), &log));
  EXPECT_NE(log.find(fmt::format("following {} (server 2 of 2) instead of the silent {}", b.AggregatorPublishEndpoint(),
                                 province_.AggregatorPublishEndpoint())),
            std::string::npos)
      << province_.LogTail("publisher");
}

}  // namespace
}  // namespace tonghop
