// The web node in a thread, following a real CloneServer (CloneSource) on loopback, read over HTTP.
#include "core/clock.h"
#include "web/web.h"

#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/clone_source.h"
#include "core/testing/status_matchers.h"
#include "core/testing/http_client.h"
#include "web/testing/sse_client.h"

namespace tonghop::web {
namespace {

using tonghop::testing::HttpGet;
using tonghop::testing::HttpResponse;
using testing::SseClient;
using testing::SseEvent;
using tonghop::testing::CloneSource;

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

class WebNodeInThreadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(upstream_.Start());
    options_.catalog_dir = kLangSon;
    options_.upstream_publish_endpoint = upstream_.publish_endpoint();
    options_.upstream_snapshot_endpoint = upstream_.snapshot_endpoint();
    options_.upstream_timeout_ms = 1'000;
    options_.upstream_snapshot_timeout_ms = 1'000;
    options_.aggregator.security.plaintext_for_development = true;
    options_.http.port = 0;
    options_.stop = &stop_;
    options_.bound_port = &port_;
  }
  void TearDown() override { Stop(); }
  void Start() {
    thread_ = std::thread([this] { status_ = RunWeb(options_); });
    const int64_t deadline = MonotonicMs() + 10'000;
    while (port_ == 0 && MonotonicMs() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_NE(port_, 0) << "the node did not start listening";
  }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    EXPECT_TRUE(status_.ok()) << status_.ToString();
  }
  // Drives the source (its snapshots and heartbeats) until `done`, or fails after timeout_ms.
  bool PumpUntil(const std::function<bool()>& done, int timeout_ms = 10'000) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (!done()) {
      if (MonotonicMs() > deadline) return false;
      std::vector<zmq::pollitem_t> items = upstream_.PollItems();
      zmq::poll(items, std::chrono::milliseconds(5));
      upstream_.Pump();
    }
    return true;
  }
  nlohmann::json NodeStatus() {
    HttpResponse result;
    if (!HttpGet(port_, "/api/v1/status", &result).ok() || result.status != 200) return nullptr;
    return nlohmann::json::parse(result.body);
  }
  bool Caught() {
    nlohmann::json status = NodeStatus();
    return !status.is_null() && status["state"] == "live" && status["seq"] == upstream_.table().max_seq();
  }
  void Fill(int rounds, int skip_every = 0) {
    for (int round = 0; round < rounds; ++round) {
      for (int i = 0; i < 30; ++i) {
        for (const char* period : {"2017-01", "2017-Q1", "2017"}) {
          const bool publish = skip_every == 0 || (i + round) % skip_every != 0;
          upstream_.Put(fmt::format("agri.k{}", i), period, round * 100 + i, publish);
        }
      }
    }
  }

  zmq::context_t context_;
  CloneSource upstream_{context_, 0x5eed, /*heartbeat_interval_ms=*/50};
  WebOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int> port_{0};
  std::thread thread_;
  tonghop::Status status_;
};

TEST_F(WebNodeInThreadTest, AStreamThatMissedAThousandVersionsResumesExact) {
  Fill(2);
  Start();
  ASSERT_TRUE(PumpUntil([&] { return Caught(); })) << NodeStatus();
  SseClient client;
  HttpResponse head;
  ASSERT_OK(client.Open(port_, "/api/v1/stream", std::nullopt, &head));
  // (indicator, period) -> seq, keeping the highest as every Clone subscriber does.
  std::map<std::pair<std::string, std::string>, uint64_t> held;
  std::string last_id;
  auto take = [&](const SseEvent& event) {
    auto put = [&](const nlohmann::json& a) {
      uint64_t& seq = held[{a["indicator"], a["period"]}];
      seq = std::max(seq, a["seq"].get<uint64_t>());
    };
    if (event.event == "snapshot") {
      held.clear();
      const nlohmann::json snapshot = nlohmann::json::parse(event.data);
      for (const auto& a : snapshot["aggregates"]) put(a);
    } else if (event.event == "version") {
      put(nlohmann::json::parse(event.data));
    }
    if (!event.id.empty()) last_id = event.id;
  };
  auto exact = [&] {
    if (held.size() != upstream_.table().size()) return false;
    for (const auto& [key, update] : upstream_.table().entries()) {
      if (held[key] != update.seq()) return false;
    }
    return true;
  };
  SseEvent event;
  do {
    ASSERT_OK(client.Next(&event, 10'000));
    take(event);
  } while (event.event != "snapshot");
  client.Close();

  Fill(12, /*skip_every=*/7);  // 1,080 versions, some of which reach the node only by catch-up
  ASSERT_TRUE(PumpUntil([&] { return Caught(); })) << NodeStatus();
  ASSERT_OK(client.Open(port_, "/api/v1/stream", std::stoull(last_id), &head));
  int versions = 0;
  while (!exact()) {
    ASSERT_OK(client.Next(&event, 10'000));
    ASSERT_NE(event.event, "snapshot") << "the node holds what this client missed: it must replay it";
    if (event.event == "version") ++versions;
    take(event);
  }
  EXPECT_GT(versions, 900);
}

TEST_F(WebNodeInThreadTest, StopsWithinASecondWithStreamsOpen) {
  Fill(1);
  Start();
  ASSERT_TRUE(PumpUntil([&] { return Caught(); }));
  SseClient a, b;
  HttpResponse head;
  ASSERT_OK(a.Open(port_, "/api/v1/stream", std::nullopt, &head));
  ASSERT_OK(b.Open(port_, "/api/v1/stream?filter=p/2017/", std::nullopt, &head));
  const int64_t asked = MonotonicMs();
  Stop();
  EXPECT_LT(MonotonicMs() - asked, 1'000);
  SseEvent event;
  tonghop::Status closed;
  do {
    closed = a.Next(&event, 5'000);
  } while (closed.ok());
  EXPECT_TRUE(closed.IsIOError()) << "the stream ends when the node stops: " << closed.ToString();
}

TEST_F(WebNodeInThreadTest, RefusesOptionsThatWouldExposeOrBreakIt) {
  options_.http.bind_address = "0.0.0.0";
  tonghop::Status s = RunWeb(options_);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("--access_tokens_file"), std::string::npos) << s.message();
  options_.http.bind_address = "127.0.0.1";
  options_.replay_log_bytes = options_.http.max_stream_queued_bytes - 1;
  s = RunWeb(options_);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("--replay_log_bytes"), std::string::npos) << s.message();
  options_.replay_log_bytes = 64 << 20;
  options_.http.bind_address = "localhost";
  s = RunWeb(options_);
  ASSERT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("not an IP address"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tonghop::web
