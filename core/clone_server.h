// CloneServer: the server side of the ZeroMQ guide's Clone pattern (chapter 5), over an
// AggregateTable it does not own. A PUB socket carries every new aggregate version (under its two
// topics, see core/topics.h) and a heartbeat under "hb" whenever nothing was published for
// heartbeat_interval_ms; a ROUTER socket answers SnapshotRequest with the table's matching
// entries, in SnapshotReply chunks of at most 500, the last one flagged and carrying the table's
// max_seq and the stream_id. Used by the aggregator (source of the feed) and by the publisher
// (which relays it to subscribers). Not thread-safe: one thread owns it.
//
// A relay's table can hold versions above a hole it is still filling from its own upstream; it
// then sets a complete-seq source (CloneReplica::verified_seq), and heartbeats and snapshot
// replies carry that seq instead of max_seq, so that no downstream replica believes itself
// complete beyond what the relay holds.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <zmq.hpp>

#include "core/aggregate_table.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct CloneServerOptions {
  std::string publish_endpoint;   // bind address of the PUB socket, e.g. tcp://*:5560
  std::string snapshot_endpoint;  // bind address of the snapshot ROUTER, e.g. tcp://*:5561
  int heartbeat_interval_ms = 1'000;
  // PUB send HWM per subscriber: past it ZeroMQ drops for that subscriber, which then sees a
  // gap and resyncs from a snapshot. Never blocks the owner.
  LinkOptions link;
};

class CloneServer {
 public:
  CloneServer(zmq::context_t& context, CloneServerOptions options, const AggregateTable* table);

  // Binds both sockets; fails with the endpoint in the message.
  Status Start();

  // Identifies the sequence numbers' origin (the aggregator database). Sent in heartbeats and
  // snapshot replies so that replicas notice a different source and start over.
  void set_stream_id(uint64_t stream_id) { stream_id_ = stream_id; }
  uint64_t stream_id() const { return stream_id_; }

  // See the class comment. Unset (the source of the feed): the table's max_seq.
  void set_complete_seq_source(std::function<uint64_t()> complete_seq) {
    complete_seq_ = std::move(complete_seq);
  }

  // A relay's own source is silent (CloneReplica::server_silent): carried in every heartbeat
  // (Heartbeat.upstream_unreachable) until set false again. Never set by the source of the feed.
  void set_upstream_unreachable(bool unreachable) { upstream_unreachable_ = unreachable; }

  // The endpoints actually bound (a "tcp://127.0.0.1:*" resolved to its port), after Start().
  std::string bound_publish_endpoint() const;
  std::string bound_snapshot_endpoint() const;

  // Publishes `update`, which the caller has already applied to the table. Never blocks.
  void Publish(const tonghop::v1::AggregateUpdate& update);

  // The snapshot ROUTER, for the owner's poll set: call ServeSnapshots() when it is readable.
  zmq::socket_t& snapshot_socket() { return snapshot_; }
  // Answers pending snapshot requests without blocking (at most 64 per call, so that a flood of
  // them cannot starve the owner; the rest keep the socket readable). Malformed requests are
  // logged and answered with an empty last reply with seq 0 (never crash the server).
  void ServeSnapshots();

  // Publishes a heartbeat if nothing was published for heartbeat_interval_ms. Call at least that
  // often (e.g. after every poll).
  void Tick();

  // Milliseconds until the next heartbeat is due, for the owner's poll timeout.
  int MillisUntilHeartbeat() const;

 private:
  void PublishHeartbeat();
  void SendTopic(std::string_view topic, const std::string& body);
  void ServeOne(const zmq::message_t& identity, const tonghop::v1::SnapshotRequest& request);
  void AnswerMalformed(const zmq::message_t* identity, const std::string& why);
  uint64_t CompleteSeq() const { return complete_seq_ ? complete_seq_() : table_->max_seq(); }

  CloneServerOptions options_;
  const AggregateTable* table_;
  zmq::socket_t publisher_;
  zmq::socket_t snapshot_;
  uint64_t stream_id_ = 0;
  bool upstream_unreachable_ = false;
  int64_t last_publish_ms_ = 0;
  std::function<uint64_t()> complete_seq_;
  LogLimiter bad_request_log_;
};

}  // namespace tonghop
