// CloneServer: the server side of the ZeroMQ guide's Clone pattern (chapter 5), over an
// AggregateTable it does not own. A PUB socket (an XPUB, to see subscriptions) carries every new
// aggregate version (under its two topics, see core/topics.h) and a heartbeat under "hb" every
// heartbeat_interval_ms however busy the feed (the pattern's HUGZ), and at once when the stream
// changes; a ROUTER socket answers SnapshotRequest with the table's matching entries in
// SnapshotReply chunks, the last one flagged and carrying the seq the snapshot shows and the
// stream_id. Used by the aggregator (source of the feed) and by the publisher (which relays it to
// subscribers). Not thread-safe: one thread owns it (two threads of its own, in PeerConnections,
// watch over its peers' connections).
//
// A relay's table can hold versions above a hole it is still filling from its own upstream; it
// then sets a complete-seq source (CloneReplica::verified_seq), and heartbeats and snapshot
// replies carry that seq instead of max_seq, so that no downstream replica believes itself
// complete beyond what the relay holds.
//
// Peers may be hostile (the publisher's subscriber side is public by default), so everything a
// peer controls is bounded (core/peer_bounds.h; docs/SECURITY.md, "Bounds on what a feed peer
// may cost"). A peer is one connection. Snapshots are sent progressively: a transfer per request, a
// chunk at a time while the requester takes them, so that a requester that does not read holds
// at most snapshot_queue_bytes of this process's memory, and no send ever blocks the owner.
//
// A snapshot transfer takes the table as it is when each chunk is made, and its last reply claims
// the complete seq of the moment the transfer began: every version up to that seq is in what the
// transfer showed, or was replaced by a newer one it showed. A replica that applies it with the
// seq rule, and then catches up from that seq as its gap rules say (core/clone_replica.h), holds
// exactly the table. A transfer under way when the stream changes (set_stream_id), or when the
// complete seq goes back (a relay starting over), is dropped unanswered: its chunks belong to a
// table that is gone, and the requester asks again after its timeout.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <zmq.hpp>

#include "core/aggregate_table.h"
#include "core/feed_metrics.h"
#include "core/log_limiter.h"
#include "core/peer_bounds.h"
#include "core/peer_connections.h"
#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct CloneServerOptions {
  std::string publish_endpoint;   // bind address of the PUB socket, e.g. tcp://*:5560
  std::string snapshot_endpoint;  // bind address of the snapshot ROUTER, e.g. tcp://*:5561
  int heartbeat_interval_ms = 1'000;
  // Of `link`, the server takes the PUB send HWM per subscriber (send_hwm: past it ZeroMQ drops
  // for that subscriber, which then sees a gap and resyncs; never blocks the owner) and CURVE
  // (curve). It sets the rest itself from `bounds`: message size, queues, no ZMTP heartbeats.
  LinkOptions link;

  // What one peer (connection) may cost: core/peer_bounds.h.
  PeerBounds bounds;
  // Where the feed's metrics go (core/feed_metrics.h): the node's registry.
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
};

class CloneServer {
 public:
  CloneServer(zmq::context_t& context, CloneServerOptions options, const AggregateTable* table);
  ~CloneServer();

  // Binds both sockets; fails with the endpoint in the message.
  Status Start();

  // Identifies the sequence numbers' origin (the aggregator database). Sent in heartbeats and
  // snapshot replies so that replicas notice a different source and start over. A change to a
  // known stream publishes a heartbeat at once, however busy the feed (before Start, at the
  // first Tick). No heartbeat is sent while it is 0 (unknown): it would make every replica start
  // over for nothing. Transfers of another stream under way are dropped.
  void set_stream_id(uint64_t stream_id);
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

  // The owner's loop: poll both sockets for ZMQ_POLLIN; call ReadSubscriptions() when the publish
  // socket is readable, ServeSnapshots() when the snapshot socket is, and Tick() after every poll,
  // waiting at most MillisUntilDue() in the poll. None of them blocks.
  zmq::socket_t& publish_socket() { return publisher_; }
  zmq::socket_t& snapshot_socket() { return snapshot_; }

  // Counts the subscriptions each connection holds, and cuts off one that holds too many. At
  // most a bounded number per call; the rest keep the socket readable.
  void ReadSubscriptions();

