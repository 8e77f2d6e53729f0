#include "cli/aggregator_client.h"

#include <atomic>
#include <filesystem>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <zmq.hpp>

#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop::cli {
namespace {

// A ROUTER on loopback playing an aggregator's query endpoint, on a thread of its own: it counts
// the requests it receives and answers each as `kind` says.
class FakeAggregator {
 public:
  enum class Kind { kAnswers, kRefusesTheRequest, kSilent };

  // With `curve_secret_key`, a CURVE server that admits any client knowing its public key.
  explicit FakeAggregator(Kind kind, const std::string& curve_secret_key = "")
      : kind_(kind), socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    if (!curve_secret_key.empty()) {
      socket_.set(zmq::sockopt::curve_server, 1);
      socket_.set(zmq::sockopt::curve_secretkey, curve_secret_key);
    }
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeAggregator() {
    stop_ = true;
    thread_.join();
  }

  const std::string& endpoint() const { return endpoint_; }
  int requests() const { return requests_; }

 private:
  void Serve() {
    while (!stop_) {
      std::vector<zmq::pollitem_t> items = {{socket_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, std::chrono::milliseconds(20));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      std::vector<zmq::message_t> frames;
      do {
        frames.emplace_back();
        (void)socket_.recv(frames.back());
      } while (frames.back().more());
      ++requests_;
      if (kind_ == Kind::kSilent) continue;
      tonghop::v1::QueryReply reply;
      if (kind_ == Kind::kRefusesTheRequest) {
        reply.set_error("no indicator 'nope' in the catalog");
      } else {
        reply.mutable_values()->add_aggregates()->set_indicator(endpoint_);
      }
      socket_.send(frames[0], zmq::send_flags::sndmore);
      socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(reply.SerializeAsString()));
    }
  }

