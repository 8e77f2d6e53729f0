// CloneReplica: the client side of the Clone pattern. Holds an exact copy of the part of a
// CloneServer's AggregateTable selected by a topic filter, and keeps it exact over a lossy PUB
// feed:
//  - it subscribes first (to its filter and to "hb"), then asks for a snapshot and applies it;
//    live versions are applied whenever they are newer than the held one (AggregateTable::Apply),
//    so the order of snapshot and stream does not matter;
//  - a version whose prev_seq is not the seq it holds for that key (or is non-zero for a key it
//    does not hold) reveals a missed update; a heartbeat whose seq is above everything it has
//    verified reveals a possibly missed trailing update; either triggers a catch-up snapshot
//    request with since_seq = the last seq up to which it knows it is complete (verified_seq,
//    which a completed snapshot raises to its seq, and a live version raises to its own seq when
//    that is exactly verified_seq + 1);
//  - a different stream_id in a heartbeat or snapshot means a different source: it clears its
//    table and takes a full snapshot;
//  - no heartbeat for server_timeout_ms: it reconnects both sockets and resyncs; with other
//    servers in its list, it moves to the next one instead (round the list while each is
//    silent). This is the client side of the guide's Binary Star failover ("the client switches
//    to the backup when the primary is silent", chapter 5) over the Clone pattern: the servers of
//    a list hold the same figures (the aggregators of a pair) under different stream_ids, so the
//    rule above takes a full snapshot from the new one;
//  - a handshake the server refused (this node's key is not registered there yet): libzmq never
//    retries it, so the replica makes new sockets after HandshakeMonitor's backoff.
// Used by the publisher (replica of the aggregator) and by `tonghop watch` and tests.
// Not thread-safe: one thread owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "core/aggregate_table.h"
#include "core/clock.h"
#include "core/handshake_monitor.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

// Where one server of the feed is reached.
struct CloneServerEndpoints {
  std::string publish_endpoint;   // connect address of the server's PUB socket
  std::string snapshot_endpoint;  // connect address of the server's snapshot ROUTER
};

struct CloneReplicaOptions {
  // The first server, followed from Start.
  std::string publish_endpoint;   // connect address of the server's PUB socket
  std::string snapshot_endpoint;  // connect address of the server's snapshot ROUTER
  // Servers holding the same figures (the other aggregator of a pair), followed in this order
  // after the first when the one followed is silent for server_timeout_ms. Empty: the first
  // server only, reconnected to when silent.
  std::vector<CloneServerEndpoints> other_servers;
  std::string filter;             // "" for everything, or "i/<prefix>" / "p/<period>/"
  int snapshot_timeout_ms = 3'000;   // a snapshot not complete by then is requested again
  int server_timeout_ms = 5'000;     // silence (no update, no heartbeat) before reconnecting
  LinkOptions link;
};

class CloneReplica {
 public:
  // Called for each aggregate version the replica stores (from the stream or a snapshot).
  using ChangeCallback = std::function<void(const tonghop::v1::AggregateUpdate&)>;

  CloneReplica(zmq::context_t& context, CloneReplicaOptions options);

  // Validates the filter, connects, subscribes and requests the first snapshot.
  Status Start();

  // Sockets to poll (ZMQ_POLLIN); call Process() when any is readable or on timeout. Ask again
  // after every Process(): reconnecting replaces the sockets.
  std::vector<zmq::pollitem_t> PollItems();

  // Reads everything pending without blocking, applies it, and handles gaps, resyncs and
  // timeouts. `on_change` may be empty. Call at least every few hundred ms even when nothing is
  // readable: the timeouts are checked here.
  void Process(const ChangeCallback& on_change);

  // Polls and processes until the first snapshot is complete, or fails after timeout_ms.
  Status WaitUntilSynced(int timeout_ms, const ChangeCallback& on_change = {});

