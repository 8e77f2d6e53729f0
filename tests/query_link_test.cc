// The query link with the real processes: `tonghop export` pages through a database a figure at a
// time, the query thread keeps answering while the aggregator's disk is full and its store is
// reopened every second (docs/PROTOCOL.md, "Query link"; aggregator/query_service.h), and the
// office's commands take a list of aggregators (a pair) and use whichever answers.
#include <filesystem>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <set>
#include <sstream>
#include <thread>

#include "aggregator/backup_manifest.h"
#include "aggregator/ingest_store.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"
#include "tests/small_filesystem.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {
namespace {

const std::string kCatalog = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";

class QueryLinkTest : public ::testing::Test {
 protected:
  // `tonghop ARGS... --aggregator <query endpoint>`: what it printed; the exit code in *code.
  std::string Cli(std::vector<std::string> args, int* code = nullptr) {
    args.push_back("--aggregator");
    args.push_back(province_.QueryEndpoint());
    std::string out, err;
    const int exit_code = province_.RunCli(args, &out, &err);
    if (code) *code = exit_code;
    return out + err;
  }

  testing::TempDir dir_;
  testing::MiniProvince province_{dir_.path(), kCatalog};
};

// Every stored figure, written page by page into a file that appears only when whole.
TEST_F(QueryLinkTest, ExportWritesEveryStoredFigureOnceAPageAtATime) {
  std::set<std::string> stored;
  {
    std::unique_ptr<IngestStore> store;
    ASSERT_OK(IngestStore::Open(province_.AggregatorDataDir(), Durability::kWal, &store));
    IngestStore::Batch batch = store->NewBatch();
    for (int year = 1990; year < 2040; ++year) {
      for (int month = 1; month <= 12; ++month) {
        for (const char* unit : {"north", "south", "capital"}) {
          const std::string period = fmt::format("{}-{:02d}", year, month);
          tonghop::storage::v1::UnitValue value;
          value.set_value_micros(2'500'000);
          batch.PutValue("agri.area.rice", period, unit, value);
          stored.insert(fmt::format("agri.area.rice,{},{},2.5", period, unit));
        }
      }
    }
    ASSERT_OK(store->Commit(&batch));
  }
  ASSERT_OK(province_.StartAggregator());
  const std::string file = dir_.Sub("figures.csv");
  int code = 0;
  std::string printed = Cli({"export", "--stored", "--page_figures", "97", "--output", file}, &code);
  ASSERT_EQ(code, 0) << printed;
  EXPECT_FALSE(std::filesystem::exists(file + ".part"));
  std::string text;
  ASSERT_OK(ReadFileToString(file, &text));
  std::istringstream lines(text);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(line, "dataelement,period,orgunit,value,storedby,lastupdated,comment");
  std::multiset<std::string> exported;
  while (std::getline(lines, line)) exported.insert(line.substr(0, line.find(",,")));
  EXPECT_EQ(exported.size(), stored.size());
  EXPECT_EQ(std::set<std::string>(exported.begin(), exported.end()), stored);

  // One year's figures: the months of 2017 only.
  printed = Cli({"export", "--stored", "--period", "2017", "--format", "json"}, &code);
  ASSERT_EQ(code, 0) << printed;
  EXPECT_EQ(nlohmann::json::parse(printed)["dataValues"].size(), 36u);
  // Without --stored, a period is required.
  printed = Cli({"export"}, &code);
  EXPECT_EQ(code, 1);
  EXPECT_NE(printed.find("--period is required"), std::string::npos) << printed;
}

// The query thread is stopped and joined with the aggregator: SIGTERM ends it within a second,
// cleanly, even with an export holding a snapshot of the database.
TEST_F(QueryLinkTest, TheAggregatorStopsWithinASecondOfSigtermWithAnExportOpen) {
  {
    std::unique_ptr<IngestStore> store;
    ASSERT_OK(IngestStore::Open(province_.AggregatorDataDir(), Durability::kWal, &store));
    IngestStore::Batch batch = store->NewBatch();
    for (const char* unit : {"north", "south", "capital"}) {
      tonghop::storage::v1::UnitValue value;
      value.set_value_micros(1'000'000);
      batch.PutValue("agri.area.total", "2017-Q1", unit, value);
    }
    ASSERT_OK(store->Commit(&batch));
  }
  ASSERT_OK(province_.StartAggregator());
  zmq::context_t context(1);
  zmq::socket_t req(context, zmq::socket_type::req);
  req.set(zmq::sockopt::linger, 0);
  req.set(zmq::sockopt::rcvtimeo, 10'000);
  req.connect(province_.QueryEndpoint());
  tonghop::v1::QueryRequest request;
  request.mutable_export_figures()->set_period("2017-Q1");
  request.mutable_export_figures()->set_max_figures(1);
  ASSERT_OK(SendProto(req, request));
  zmq::message_t frame;
  ASSERT_TRUE(req.recv(frame)) << "no reply within 10 s";
  tonghop::v1::QueryReply reply;
  ASSERT_TRUE(ParseProto(frame, &reply));
  ASSERT_EQ(reply.export_figures().figures_size(), 1) << reply.DebugString();
  ASSERT_FALSE(reply.export_figures().next_page_token().empty());  // the export stays open
  const int64_t start = MonotonicMs();
  ASSERT_OK(province_.Terminate("aggregator"));
  EXPECT_LT(MonotonicMs() - start, 1'000) << province_.LogTail("aggregator");
}

// Issue 10, finding 5: the query thread reads through the store the ingest thread reopens after a
// failed write (read-only while the disk stays full, every second); it answers throughout with the
// last complete state, and with the new one once the disk has room again.
TEST_F(QueryLinkTest, QueriesAreAnsweredWhileAFullDiskKeepsTheStoreReopening) {
  testing::SmallFilesystem disk(province_.AggregatorDataDir());
  if (Status s = disk.Mount(64); !s.ok()) GTEST_SKIP() << s.message();
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartCollector("north"));
  auto total = [&]() -> double {
    int code = 0;
    std::string printed = Cli({"query", "--period", "2017-Q1", "--indicator", "agri.area.total", "--format", "json"}, &code);
    if (code != 0) return -2;
    auto aggregates = nlohmann::json::parse(printed)["aggregates"];
    return aggregates.empty() ? -1 : aggregates[0]["value"].get<double>();
  };
  ASSERT_OK(testing::DropTextInto(province_.DropDir("north"), "a.csv", "indicator,period,value\nagri.area.total,2017-Q1,10\n"));
  for (int64_t deadline = MonotonicMs() + 15'000; MonotonicMs() < deadline && total() != 10;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(total(), 10) << province_.LogTail("aggregator");

  ASSERT_OK(disk.Fill());
  std::string rows = "indicator,period,value\n";
  // Inside the test catalog's years: a collector refuses a file with a figure outside them.
  for (int year = 1990; year < 2025; ++year) {
    for (int q = 1; q <= 4; ++q) rows += fmt::format("agri.area.rice,{}-Q{},4\n", year, q);
  }
  ASSERT_OK(testing::DropTextInto(province_.DropDir("north"), "b.csv", rows + "agri.area.total,2017-Q1,12\n"));
  for (int64_t deadline = MonotonicMs() + 15'000;
       MonotonicMs() < deadline && province_.LogTail("aggregator", 50).find("cannot store updates") == std::string::npos;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_NE(province_.LogTail("aggregator", 50).find("cannot store updates"), std::string::npos);
  // Several reopens (one a second) while the office keeps asking.
  int answers = 0;
  for (int64_t until = MonotonicMs() + 3'500; MonotonicMs() < until; ++answers) {
    ASSERT_EQ(total(), 10) << province_.LogTail("aggregator");
    int code = 0;
    std::string history = Cli({"history", "--indicator", "agri.area.total", "--period", "2017-Q1", "--json"}, &code);
    ASSERT_EQ(code, 0) << history;
    EXPECT_EQ(nlohmann::json::parse(history)["province"].size(), 1u) << history;
  }
  EXPECT_GE(answers, 3);

  ASSERT_OK(disk.Drain());
  for (int64_t deadline = MonotonicMs() + 20'000; MonotonicMs() < deadline && total() != 12;) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  EXPECT_EQ(total(), 12) << province_.LogTail("aggregator");
}

// Issue 15: `--aggregator a,b` (or the flag twice) asks whichever answers. An aggregator that
// refuses connections costs nothing like the timeout; when none answers, each is named.
TEST_F(QueryLinkTest, AListOfAggregatorsIsAnsweredByTheOneThatIsUp) {
  {
    std::unique_ptr<IngestStore> store;
    ASSERT_OK(IngestStore::Open(province_.AggregatorDataDir(), Durability::kWal, &store));
    IngestStore::Batch batch = store->NewBatch();
    for (const char* unit : {"north", "south", "capital"}) {
      tonghop::storage::v1::UnitValue value;
      value.set_value_micros(1'500'000);
      batch.PutValue("agri.area.total", "2017-Q1", unit, value);
    }
    ASSERT_OK(store->Commit(&batch));
  }
  ASSERT_OK(province_.StartAggregator());
  const std::string live = province_.QueryEndpoint();
  const std::string dead = fmt::format("tcp://127.0.0.1:{}", testing::FreeTcpPort());
  // The timeout is long, so that only an aggregator left at once (its refused connection) makes
  // the answer quick.
  auto query = [&](std::vector<std::string> aggregator_flags, int64_t* took_ms) {
    std::vector<std::string> args = {"query", "--period", "2017-Q1", "--indicator", "agri.area.total", "--format",
                                     "json", "--timeout_ms", "60000"};
    args.insert(args.end(), aggregator_flags.begin(), aggregator_flags.end());
    std::string out, err;
    const int64_t start = MonotonicMs();
    const int code = province_.RunCli(args, &out, &err);
    *took_ms = MonotonicMs() - start;
    if (code != 0) return fmt::format("exit code {}: {}", code, err);
    auto aggregates = nlohmann::json::parse(out)["aggregates"];
    return aggregates.size() == 1 ? fmt::format("{}", aggregates[0]["value"].get<double>()) : out;
  };
  int64_t took = 0;
  EXPECT_EQ(query({"--aggregator", dead + "," + live}, &took), "4.5");
  EXPECT_LT(took, 10'000) << "ms: the dead aggregator refuses connections; it must not cost the 60 s timeout";
  EXPECT_EQ(query({"--aggregator", live, "--aggregator", dead}, &took), "4.5");
  EXPECT_EQ(query({"--aggregator", dead, "--aggregator", live}, &took), "4.5");
  EXPECT_LT(took, 10'000);

  // None answers: the message names each and what it saw.
  const std::string other_dead = fmt::format("tcp://127.0.0.1:{}", testing::FreeTcpPort());
  std::string out, err;
  EXPECT_EQ(province_.RunCli({"status", "--period", "2017-Q1", "--timeout_ms", "1500", "--aggregator",
                              dead + "," + other_dead}, &out, &err), 1);
  EXPECT_NE(err.find("no answer from the aggregator within 1500 ms at any of " + dead + " (nothing accepted the "
                     "connection), " + other_dead + " (nothing accepted the connection)"),
            std::string::npos) << err;

  // A backup is taken from one aggregator throughout, and names it.
  const std::string backup = dir_.Sub("backup");
  ASSERT_EQ(province_.RunCli({"backup", "--output", backup, "--aggregator", dead + "," + live}, &out, &err), 0) << err;
  EXPECT_NE(out.find("backup of the aggregator at " + live + " taken at"), std::string::npos) << out;
  BackupManifest manifest;
  ASSERT_OK(BackupManifest::Read(backup, &manifest));
  EXPECT_EQ(manifest.aggregator, live);
}

}  // namespace
}  // namespace tonghop