  const Kind kind_;
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::atomic<int> requests_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// An endpoint nothing listens on: connections to it are refused at once.
std::string Refusing() {
  zmq::context_t context;
  zmq::socket_t socket(context, zmq::socket_type::router);
  socket.bind("tcp://127.0.0.1:*");
  return socket.get(zmq::sockopt::last_endpoint);  // closed again on return
}

AggregatorLink Link(std::vector<std::string> endpoints, int timeout_ms) {
  AggregatorLink link;
  link.endpoints = std::move(endpoints);
  link.timeout_ms = timeout_ms;
  link.security.plaintext_for_development = true;
  return link;
}

tonghop::v1::QueryRequest ValuesRequest() {
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period("2017-Q1");
  return request;
}

// Who answered: the fake puts its endpoint in its answer.
std::string AnsweredBy(const tonghop::v1::QueryReply& reply) {
  return reply.values().aggregates_size() == 1 ? reply.values().aggregates(0).indicator() : "";
}

TEST(AggregatorClientTest, AnAggregatorThatRefusesConnectionsIsLeftAtOnce) {
  FakeAggregator live(FakeAggregator::Kind::kAnswers);
  const std::string dead = Refusing();
  const std::vector<std::vector<std::string>> lists = {{dead, live.endpoint()}, {live.endpoint(), dead}};
  for (const auto& endpoints : lists) {
    tonghop::v1::QueryReply reply;
    std::string answered;
    const int64_t start = MonotonicMs();
    Status s = CallAggregator(Link(endpoints, 60'000), ValuesRequest(), &reply, &answered);
    ASSERT_TRUE(s.ok()) << s.ToString();
    // Well below 15 s, when a silent first one would be left (a quarter of the timeout, for two).
    EXPECT_LT(MonotonicMs() - start, 5'000) << "ms";
    EXPECT_EQ(AnsweredBy(reply), live.endpoint());
    EXPECT_EQ(answered, live.endpoint());
  }
  EXPECT_EQ(live.requests(), 2);
}

// A silent first aggregator is asked, then left after a fraction of the timeout; a caller that
// passes the one that answered asks it first next time, and the silent one no more.
TEST(AggregatorClientTest, ASilentAggregatorIsLeftAfterAFractionOfTheTimeoutAndNotAskedFirstAgain) {
  FakeAggregator silent(FakeAggregator::Kind::kSilent);
  FakeAggregator live(FakeAggregator::Kind::kAnswers);
  const AggregatorLink link = Link({silent.endpoint(), live.endpoint()}, 8'000);
  std::string answered;
  tonghop::v1::QueryReply reply;
  int64_t start = MonotonicMs();
  Status s = CallAggregator(link, ValuesRequest(), &reply, &answered);
  const int64_t first_ms = MonotonicMs() - start;
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(answered, live.endpoint());
  EXPECT_GE(first_ms, 2'000) << "asked the second before the first had a quarter of the timeout";
  EXPECT_LT(first_ms, 8'000);
  EXPECT_EQ(silent.requests(), 1);
  for (int i = 0; i < 3; ++i) {
    reply.Clear();
    s = CallAggregator(link, ValuesRequest(), &reply, &answered);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_EQ(AnsweredBy(reply), live.endpoint());
  }
  EXPECT_EQ(live.requests(), 4);
  EXPECT_EQ(silent.requests(), 1) << "asked again, although the other answered last";
}

// An aggregator that refuses the request answered it: the next is not asked.
TEST(AggregatorClientTest, ARefusedRequestIsAnAnswer) {
  FakeAggregator refusing(FakeAggregator::Kind::kRefusesTheRequest);
  FakeAggregator live(FakeAggregator::Kind::kAnswers);
  tonghop::v1::QueryReply reply;
  Status s = CallAggregator(Link({refusing.endpoint(), live.endpoint()}, 8'000), ValuesRequest(), &reply);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_EQ(s.message(), "the aggregator says: no indicator 'nope' in the catalog");
  EXPECT_EQ(live.requests(), 0);
}

// A key refused by the first (here: a plain-text endpoint, which refuses every CURVE handshake)
// sends the question to the next at once.
TEST(AggregatorClientTest, AnAggregatorThatRefusesTheKeyIsLeftAtOnce) {
  char server_public[41], server_secret[41], client_public[41], client_secret[41];
  ASSERT_EQ(zmq_curve_keypair(server_public, server_secret), 0);
  ASSERT_EQ(zmq_curve_keypair(client_public, client_secret), 0);
  testing::TempDir dir;
  dir.Write("office.key", fmt::format("public_key = \"{}\"\nsecret_key = \"{}\"\n", client_public, client_secret));
  std::filesystem::permissions(dir.Sub("office.key"), std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  FakeAggregator plain(FakeAggregator::Kind::kAnswers);
  FakeAggregator curve(FakeAggregator::Kind::kAnswers, server_secret);
  AggregatorLink link = Link({plain.endpoint(), curve.endpoint()}, 60'000);
  link.security.plaintext_for_development = false;
  link.security.curve_secret_key_file = dir.Sub("office.key");
  link.security.curve_server_public_key = server_public;
  tonghop::v1::QueryReply reply;
  const int64_t start = MonotonicMs();
  Status s = CallAggregator(link, ValuesRequest(), &reply);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_LT(MonotonicMs() - start, 5'000) << "ms: the refusal must not cost a quarter of the 60 s timeout";
  EXPECT_EQ(AnsweredBy(reply), curve.endpoint());
  EXPECT_EQ(plain.requests(), 0);
}

TEST(AggregatorClientTest, WhenNoneAnswersEachIsNamedWithWhatItDid) {
  FakeAggregator silent(FakeAggregator::Kind::kSilent);
  const std::string dead = Refusing();
  tonghop::v1::QueryReply reply;
  const int64_t start = MonotonicMs();
  Status s = CallAggregator(Link({dead, silent.endpoint()}, 1'500), ValuesRequest(), &reply);
  EXPECT_GE(MonotonicMs() - start, 1'400);
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_NE(s.message().find(fmt::format("no answer from the aggregator within 1500 ms at any of {} (nothing accepted "
                                         "the connection), {} (connected, but it did not answer)",
                                         dead, silent.endpoint())),
            std::string::npos)
      << s.message();
  EXPECT_NE(s.message().find("--query_endpoint"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace tonghop::cli