  // Reads pending snapshot requests (a bounded number per call) and starts a transfer for each
  // that the bounds admit, then sends what the requesters take. Malformed requests are logged
  // and answered with an empty last reply with seq 0 (never crash the server).
  void ServeSnapshots();

  // Heartbeat when due, transfers sent on as their requesters read, subscriptions read, memory
  // freed by departed peers returned to the system.
  void Tick();

  // Milliseconds until Tick() has something to do: a heartbeat, or transfers to send on.
  int MillisUntilDue() const;

 private:
  // A snapshot being sent to one requester.
  struct Transfer {
    std::string identity;   // the requester's routing id
    std::string filter;
    uint64_t since_seq = 0;
    uint64_t seq = 0;       // the complete seq when it began: what its last reply claims
    uint64_t stream_id = 0;
    std::optional<AggregateTable::Key> sent_up_to;  // the last key in a chunk taken; none yet
    std::string chunk;      // the next chunk, made but not taken yet; empty when none
    std::optional<AggregateTable::Key> chunk_up_to;
    bool chunk_is_last = false;
  };
  // kWaiting: the requester took nothing more; kMore: the turn's budget ran out.
  enum class Progress { kDone, kWaiting, kMore, kGone };
  // Subscriptions of one connection, as counted here (libzmq applies them itself).
  struct Subscriber {
    std::unordered_set<std::string> topics;
    int64_t cut_off_ms = 0;  // when it was cut off; 0 when not
  };

  void PublishHeartbeat();
  // Counts one (un)subscription of the open connection `fd`, or cuts the connection off.
  void CountSubscription(int fd, const zmq::message_t& message);
  // Counts the unconfirmed subscriptions whose connection is now reported open; drops the
  // expired ones.
  void RecheckUnconfirmed();
  void SendTopic(std::string_view topic, const std::string& body);
  void StartTransfer(const zmq::message_t& identity, const tonghop::v1::SnapshotRequest& request);
  // Sends `transfer` on as far as its requester takes it, at most `*budget` chunks.
  Progress Advance(Transfer& transfer, int* budget);
  void MakeChunk(Transfer& transfer) const;
  void SendTransfers();
  bool AllowRequest(const std::string& identity);
  void AnswerMalformed(const zmq::message_t* identity, const std::string& why);
  void ForgetClosedConnections();
  uint64_t CompleteSeq() const { return complete_seq_ ? complete_seq_() : table_->max_seq(); }

  CloneServerOptions options_;
  const AggregateTable* table_;
  zmq::socket_t publisher_;
  zmq::socket_t snapshot_;
  // After the sockets: they stop their monitors before the sockets close.
  PeerConnections subscribers_;
  PeerConnections requesters_;
  bool started_ = false;
  uint64_t stream_id_ = 0;
  bool upstream_unreachable_ = false;
  int64_t last_heartbeat_ms_ = 0;
  std::function<uint64_t()> complete_seq_;

  std::unordered_map<int, Subscriber> subscriptions_;  // by connection
  // Subscription messages of a connection the monitor has not reported open yet: libzmq can hand
  // the owner a connection's first subscriptions before the monitor's thread has read its accept.
  // Read again at each Tick until it has, or dropped after a while (a closed connection's last
  // words); bounded in number.
  struct UnconfirmedSubscription {
    int fd = -1;
    int64_t received_ms = 0;
    zmq::message_t message;
  };
  std::deque<UnconfirmedSubscription> unconfirmed_;
  // Snapshot requests allowed per requester now (a token bucket, refilled over time), by routing
  // id; entries back to a full bucket are forgotten.
  struct RequestBudget {
    double tokens = 0;
    int64_t refilled_ms = 0;
  };
  std::unordered_map<std::string, RequestBudget> request_budgets_;
  std::deque<Transfer> transfers_;  // served round-robin
  bool transfers_waiting_ = false;  // a requester did not take its next chunk at the last try
  bool transfers_more_ = false;     // the last turn's budget ran out
  int64_t next_housekeeping_ms_ = 0;
  int64_t trim_due_ms_ = 0;         // when to return freed memory to the system; 0: nothing to return

  LogLimiter bad_request_log_;
  LogLimiter subscriptions_log_;
  LogLimiter requests_log_;
  FeedMetrics metrics_;
  uint64_t cut_offs_counted_ = 0;  // PeerConnections' cut-offs already in metrics_
};

}  // namespace tonghop
