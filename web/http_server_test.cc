// HttpServer on a real socket of 127.0.0.1, with WebApi over a LiveFeed the test fills.
#include "core/clock.h"
#include "web/http_server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "core/testing/status_matchers.h"
#include "core/testing/http_client.h"
#include "web/testing/sse_client.h"

namespace tonghop::web {
namespace {

using tonghop::testing::HttpExchange;
using tonghop::testing::HttpGet;
using tonghop::testing::HttpResponse;
using testing::SseClient;
using testing::SseEvent;

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

tonghop::v1::AggregateUpdate Version(uint64_t seq, int i) {
  tonghop::v1::AggregateUpdate update;
  update.set_seq(seq);
  update.set_indicator(fmt::format("agri.k{}", i % 50));
  update.set_period("2017-01");
  update.set_value(static_cast<double>(seq));
  update.set_unit("ha");
  return update;
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog_));
    std::string chart_problem;
    ASSERT_OK(AssetStore::Load("", "/nonexistent", &assets_, &chart_problem));
    AggregateTable empty;
    feed_.Reset(1, 0, empty);
    options_.port = 0;
  }
  void TearDown() override {
    if (server_) server_->Stop();
  }
  void StartServer() {
    api_ = std::make_unique<WebApi>(&catalog_, &assets_, &feed_, nullptr);
    server_ = std::make_unique<HttpServer>(options_, api_.get(), &feed_);
    feed_.set_on_change([this] { server_->Wake(); });
    ASSERT_OK(server_->Start());
    port_ = server_->port();
    ASSERT_GT(port_, 0);
  }
  // Appends versions first..last (one per seq) to the feed.
  void Append(uint64_t first, uint64_t last) {
    std::vector<tonghop::v1::AggregateUpdate> versions;
    for (uint64_t seq = first; seq <= last; ++seq) versions.push_back(Version(seq, static_cast<int>(seq)));
    feed_.Append(versions, last);
  }
  // Reads events until one of kind `kind` (returned) or a failure.
  static Status NextOf(SseClient& client, const std::string& kind, SseEvent* event, int timeout_ms = 10'000) {
    do {
      TONGHOP_RETURN_IF_ERROR(client.Next(event, timeout_ms));
    } while (event->event != kind);
    return Status::OK();
  }
  template <typename Predicate>
  static bool WaitFor(Predicate done, int timeout_ms = 10'000) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (!done()) {
      if (MonotonicMs() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
  }
  static std::string ErrorOf(const HttpResponse& result) {
    EXPECT_EQ(result.headers.count("content-type") ? result.headers.at("content-type") : "", "application/json");
    nlohmann::json body = nlohmann::json::parse(result.body);
    EXPECT_EQ(body["error"]["status"], result.status);
    return body["error"]["message"];
  }

  Catalog catalog_;
  AssetStore assets_;
  LiveFeed feed_{16 << 20, nullptr};
  HttpServerOptions options_;
  std::unique_ptr<WebApi> api_;
  std::unique_ptr<HttpServer> server_;
  int port_ = 0;
};