  // True once a snapshot of a known stream has completed and no catch-up is outstanding. A
  // snapshot under stream_id 0 (a relay that holds only part of its own source, see
  // core/clone_server.h) is applied but makes nobody synced.
  bool synced() const;
  // True once the table holds a whole snapshot of stream_id(), kept up to date since (a
  // catch-up may be due): false before the first snapshot, and while the full snapshot of a
  // start over is outstanding, when the table holds only what of the new stream came live.
  bool has_whole_stream() const { return has_snapshot_ && !(snapshot_outstanding_ && snapshot_since_seq_ == 0); }
  const AggregateTable& table() const { return table_; }
  uint64_t stream_id() const { return stream_id_; }
  // Highest seq up to which the replica knows it holds every version its filter selects.
  uint64_t verified_seq() const { return verified_seq_; }
  // How many catch-up or full snapshots it has taken since Start (for tests and status).
  uint64_t resyncs() const { return resyncs_; }
  // True from the moment the server was silent for server_timeout_ms until it is heard again.
  // An outage is logged once when it starts and once when it ends, however long it lasts.
  bool server_silent() const { return silent_since_ms_ != 0; }
  // The server followed: its position in the list (0: the first, options.publish_endpoint) and
  // its endpoints.
  size_t server_index() const { return server_index_; }
  const CloneServerEndpoints& server() const { return servers_[server_index_]; }
  // How many times the replica moved to the next server of its list since Start.
  uint64_t switches() const { return switches_; }
  // What the server's last heartbeat said of its own source (Heartbeat.upstream_unreachable): a
  // relay whose upstream is silent. False before any heartbeat.
  bool source_unreachable() const { return source_unreachable_; }
  // MonotonicMs() when the server was last heard from (a version, a heartbeat or a snapshot
  // reply); the time of Start() until then. Unlike the silence timer it is not reset by a
  // reconnection, so a node can say how long its source has been silent (the web node's "stale").
  int64_t last_received_ms() const { return last_received_ms_; }

 private:
  // Replaces the SUB socket: subscribes to the filter (or "i/" for everything) and to "hb".
  void ConnectStream();
  // Replaces the snapshot DEALER, so that a late reply to an abandoned request cannot be taken
  // for the reply to the next one.
  void ConnectSnapshot();
  void RequestSnapshot(uint64_t since_seq);
  void ReadStream(const ChangeCallback& on_change);
  void ReadSnapshots(const ChangeCallback& on_change);
  void OnUpdate(const tonghop::v1::AggregateUpdate& update, const ChangeCallback& on_change);
  void OnHeartbeat(const tonghop::v1::Heartbeat& heartbeat);
  void OnLastReply(const tonghop::v1::SnapshotReply& reply, const ChangeCallback& on_change);
  // Drops the table and takes a full snapshot of `stream_id`.
  void StartOver(uint64_t stream_id);
  // Drops the table and everything heard of the old stream, to hold `stream_id` instead.
  void ForgetStream(uint64_t stream_id);
  void CheckTimers();
  // New sockets, and the snapshot the replica still needs from them.
  void Reconnect();
  // Moves to the next server of the list (the caller reconnects); `outage_starts` says whether to
  // log it at info.
  void MoveToNextServer(bool outage_starts);
  // Gaps mean something only against a complete state: not before the first snapshot, nor while
  // a full one is pending.
  bool CanDetectGaps() const { return has_whole_stream(); }

  CloneReplicaOptions options_;
  std::vector<CloneServerEndpoints> servers_;  // the first, then options_.other_servers
  size_t server_index_ = 0;
  uint64_t switches_ = 0;
  zmq::context_t& context_;
  zmq::socket_t subscriber_;
  zmq::socket_t snapshot_;
  HandshakeMonitor stream_handshakes_;
  HandshakeMonitor snapshot_handshakes_;
  int refusals_ = 0;             // refused handshakes since the server was last heard
  int64_t reconnect_at_ms_ = 0;  // when to replace refused sockets; 0: none refused
  LogLimiter refusal_log_{60'000};
  AggregateTable table_;
  uint64_t stream_id_ = 0;
  uint64_t verified_seq_ = 0;
  uint64_t resyncs_ = 0;
  bool snapshot_outstanding_ = false;
  uint64_t snapshot_since_seq_ = 0;  // of the outstanding request
  // Aggregates of the outstanding snapshot's replies so far: applied together when the last one
  // arrives, as only it says which stream they belong to.
  std::vector<tonghop::v1::AggregateUpdate> snapshot_aggregates_;
  bool catch_up_needed_ = false;
  bool has_snapshot_ = false;
  int64_t snapshot_requested_ms_ = 0;
  int64_t last_heard_ms_ = 0;     // the silence timer: reset by a reconnection
  int64_t last_received_ms_ = 0;  // last message from the server
  int64_t silent_since_ms_ = 0;  // monotonic; 0 while the server is heard
  bool source_unreachable_ = false;
  LogLimiter bad_message_log_;
  LogLimiter gap_log_;
};

}  // namespace tonghop
