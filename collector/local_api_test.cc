#include "collector/local_api.h"

#include <cmath>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <gtest/gtest.h>

#include "collector/test_aggregator.h"
#include "core/clock.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

class LocalApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Outbox::Open(dir_.Sub("outbox"), &outbox_));
    SenderOptions options;
    options.aggregator_endpoint = aggregator_.endpoint();
    options.node_id = "collector-bac-son";
    sender_ = std::make_unique<Sender>(context_, options, outbox_.get(), &rejections_);
    ASSERT_OK(sender_->Start());
    endpoint_ = "ipc://" + dir_.Sub("submit.sock");
    api_ = std::make_unique<LocalApi>(context_, LocalApiOptions{endpoint_, "bac-son", Language::kEnglish, {}}, outbox_.get(),
                                      std::vector<const Sender*>{sender_.get()});
    ASSERT_OK(api_->Start());
    client_ = zmq::socket_t(context_, zmq::socket_type::req);
    client_.set(zmq::sockopt::linger, 0);
    client_.connect(endpoint_);
  }

  // Sends `bytes` as a REQ client and serves it; returns the reply.
  tonghop::v1::LocalReply Call(const std::string& bytes) {
    client_.send(zmq::buffer(bytes));
    tonghop::v1::LocalReply reply;
    const int64_t deadline = MonotonicMs() + 3000;
    while (MonotonicMs() < deadline) {
      std::vector<zmq::pollitem_t> items = {api_->PollItem()};
      zmq::poll(items, std::chrono::milliseconds(10));
      if (items[0].revents & ZMQ_POLLIN) api_->Process();
      zmq::message_t frame;
      if (client_.recv(frame, zmq::recv_flags::dontwait)) {
        EXPECT_TRUE(ParseProto(frame, &reply));
        return reply;
      }
    }
    ADD_FAILURE() << "no reply";
    return reply;
  }
  tonghop::v1::LocalReply Submit(const std::vector<tonghop::v1::IndicatorUpdate>& figures) {
    tonghop::v1::LocalRequest request;
    for (const auto& f : figures) *request.mutable_submit()->add_figures() = f;
    return Call(request.SerializeAsString());
  }
  static tonghop::v1::IndicatorUpdate Figure(const std::string& period, double value, const std::string& unit = "") {
    tonghop::v1::IndicatorUpdate f;
    f.set_indicator("agri.sown_area.total");
    f.set_period(period);
    f.set_value(value);
    f.set_reporting_unit(unit);
    return f;
  }

  testing::TempDir dir_;
  zmq::context_t context_{1};
  testing::TestAggregator aggregator_{context_};
  std::unique_ptr<Outbox> outbox_;
  RejectionFile rejections_{dir_.Sub("rejected.csv")};
  std::unique_ptr<Sender> sender_;
  std::string endpoint_;
  std::unique_ptr<LocalApi> api_;
  zmq::socket_t client_;
};

TEST_F(LocalApiTest, SubmitStoresFiguresAndReturnsTheirSeqs) {
  auto reply = Submit({Figure("2017-Q1", 926), Figure("2017-Q2", 1000.5, "bac-son")});
  ASSERT_EQ(reply.error(), "");
  ASSERT_EQ(reply.seqs_size(), 2);
  EXPECT_EQ(reply.seqs(0), 1u);
  EXPECT_EQ(reply.seqs(1), 2u);
  std::vector<tonghop::v1::IndicatorUpdate> stored;
  ASSERT_OK(outbox_->ReadPending(1, 10, &stored));
  ASSERT_EQ(stored.size(), 2u);
  EXPECT_EQ(stored[0].reporting_unit(), "bac-son");
  EXPECT_EQ(stored[1].value(), 1000.5);
  EXPECT_NEAR(static_cast<double>(stored[0].observed_at_ms()), static_cast<double>(NowMs()), 5000);
}

// A void names a figure and carries no value; it enters the outbox as a void, to travel as figures do.
TEST_F(LocalApiTest, AVoidIsStoredWithoutAValueAndStaysAVoid) {
  tonghop::v1::IndicatorUpdate void_update = Figure("2017-Q1", std::nan(""));
  void_update.set_kind(tonghop::v1::UPDATE_KIND_VOID);
  auto reply = Submit({void_update});
  ASSERT_EQ(reply.error(), "");
  ASSERT_EQ(reply.seqs_size(), 1);
  std::vector<tonghop::v1::IndicatorUpdate> stored;
  ASSERT_OK(outbox_->ReadPending(1, 10, &stored));
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].kind(), tonghop::v1::UPDATE_KIND_VOID);
  EXPECT_EQ(stored[0].reporting_unit(), "bac-son");
}

