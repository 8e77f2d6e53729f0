#include "core/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/http_client.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::HttpGet;
using testing::HttpResponse;

// The address "127.0.0.1:PORT" of an endpoint's url.
std::string AddressOf(const MetricsEndpoint& endpoint) {
  std::string url = endpoint.url();
  url = url.substr(std::string("http://").size());
  return url.substr(0, url.find('/'));
}

TEST(MetricsEndpointTest, ServesTheRegistryInPrometheusTextFormat) {
  auto registry = NewMetricsRegistry("test-node");
  prometheus::Counter& stored = CounterOf(*registry, "tonghop_test_updates_total", "Updates", {{"outcome", "stored"}});
  stored.Increment(3);
  BoundHits(*registry, "max_messages_per_burst").Increment();
  std::unique_ptr<MetricsEndpoint> endpoint;
  ASSERT_OK(MetricsEndpoint::Start("127.0.0.1:0", registry, {}, &endpoint));
  ASSERT_NE(endpoint->url().find("http://127.0.0.1:"), std::string::npos) << endpoint->url();

  HttpResponse response;
  ASSERT_OK(HttpGet(AddressOf(*endpoint), "/metrics", 10'000, &response));
  EXPECT_EQ(response.status, 200);
  EXPECT_NE(response.body.find("# TYPE tonghop_test_updates_total counter"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("tonghop_test_updates_total{outcome=\"stored\"} 3"), std::string::npos) << response.body;
  EXPECT_NE(response.body.find("tonghop_bound_hits_total{bound=\"max_messages_per_burst\"} 1"), std::string::npos);
  EXPECT_NE(response.body.find("tonghop_build_info{node=\"test-node\",version=\""), std::string::npos);
  // Handles are the registry's: the next scrape shows the next value.
  stored.Increment();
  ASSERT_OK(HttpGet(AddressOf(*endpoint), "/metrics", 10'000, &response));
  EXPECT_NE(response.body.find("tonghop_test_updates_total{outcome=\"stored\"} 4"), std::string::npos) << response.body;
  // Nothing else is served.
  ASSERT_OK(HttpGet(AddressOf(*endpoint), "/", 10'000, &response));
  EXPECT_EQ(response.status, 404);
}

TEST(MetricsEndpointTest, AMalformedOrTakenAddressIsRefusedNamingTheFlag) {
  auto registry = NewMetricsRegistry("test-node");
  std::unique_ptr<MetricsEndpoint> endpoint;
  for (const char* bad : {"9550", "localhost:9550", "127.0.0.1:99999", "tcp://127.0.0.1:9550", "127.0.0.1:9550s"}) {
    Status s = MetricsEndpoint::Start(bad, registry, {}, &endpoint);
    EXPECT_TRUE(s.IsInvalidArgument()) << bad << ": " << s.ToString();
    EXPECT_NE(s.message().find("--metrics_endpoint"), std::string::npos) << s.ToString();
  }
  ASSERT_OK(MetricsEndpoint::Start("127.0.0.1:0", registry, {}, &endpoint));
  std::unique_ptr<MetricsEndpoint> second;
  Status taken = MetricsEndpoint::Start(AddressOf(*endpoint), registry, {}, &second);
  EXPECT_FALSE(taken.ok());
  EXPECT_NE(taken.message().find("--metrics_endpoint " + AddressOf(*endpoint)), std::string::npos) << taken.ToString();
}

// civetweb's listening thread notices a stop only every 2 s by itself; a node must still stop
// within a second of SIGTERM.
TEST(MetricsEndpointTest, StopsWithinASecondOfBeingAskedTo) {
  auto registry = NewMetricsRegistry("test-node");
  for (const char* address : {"127.0.0.1:0", "0.0.0.0:0"}) {
    std::unique_ptr<MetricsEndpoint> endpoint;
    ASSERT_OK(MetricsEndpoint::Start(address, registry, {}, &endpoint));
    HttpResponse response;
    const std::string url = endpoint->url();
    ASSERT_OK(HttpGet("127.0.0.1" + url.substr(url.rfind(':'), url.rfind('/') - url.rfind(':')), "/metrics", 10'000,
                      &response));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // its listening thread is in a poll now
    const auto start = std::chrono::steady_clock::now();
    endpoint.reset();
    EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 1.0) << address;
  }
}

// A scraper that connects and sends nothing holds one of the endpoint's threads for
// request_timeout_ms at most (civetweb's default is 30 s): after it, others are served again.
TEST(MetricsEndpointTest, AClientThatSendsNothingHoldsAThreadOnlyUntilTheRequestTimeout) {
  auto registry = NewMetricsRegistry("test-node");
  MetricsEndpointLimits limits;
  limits.threads = 1;
  limits.request_timeout_ms = 1'000;
  std::unique_ptr<MetricsEndpoint> endpoint;
  ASSERT_OK(MetricsEndpoint::Start("127.0.0.1:0", registry, limits, &endpoint));
  const std::string address = AddressOf(*endpoint);

  const int idle = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  peer.sin_port = htons(static_cast<uint16_t>(std::stoi(address.substr(address.find(':') + 1))));
  inet_pton(AF_INET, "127.0.0.1", &peer.sin_addr);
  ASSERT_EQ(connect(idle, reinterpret_cast<sockaddr*>(&peer), sizeof peer), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // the only thread takes it

  const auto start = std::chrono::steady_clock::now();
  HttpResponse response;
  ASSERT_OK(HttpGet(address, "/metrics", 20'000, &response));
  const double waited = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(response.status, 200);
  EXPECT_LT(waited, 8.0) << "the idle client held the endpoint's thread past its request timeout";
  close(idle);
}

}  // namespace
}  // namespace tonghop
