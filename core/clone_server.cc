#include "core/clone_server.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "core/topics.h"

namespace tonghop {
namespace {

using tonghop::v1::AggregateUpdate;
using tonghop::v1::Heartbeat;
using tonghop::v1::SnapshotReply;
using tonghop::v1::SnapshotRequest;

constexpr int kMaxAggregatesPerReply = 500;
// Requests answered per ServeSnapshots call, so that a flood of requests cannot starve the
// owner's other work; the rest stay readable for the next poll.
constexpr int kMaxRequestsPerServe = 64;

std::string LastEndpoint(const zmq::socket_t& socket) {
  try {
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t&) {
    return "";
  }
}

}  // namespace

CloneServer::CloneServer(zmq::context_t& context, CloneServerOptions options, const AggregateTable* table)
    : options_(std::move(options)),
      table_(table),
      publisher_(context, zmq::socket_type::pub),
      snapshot_(context, zmq::socket_type::router) {}

Status CloneServer::Start() {
  try {
    ConfigureSocket(publisher_, options_.link);
    ConfigureRouter(snapshot_, options_.link);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format("cannot configure the feed sockets: {}", e.what()));
  }
  for (auto [socket, endpoint, what] :
       {std::tuple{&publisher_, &options_.publish_endpoint, "publish"},
        std::tuple{&snapshot_, &options_.snapshot_endpoint, "snapshot"}}) {
    try {
      socket->bind(*endpoint);
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format(
          "cannot bind the {} endpoint {}: {}; is another node using it? choose another with "
          "--{}_endpoint",
          what, *endpoint, e.what(), what));
    }
  }
  return Status::OK();
}

std::string CloneServer::bound_publish_endpoint() const { return LastEndpoint(publisher_); }
std::string CloneServer::bound_snapshot_endpoint() const { return LastEndpoint(snapshot_); }

void CloneServer::SendTopic(std::string_view topic, const std::string& body) {
  // A PUB never blocks: at a subscriber's HWM it drops, and the subscriber resyncs.
  try {
    publisher_.send(zmq::buffer(topic), zmq::send_flags::sndmore | zmq::send_flags::dontwait);
    publisher_.send(zmq::buffer(body), zmq::send_flags::dontwait);
  } catch (const zmq::error_t& e) {
    spdlog::debug("publishing under {} failed: {}", topic, e.what());
  }
}

void CloneServer::Publish(const AggregateUpdate& update) {
  std::string body = update.SerializeAsString();
  SendTopic(IndicatorTopic(update), body);
  SendTopic(PeriodTopic(update), body);
  last_publish_ms_ = MonotonicMs();
}

void CloneServer::PublishHeartbeat() {
  Heartbeat heartbeat;
  heartbeat.set_sent_at_ms(NowMs());
  heartbeat.set_seq(CompleteSeq());
  heartbeat.set_stream_id(stream_id_);
  heartbeat.set_upstream_unreachable(upstream_unreachable_);
  SendTopic(kHeartbeatTopic, heartbeat.SerializeAsString());
  last_publish_ms_ = MonotonicMs();
}

void CloneServer::Tick() {
  if (MillisUntilHeartbeat() == 0) PublishHeartbeat();
}

int CloneServer::MillisUntilHeartbeat() const {
  int64_t due = last_publish_ms_ + options_.heartbeat_interval_ms;
  return static_cast<int>(std::clamp<int64_t>(due - MonotonicMs(), 0, options_.heartbeat_interval_ms));
}

void CloneServer::ServeSnapshots() {
  for (int served = 0; served < kMaxRequestsPerServe; ++served) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(snapshot_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      spdlog::warn("reading a snapshot request failed: {}", e.what());
      return;
    }
    if (frames.size() != 2) {
      AnswerMalformed(frames.empty() ? nullptr : &frames[0],
                      fmt::format("{} frames instead of [identity][SnapshotRequest]", frames.size()));
      continue;
    }
    SnapshotRequest request;
    if (!ParseProto(frames[1], &request)) {
      AnswerMalformed(&frames[0], fmt::format("{}-byte body is not a SnapshotRequest", frames[1].size()));
      continue;
    }
    if (std::string why = ValidateFilter(request.filter()); !why.empty()) {
      AnswerMalformed(&frames[0], why);
      continue;
    }
    ServeOne(frames[0], request);
  }
}

void CloneServer::ServeOne(const zmq::message_t& identity, const SnapshotRequest& request) {
  // The seq is read before the entries so that the reply never claims more than it shows; in
  // this single-threaded owner nothing changes the table in between anyway.
  const uint64_t seq = CompleteSeq();
  SnapshotReply reply;
  size_t sent = 0;
  auto flush = [&](bool last) {
    reply.set_last(last);
    if (last) {
      reply.set_seq(seq);
      reply.set_stream_id(stream_id_);
    }
    Status s = SendRouted(snapshot_, identity, reply);
    if (!s.ok()) {
      // The client vanished or stopped reading; it will time out and ask again.
      spdlog::debug("snapshot reply abandoned after {} aggregates: {}", sent, s.message());
      return false;
    }
    sent += reply.aggregates_size();
    reply.Clear();
    return true;
  };
  for (const auto& [key, update] : table_->entries()) {
    if (update.seq() <= request.since_seq() || !FilterMatches(request.filter(), update)) continue;
    *reply.add_aggregates() = update;
    if (reply.aggregates_size() == kMaxAggregatesPerReply && !flush(false)) return;
  }
  if (!flush(true)) return;
  spdlog::debug("snapshot '{}' since {}: {} aggregates up to seq {}", request.filter(),
                request.since_seq(), sent, seq);
}

void CloneServer::AnswerMalformed(const zmq::message_t* identity, const std::string& why) {
  if (bad_request_log_.Allow()) {
    spdlog::warn("bad snapshot request: {}; answered with an empty reply ({} more not logged)", why,
                 bad_request_log_.suppressed());
  }
  if (identity == nullptr) return;
  // seq 0: an error reply vouches for nothing, so no replica advances its verified seq on it.
  SnapshotReply reply;
  reply.set_last(true);
  reply.set_stream_id(stream_id_);
  Status s = SendRouted(snapshot_, *identity, reply);
  if (!s.ok()) spdlog::debug("empty reply to a bad snapshot request not sent: {}", s.message());
}

}  // namespace tonghop
