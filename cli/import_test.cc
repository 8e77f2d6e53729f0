#include "cli/import.h"

#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <zmq.hpp>

#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {
namespace {

using tonghop::v1::AggregatorMessage;
using tonghop::v1::CollectorMessage;
using tonghop::v1::UpdateBatch;

// A ROUTER on loopback playing the aggregator's ingest endpoint, for a file of two batches (seqs
// 1-1000 and 1001). It answers the first batch only once it has been sent twice (the answer to
// the first send comes late, after `tonghop import` timed out and resent it), and holds back the
// answer to the resend until the second batch arrives: then it sends that stale answer first and
// rejects the second batch's update. The stale answer names the same outbox as the second batch.
class LateAnsweringAggregator {
 public:
  LateAnsweringAggregator() : socket_(context_, zmq::socket_type::router) {
    socket_.set(zmq::sockopt::linger, 0);
    socket_.set(zmq::sockopt::rcvtimeo, 20'000);  // a broken test fails instead of hanging
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = socket_.get(zmq::sockopt::last_endpoint);
    thread_ = std::thread([this] { Serve(); });
  }
  ~LateAnsweringAggregator() { thread_.join(); }

  const std::string& endpoint() const { return endpoint_; }

 private:
  static AggregatorMessage Answer(const UpdateBatch& batch, bool duplicate) {
    AggregatorMessage reply;
    reply.mutable_replies()->set_outbox_id(batch.outbox_id());
    for (const auto& update : batch.updates()) {
      auto* ack = reply.mutable_replies()->add_acks();
      ack->set_seq(update.seq());
      ack->set_duplicate(duplicate);
    }
    return reply;
  }

  void Send(const zmq::message_t& identity, const AggregatorMessage& reply) {
    zmq::message_t to(identity.data(), identity.size());
    socket_.send(to, zmq::send_flags::sndmore);
    socket_.send(zmq::buffer(reply.SerializeAsString()));
  }

  void Serve() {
    std::vector<UpdateBatch> first_batch_sends;
    for (;;) {
      zmq::message_t identity, body;
      if (!socket_.recv(identity) || !socket_.recv(body)) return;
      CollectorMessage message;
      if (!message.ParseFromArray(body.data(), static_cast<int>(body.size())) || !message.has_updates() ||
          message.updates().updates_size() == 0) {
        continue;
      }
      const UpdateBatch& batch = message.updates();
      if (batch.updates(0).seq() == 1) {
        first_batch_sends.push_back(batch);
        if (first_batch_sends.size() == 2) Send(identity, Answer(first_batch_sends[0], false));
        continue;
      }
      // The second batch: first the held-back answers to the first batch's resends, then its own.
      for (size_t i = 1; i < first_batch_sends.size(); ++i) Send(identity, Answer(first_batch_sends[i], true));
      AggregatorMessage reply;
      reply.mutable_replies()->set_outbox_id(batch.outbox_id());
      auto* reject = reply.mutable_replies()->add_rejects();
      reject->set_seq(batch.updates(0).seq());
      reject->set_reason(tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
      reject->set_text("field 'indicator': unknown indicator 'agri.x'");
      Send(identity, reply);
      return;
    }
  }

  zmq::context_t context_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::thread thread_;
};

TEST(ImportTest, ALateAnswerToAnEarlierBatchIsNotTakenForTheNextOnes) {
  testing::TempDir dir;
  std::string csv = "dataelement,period,orgunit,value\n";
  for (int i = 0; i < 1001; ++i) csv += "agri.x,2016-Q1,cao-loc,1\n";
  dir.Write("2016.csv", csv);

  LateAnsweringAggregator aggregator;
  ImportOptions options;
  options.file = dir.Sub("2016.csv");
  options.ingest_endpoint = aggregator.endpoint();
  options.timeout_ms = 500;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  Status s = RunImport(options);
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string err = ::testing::internal::GetCapturedStderr();

  // Taking the stale answer (1,000 duplicate acks) for the second batch's would report every
  // figure stored and hide the rejection.
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString() << "\n" << out << err;
  EXPECT_NE(out.find("1000 figures stored, 1 rejected"), std::string::npos) << out;
  // The second batch's one update is the file's line 1002 (line 1 is the header).
  EXPECT_NE(err.find("2016.csv:1002: field 'indicator': unknown indicator 'agri.x'"), std::string::npos) << err;
}

}  // namespace
}  // namespace tonghop::cli
