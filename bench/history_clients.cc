#include "bench/history_clients.h"

#include <algorithm>

#include <fmt/format.h>
#include <zmq_addon.hpp>

#include "bench/load_generator.h"
#include "core/transport.h"

namespace tonghop::bench {
namespace {

constexpr int64_t kReplyTimeoutNs = 60'000'000'000;

}  // namespace

HistoryClients::HistoryClients(zmq::context_t& context, std::string query_endpoint,
                               std::vector<tonghop::v1::HistoryRequest> requests)
    : context_(context), query_endpoint_(std::move(query_endpoint)), requests_(std::move(requests)) {}

HistoryClients::~HistoryClients() {
  stop_ = true;
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void HistoryClients::Start(int clients) {
  start_ns_ = SteadyNs();
  clients_ = clients;
  for (int c = 0; c < clients; ++c) threads_.emplace_back([this, c] { Serve(c); });
}

void HistoryClients::Serve(int client) {
  zmq::socket_t socket(context_, zmq::socket_type::dealer);
  socket.set(zmq::sockopt::linger, 0);
  socket.connect(query_endpoint_);
  std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
  auto fail = [&](std::string why) {
    std::lock_guard lock(mutex_);
    if (error_.empty()) error_ = std::move(why);
  };
  for (size_t next = client; !stop_; next += clients_) {
    tonghop::v1::QueryRequest request;
    *request.mutable_history() = requests_[next % requests_.size()];
    const int64_t sent = SteadyNs();
    (void)socket.send(zmq::message_t(), zmq::send_flags::sndmore);
    if (!SendProto(socket, request).ok()) return fail("a history request could not be sent");
    std::vector<zmq::message_t> frames;
    while (frames.empty() && SteadyNs() - sent < kReplyTimeoutNs) {
      zmq::poll(items, std::chrono::milliseconds(100));
      if (items[0].revents & ZMQ_POLLIN) (void)zmq::recv_multipart(socket, std::back_inserter(frames));
    }
    tonghop::v1::QueryReply reply;
    if (frames.empty()) return fail("a history query got no answer within 60 s");
    if (!ParseProto(frames.back(), &reply) || !reply.error().empty()) return fail("a history query failed: " + reply.error());
    std::lock_guard lock(mutex_);
    durations_ns_.push_back(SteadyNs() - sent);
    revisions_ += reply.history().province_size();
  }
}

Status HistoryClients::Stop(HistoryStats* out) {
  stop_ = true;
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  std::lock_guard lock(mutex_);
  if (!error_.empty()) return Status::Unavailable(error_);
  std::sort(durations_ns_.begin(), durations_ns_.end());
  out->answered = durations_ns_.size();
  out->revisions = revisions_;
  out->seconds = (SteadyNs() - start_ns_) / 1e9;
  if (!durations_ns_.empty()) {
    auto at = [&](double q) {
      return durations_ns_[std::min(durations_ns_.size() - 1, static_cast<size_t>(q * durations_ns_.size()))] / 1e6;
    };
    out->p50_ms = at(0.5);
    out->p99_ms = at(0.99);
  }
  return Status::OK();
}

}  // namespace tonghop::bench