TEST_F(LocalApiTest, BadFigureStoresNothingAndNamesTheField) {
  auto reply = Submit({Figure("2017-Q1", 1), Figure("2017-Q9", 2), Figure("2017", 3, "cao-loc")});
  EXPECT_NE(reply.error().find("figure 2 (agri.sown_area.total 2017-Q9): field 'period'"), std::string::npos)
      << reply.error();
  EXPECT_NE(reply.error().find("figure 3 (agri.sown_area.total 2017): field 'reporting_unit'"), std::string::npos)
      << reply.error();
  EXPECT_EQ(reply.seqs_size(), 0);
  EXPECT_EQ(outbox_->pending_count(), 0u);
  EXPECT_NE(Submit({}).error(), "");
}

TEST_F(LocalApiTest, NonUtf8OrOverlongFieldIsRefusedByName) {
  // protobuf refuses to parse a string field that is not UTF-8; the error still names the field.
  tonghop::v1::LocalRequest request;
  *request.mutable_submit()->add_figures() = Figure("2017-Q1", 1);
  *request.mutable_submit()->add_figures() = Figure("2017-Q2", 2);
  request.mutable_submit()->mutable_figures(1)->set_indicator("agri.XX");
  std::string bytes = request.SerializeAsString();
  bytes.replace(bytes.find("agri.XX") + 5, 2, "\xc3\x28");
  std::string error = Call(bytes).error();
  EXPECT_NE(error.find("field 'submit.figures[1].indicator' is not valid UTF-8"), std::string::npos) << error;

  error = Submit({Figure("2017-Q1", 1), Figure("2017-Q1", 2, std::string(201, 'u'))}).error();
  EXPECT_NE(error.find("figure 2"), std::string::npos) << error;
  EXPECT_NE(error.find("field 'reporting_unit': is 201 bytes long; at most 200"), std::string::npos) << error;
  EXPECT_EQ(outbox_->pending_count(), 0u);
  EXPECT_EQ(outbox_->next_seq(), 1u);
}

TEST_F(LocalApiTest, MalformedAndEmptyRequestsGetAnError) {
  EXPECT_NE(Call("\xff\xff\xff garbage").error().find("malformed request"), std::string::npos);
  EXPECT_NE(Call("").error().find("empty request"), std::string::npos);
  // The API still works afterwards.
  EXPECT_EQ(Submit({Figure("2017", 1)}).error(), "");
}

TEST_F(LocalApiTest, StatusDescribesTheOutbox) {
  ASSERT_EQ(Submit({Figure("2017", 1), Figure("2018", 2)}).error(), "");
  tonghop::v1::LocalRequest request;
  request.mutable_status();
  auto reply = Call(request.SerializeAsString());
  EXPECT_EQ(reply.error(), "");
  EXPECT_EQ(reply.pending(), 2u);
  EXPECT_EQ(reply.next_seq(), 3u);
  EXPECT_EQ(reply.rejected_total(), 0u);
  EXPECT_EQ(reply.reporting_unit(), "bac-son");
  EXPECT_EQ(reply.outbox_id(), outbox_->id());
  EXPECT_FALSE(reply.aggregator_reachable());
}

TEST_F(LocalApiTest, LiveEndpointIsNotTakenOver) {
  LocalApi second(context_, LocalApiOptions{endpoint_, "bac-son", Language::kEnglish, {}}, outbox_.get(), {sender_.get()});
  Status s = second.Start();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("another process"), std::string::npos) << s.message();
}

TEST_F(LocalApiTest, StaleSocketFileIsReplaced) {
  // What a killed collector leaves behind: a socket file nobody listens on.
  const std::string path = dir_.Sub("stale.sock");
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strcpy(addr.sun_path, path.c_str());
  int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ::close(fd);
  ASSERT_TRUE(std::filesystem::exists(path));
  LocalApi api(context_, LocalApiOptions{"ipc://" + path, "bac-son", Language::kEnglish, {}}, outbox_.get(), {sender_.get()});
  Status s = api.Start();
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace tonghop
