#include "cli/collector_client.h"

#include <thread>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop::cli {
namespace {

// A ROUTER on loopback playing the collector's submit endpoint: it answers one request with
// `answer`, echoing the envelope (REQ style) or only the identity, as collectors may.
class OneShotRouter {
 public:
  explicit OneShotRouter(bool echo_delimiter) : socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    echo_delimiter_ = echo_delimiter;
  }

  const std::string& endpoint() const { return endpoint_; }

  // Receives one request into `request` and sends `answer` bytes back.
  void Serve(tonghop::v1::LocalRequest* request, std::string answer) {
    thread_ = std::thread([this, request, answer = std::move(answer)] {
      std::vector<zmq::message_t> frames;
      do {
        frames.emplace_back();
        (void)socket_.recv(frames.back());
      } while (frames.back().more());
      request->ParseFromArray(frames.back().data(), static_cast<int>(frames.back().size()));
      frames_received_ = frames.size();
      socket_.send(frames[0], zmq::send_flags::sndmore);
      if (echo_delimiter_) socket_.send(zmq::message_t(), zmq::send_flags::sndmore);
      socket_.send(zmq::buffer(answer));
    });
  }

  size_t Join() {
    thread_.join();
    return frames_received_;
  }

 private:
  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  bool echo_delimiter_ = true;
  std::thread thread_;
  size_t frames_received_ = 0;
};

tonghop::v1::LocalRequest StatusRequest() {
  tonghop::v1::LocalRequest request;
  request.mutable_status();
  return request;
}

TEST(CollectorClientTest, ExchangesWithARouterThatEchoesTheEnvelopeOrNot) {
  for (bool echo : {true, false}) {
    OneShotRouter router(echo);
    tonghop::v1::LocalReply answer;
    answer.set_pending(7);
    answer.set_reporting_unit("cao-loc");
    tonghop::v1::LocalRequest received;
    router.Serve(&received, answer.SerializeAsString());

    tonghop::v1::LocalReply reply;
    Status s = CallCollector(router.endpoint(), StatusRequest(), 5'000, &reply);
    // [identity][empty][request], as a REQ client would send it.
    EXPECT_EQ(router.Join(), 3u);
    ASSERT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(received.has_status());
    EXPECT_EQ(reply.pending(), 7u);
    EXPECT_EQ(reply.reporting_unit(), "cao-loc");
  }
}

TEST(CollectorClientTest, AnswerThatIsNotALocalReplyIsCorruption) {
  OneShotRouter router(true);
  tonghop::v1::LocalRequest received;
  router.Serve(&received, "\xff\xff\xff not protobuf");
  tonghop::v1::LocalReply reply;
  Status s = CallCollector(router.endpoint(), StatusRequest(), 5'000, &reply);
  router.Join();
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(router.endpoint()), std::string::npos);
}

TEST(CollectorClientTest, NoCollectorFailsAfterTheTimeoutNamingTheEndpoint) {
  testing::TempDir dir;
  std::string endpoint = "ipc://" + dir.Sub("submit.sock");
  tonghop::v1::LocalReply reply;
  int64_t start = MonotonicMs();
  Status s = CallCollector(endpoint, StatusRequest(), 300, &reply);
  int64_t took = MonotonicMs() - start;
  EXPECT_TRUE(s.IsUnavailable()) << s.ToString();
  EXPECT_NE(s.message().find("no answer from the collector at " + endpoint + " within 300 ms"),
            std::string::npos) << s.message();
  EXPECT_GE(took, 250);
  EXPECT_LT(took, 3'000);
}

TEST(CollectorClientTest, MalformedEndpointIsAnErrorNotACrash) {
  tonghop::v1::LocalReply reply;
  Status s = CallCollector("nonsense://x", StatusRequest(), 300, &reply);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("nonsense://x"), std::string::npos);
}

}  // namespace
}  // namespace tonghop::cli
