// TestAggregator: the aggregator's side of the ingest link for the collector's tests, a real
// ROUTER on loopback speaking tonghop.proto, whose replies each test chooses (drop, ack, reject
// out of sequence...). Answers heartbeats unless told not to, with a resend request when told to.
// Header-only test helper.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include <zmq.hpp>

#include "core/clock.h"
#include "core/transport.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::testing {

class TestAggregator {
 public:
  // Bound to `endpoint`: by default a free port of loopback; a test that brings an aggregator
  // back gives the endpoint the one before it had.
  explicit TestAggregator(zmq::context_t& context, const std::string& endpoint = "tcp://127.0.0.1:*")
      : router_(context, zmq::socket_type::router) {
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_mandatory, 1);
    router_.set(zmq::sockopt::sndtimeo, 1000);
    router_.bind(endpoint);
    endpoint_ = router_.get(zmq::sockopt::last_endpoint);
  }

  const std::string& endpoint() const { return endpoint_; }

  // Waits up to timeout_ms for the next UpdateBatch, calling `between` (e.g. the sender's
  // Process) every few milliseconds meanwhile. Heartbeats are counted and, if
  // answer_heartbeats, answered.
  std::optional<tonghop::v1::UpdateBatch> NextBatch(int timeout_ms, const std::function<void()>& between = {}) {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    while (MonotonicMs() < deadline) {
      if (between) between();
      std::vector<zmq::pollitem_t> items = {{router_.handle(), 0, ZMQ_POLLIN, 0}};
      zmq::poll(items, std::chrono::milliseconds(5));
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t identity, body;
      (void)router_.recv(identity);
      (void)router_.recv(body);
      peer_ = zmq::message_t(identity.data(), identity.size());
      tonghop::v1::CollectorMessage message;
      if (!ParseProto(body, &message)) continue;
      if (message.has_heartbeat()) {
        ++heartbeats;
        last_heartbeat = message.heartbeat();
        if (answer_heartbeats) {
          tonghop::v1::AggregatorMessage reply;
          reply.mutable_heartbeat()->set_sent_at_ms(NowMs());
          if (resend_from_seq != 0) {
            reply.mutable_heartbeat()->set_outbox_id(message.heartbeat().outbox_id());
            reply.mutable_heartbeat()->set_resend_from_seq(resend_from_seq);
          }
          reply.mutable_heartbeat()->set_sender_key(sender_key);
          (void)SendRouted(router_, peer_, reply);
        }
        continue;
      }
      if (message.has_updates()) return message.updates();
    }
    return std::nullopt;
  }

  // Sends `replies` to the last peer heard from.
  void Reply(const tonghop::v1::UpdateReplies& replies) {
    tonghop::v1::AggregatorMessage message;
    *message.mutable_replies() = replies;
    (void)SendRouted(router_, peer_, message);
  }

  // Acks every update of `batch`.
  void AckAll(const tonghop::v1::UpdateBatch& batch) {
    tonghop::v1::UpdateReplies replies;
    replies.set_outbox_id(batch.outbox_id());
    for (const auto& u : batch.updates()) replies.add_acks()->set_seq(u.seq());
    Reply(replies);
  }

  // Sends raw bytes (a malformed message) to the last peer.
  void SendRaw(const std::string& bytes) {
    zmq::message_t id(peer_.data(), peer_.size());
    (void)router_.send(id, zmq::send_flags::sndmore);
    (void)router_.send(zmq::buffer(bytes));
  }

  bool answer_heartbeats = true;
  // When set, heartbeats are answered with a request to resend from this seq, as an aggregator
  // restored from a backup answers.
  uint64_t resend_from_seq = 0;
  // What the answers to heartbeats say the sender's key is ("collector:cao-loc"; "": plain text).
  std::string sender_key;
  int heartbeats = 0;
  tonghop::v1::Heartbeat last_heartbeat;

 private:
  zmq::socket_t router_;
  std::string endpoint_;
  zmq::message_t peer_;
};

}  // namespace tonghop::testing
