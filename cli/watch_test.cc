#include "cli/watch.h"
#include "cli/testing_aggregates.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <zmq.hpp>

#include "core/clone_server.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop::cli {
namespace {

// A real CloneServer on loopback ports of its own, served from a thread, holding `table`.
class FeedServer {
 public:
  explicit FeedServer(const AggregateTable& table) : table_(table) {
    CloneServerOptions options;
    options.publish_endpoint = "tcp://127.0.0.1:*";
    options.snapshot_endpoint = "tcp://127.0.0.1:*";
    options.heartbeat_interval_ms = 100;
    server_ = std::make_unique<CloneServer>(context_, options, &table_);
    Status s = server_->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    server_->set_stream_id(77);
    thread_ = std::thread([this] {
      while (!stop_) {
        std::vector<zmq::pollitem_t> items = {{server_->snapshot_socket().handle(), 0, ZMQ_POLLIN, 0}};
        zmq::poll(items, std::chrono::milliseconds(20));
        if (items[0].revents & ZMQ_POLLIN) server_->ServeSnapshots();
        server_->Tick();
      }
    });
  }
  ~FeedServer() {
    stop_ = true;
    thread_.join();
  }

  WatchOptions Options() const {
    WatchOptions options;
    options.publish_endpoint = server_->bound_publish_endpoint();
    options.snapshot_endpoint = server_->bound_snapshot_endpoint();
    options.once = true;
    options.json = true;
    options.timeout_ms = 5'000;
    return options;
  }

 private:
  zmq::context_t context_;
  AggregateTable table_;
  std::unique_ptr<CloneServer> server_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

TEST(WatchTest, FilterShorthands) {
  WatchOptions options;
  std::string filter = "unset";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "");
  options.period = "2017-Q1";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "p/2017-Q1/");
  options.period = "";
  options.indicator = "agri.";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "i/agri.");
  options.indicator = "";
  options.filter = "p/2017";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "p/2017");
}

// Issue 12: --period and --indicator could not be combined.
TEST(WatchTest, PeriodCombinesWithIndicatorOrSector) {
  WatchOptions options;
  std::string filter;
  options.period = "2017-Q1";
  options.indicator = "agri.herd";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "i/agri.herd");  // the period is selected by the view
  options.indicator = "";
  options.sector = "agri";
  ASSERT_OK(ResolveFilter(options, &filter));
  EXPECT_EQ(filter, "i/agri.");
  options.sector = "agri.herd";
  Status s = ResolveFilter(options, &filter);
  EXPECT_TRUE(s.message().starts_with("--sector 'agri.herd'")) << s.ToString();
}

TEST(WatchTest, BadFiltersNameTheFlag) {
  WatchOptions options;
  std::string filter;
  options.period = "Q1";
  Status s = ResolveFilter(options, &filter);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("--period")) << s.message();
  options.period = "";
  options.filter = "agri.";
  s = ResolveFilter(options, &filter);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_TRUE(s.message().starts_with("--filter 'agri.'")) << s.message();
}

TEST(WatchTest, OnceJsonPrintsTheSnapshotOfARealServer) {
  AggregateTable table;
  tonghop::v1::AggregateUpdate rice = Aggregate(2, "agri.sown_area.rice_spring", "2017-Q1", 5180);
  rice.set_pct_of_plan(35);
  table.Apply(rice);
  table.Apply(Aggregate(1, "trade.retail", "2017-Q1", 12.5));
  table.Apply(Aggregate(3, "agri.herd.pigs", "2017-Q1", 48.25));
  FeedServer server(table);

  WatchOptions options = server.Options();
  ::testing::internal::CaptureStdout();
  Status s = RunWatch(options);
  std::string out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(s.ok()) << s.ToString();
  nlohmann::json document = nlohmann::json::parse(out);
  EXPECT_EQ(document["seq"], 3);
  ASSERT_EQ(document["aggregates"].size(), 3u);
  EXPECT_EQ(document["aggregates"][0]["indicator"], "agri.herd.pigs");
  EXPECT_EQ(document["aggregates"][1]["pct_of_plan"], 35.0);
  EXPECT_TRUE(document["aggregates"][1]["yoy_pct"].is_null());

  options.indicator = "trade.";
  ::testing::internal::CaptureStdout();
  s = RunWatch(options);
  out = ::testing::internal::GetCapturedStdout();
  ASSERT_TRUE(s.ok()) << s.ToString();
  document = nlohmann::json::parse(out);
  ASSERT_EQ(document["aggregates"].size(), 1u);
  EXPECT_EQ(document["aggregates"][0]["indicator"], "trade.retail");
}

TEST(WatchTest, OnceWithoutAPublisherFailsWithWhatToDo) {
  testing::TempDir dir;  // nothing listens in a fresh folder
  std::string endpoint = "ipc://" + dir.Sub("snapshot.sock");
  WatchOptions options;
  options.publish_endpoint = endpoint;
  options.snapshot_endpoint = endpoint;
  options.once = true;
  options.timeout_ms = 300;
  Status s = RunWatch(options);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_EQ(s.message(), "no answer from the publisher at " + endpoint +
                             " within 0.3 s: is it running? (deploy/local/province.sh status) A publisher with "
                             "--subscriber_access authenticated answers only a registered subscriber key: give "
                             "--curve_secret_key_file and --curve_server_public_key");
}

}  // namespace
}  // namespace tonghop::cli