TEST_F(HttpServerTest, AnswersAndKeepsTheConnectionAliveBetweenRequests) {
  StartServer();
  HttpResponse result;
  ASSERT_OK(HttpGet(port_, "/api/v1/status", &result));
  EXPECT_EQ(result.status, 200);
  EXPECT_EQ(result.headers["cache-control"], "no-store");
  EXPECT_EQ(nlohmann::json::parse(result.body)["stream_id"], "0000000000000001");
  ASSERT_OK(HttpGet(port_, "/", &result));
  EXPECT_EQ(result.headers["content-type"], "text/html; charset=utf-8");
  EXPECT_NE(result.headers["content-security-policy"].find("default-src 'self'"), std::string::npos);
  // Two requests on one connection, the second a HEAD: its head has the length, no body follows.
  std::string received;
  ASSERT_OK(tonghop::testing::ExchangeUntilClosed(port_,
                                         "GET /api/v1/status HTTP/1.1\r\nHost: x\r\n\r\n"
                                         "HEAD /api/v1/catalog HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                                         &received));
  const size_t second = received.find("HTTP/1.1 200 OK", 1);
  ASSERT_NE(second, std::string::npos) << "no second answer on the connection: " << received;
  const size_t second_end = received.find("\r\n\r\n", second);
  HttpResponse head;
  ASSERT_TRUE(tonghop::testing::ParseResponseHead(received.substr(second, second_end - second), &head));
  EXPECT_GT(std::stoul(head.headers["content-length"]), 1000u);
  EXPECT_EQ(received.substr(second_end + 4), "") << "a HEAD answer carries no body";
}

TEST_F(HttpServerTest, AStreamStartsWithASnapshotAndResumesAfterItsLastEventId) {
  Append(1, 10);
  StartServer();
  SseClient client;
  HttpResponse head;
  ASSERT_OK(client.Open(port_, "/api/v1/stream", std::nullopt, &head));
  EXPECT_EQ(head.headers["content-type"], "text/event-stream; charset=utf-8");
  SseEvent event;
  ASSERT_OK(NextOf(client, "snapshot", &event));
  EXPECT_EQ(event.id, "10");
  EXPECT_EQ(nlohmann::json::parse(event.data)["aggregates"].size(), 10u);
  ASSERT_OK(NextOf(client, "status", &event));
  Append(11, 12);
  ASSERT_OK(NextOf(client, "version", &event));
  EXPECT_EQ(event.id, "11");
  ASSERT_OK(NextOf(client, "version", &event));
  EXPECT_EQ(event.id, "12");
  client.Close();

  Append(13, 1'012);  // missed while away
  ASSERT_OK(client.Open(port_, "/api/v1/stream", 12, &head));
  for (uint64_t expected = 13; expected <= 1'012; ++expected) {
    ASSERT_OK(NextOf(client, "version", &event));
    ASSERT_EQ(event.id, std::to_string(expected));
    ASSERT_EQ(nlohmann::json::parse(event.data)["seq"], expected);
  }
  // Filtered: only what the filter selects, even on a resume.
  SseClient filtered;
  ASSERT_OK(filtered.Open(port_, "/api/v1/stream?filter=i/agri.k7/", 1'000, &head));
  ASSERT_OK(NextOf(filtered, "version", &event));
  EXPECT_EQ(event.id, "1007");
}

TEST_F(HttpServerTest, AStreamOnAQuietFeedGetsItsSnapshotAtOnce) {
  AggregateTable table;
  table.Apply(Version(7, 1));
  feed_.Reset(2, 7, table);
  StartServer();
  SseClient client;
  HttpResponse head;
  ASSERT_OK(client.Open(port_, "/api/v1/stream", std::nullopt, &head));
  SseEvent event;
  // Nothing is appended: the snapshot must come without the feed changing.
  ASSERT_OK(NextOf(client, "snapshot", &event, 2'000));
  EXPECT_EQ(event.id, "7");
}

TEST_F(HttpServerTest, BadRequestsGetJsonErrorsAndTheServerGoesOn) {
  options_.max_request_header_bytes = 1024;
  options_.max_url_bytes = 256;
  StartServer();
  struct Case {
    std::string request;
    int status;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n", 431, "larger than 1024 bytes"},
      {"GET /api/v1/aggregates?indicator=" + std::string(300, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
       "longer than 256 bytes"},
      {"POST /api/v1/aggregates HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", 413, "takes no request body"},
      {"HELLO\r\n\r\n", 400, "not an HTTP/1.1 request"},
      {"GET /api/v1/aggregates?period=%ZZ HTTP/1.1\r\nHost: x\r\n\r\n", 400, "hexadecimal"},
      {"DELETE /api/v1/aggregates HTTP/1.1\r\nHost: x\r\n\r\n", 405, "only reads"},
      {"GET /api/v1/stream?filter=x HTTP/1.1\r\nHost: x\r\n\r\n", 400, "filter 'x'"},
      {"GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nLast-Event-ID: -1\r\n\r\n", 400, "Last-Event-ID"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.request.substr(0, 60));
    HttpResponse result;
    ASSERT_OK(HttpExchange(port_, c.request, &result));
    EXPECT_EQ(result.status, c.status) << result.body;
    EXPECT_NE(ErrorOf(result).find(c.expected), std::string::npos) << result.body;
  }
  HttpResponse result;
  ASSERT_OK(HttpGet(port_, "/api/v1/status", &result));
  EXPECT_EQ(result.status, 200);
}

TEST_F(HttpServerTest, AStreamThatDoesNotReadIsCutOffAndTheOthersGetEverything) {
  options_.max_stream_queued_bytes = 256 << 10;
  StartServer();
  // A client that asks for the stream and then never reads.
  const int stuck = tonghop::testing::ConnectLoopback(port_);
  ASSERT_GE(stuck, 0);
  const std::string request = "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_EQ(send(stuck, request.data(), request.size(), 0), static_cast<ssize_t>(request.size()));
  SseClient reader;
  HttpResponse head;
  ASSERT_OK(reader.Open(port_, "/api/v1/stream", std::nullopt, &head));
  SseEvent event;
  ASSERT_OK(NextOf(reader, "snapshot", &event));
  ASSERT_TRUE(WaitFor([&] { return server_->counters().open_streams == 2; }));

  uint64_t seq = 0;
  uint64_t read_up_to = 0;
  // Versions in steps the reader keeps up with, until the stuck client's socket buffers are full
  // and the feed has gone max_stream_queued_bytes beyond it (or 50 MB, and the test fails).
  for (int step = 0; step < 400 && server_->counters().streams_cut_off == 0; ++step) {
    Append(seq + 1, seq + 500);
    seq += 500;
    while (read_up_to < seq) {
      ASSERT_OK(reader.Next(&event, 10'000));
      if (event.event == "version") read_up_to = std::stoull(event.id);
    }
  }
  EXPECT_EQ(server_->counters().streams_cut_off, 1u);
  ASSERT_TRUE(WaitFor([&] { return server_->counters().open_streams == 1; }));
  // The stuck client's connection was closed: once its buffer is drained, it reads the end.
  char buffer[65536];
  ssize_t n;
  while ((n = recv(stuck, buffer, sizeof buffer, 0)) > 0) {
  }
  EXPECT_EQ(n, 0);
  close(stuck);
}

TEST_F(HttpServerTest, ConnectionsAndStreamsAreBounded) {
  options_.max_streams = 2;
  options_.max_connections = 4;
  StartServer();
  SseClient a, b, c;
  HttpResponse head;
  ASSERT_OK(a.Open(port_, "/api/v1/stream", std::nullopt, &head));
  ASSERT_OK(b.Open(port_, "/api/v1/stream", std::nullopt, &head));
  Status refused = c.Open(port_, "/api/v1/stream", std::nullopt, &head);
  EXPECT_TRUE(refused.IsInvalidArgument()) << refused.ToString();
  EXPECT_EQ(head.status, 503);
  EXPECT_EQ(server_->counters().streams_refused, 1u);
  // Two streams and two idle connections: the next connection is refused.
  const int idle1 = tonghop::testing::ConnectLoopback(port_);
  const int idle2 = tonghop::testing::ConnectLoopback(port_);
  HttpResponse refused_connection;
  ASSERT_TRUE(WaitFor([&] {
    return HttpGet(port_, "/api/v1/status", &refused_connection).ok() && refused_connection.status == 503;
  }));
  EXPECT_EQ(refused_connection.headers["retry-after"], "1");
  EXPECT_NE(ErrorOf(refused_connection).find("--max_connections"), std::string::npos);
  EXPECT_GE(server_->counters().connections_refused, 1u);
  close(idle1);
  close(idle2);
  a.Close();
  ASSERT_TRUE(WaitFor([&] {
    HttpResponse result;
    return HttpGet(port_, "/api/v1/status", &result).ok() && result.status == 200;
  }));
}

TEST_F(HttpServerTest, AnIdleConnectionIsClosedAndAQuietStreamGetsStatusEvents) {
  options_.request_timeout_ms = 300;
  options_.stream_keepalive_ms = 200;
  StartServer();
  const int idle = tonghop::testing::ConnectLoopback(port_);
  ASSERT_GE(idle, 0);
  const int64_t start = MonotonicMs();
  char byte;
  EXPECT_EQ(recv(idle, &byte, 1, 0), 0) << "the server closes a connection that sends no request";
  EXPECT_LT(MonotonicMs() - start, 5'000);
  close(idle);

  SseClient client;
  HttpResponse head;
  ASSERT_OK(client.Open(port_, "/api/v1/stream", std::nullopt, &head));
  SseEvent event;
  ASSERT_OK(NextOf(client, "snapshot", &event));
  for (int i = 0; i < 3; ++i) ASSERT_OK(NextOf(client, "status", &event, 5'000));
}

}  // namespace
}  // namespace tonghop::web
