// Sender: moves a collector's outbox to the aggregator over the ingest link (a DEALER connected to
// the aggregator's ROUTER; tonghop.proto) and settles the outbox from the aggregator's replies.
// It serves one of the outbox's aggregators (SenderOptions::aggregator_index): "pending" below
// means not yet settled by that aggregator, and a collector of a pair runs one Sender for each.
//
// Contract:
//  - Pending updates go out in seq order, as UpdateBatch messages of at most kMaxUpdatesPerBatch,
//    from a send cursor, while fewer than max_in_flight are unanswered. ZMQ_IMMEDIATE keeps them
//    from queueing towards an aggregator that is not connected; sends never block.
//  - Ack (also a duplicate one): the update leaves the outbox. A final Reject: it moves to the
//    outbox's rejected records and a row is appended to rejected.csv.
//  - Reject OUT_OF_SEQUENCE: go-back-N, the cursor rewinds to expected_seq. Each rewind starts a
//    new generation; until the aggregator has answered the first resent update, rejects belong to
//    the burst being resent and are ignored. So one gap costs one resend, not a storm.
//  - The aggregator asks again for seqs it had settled (an OUT_OF_SEQUENCE reject, or a heartbeat
//    answer's resend request, at or below settled_seq): its database was restored from a backup
//    taken before it had them. The cursor rewinds into the outbox's retained updates and resends
//    them (Outbox::ReadSettled; the aggregator's sequence rules keep it exactly-once), then goes
//    on with the pending ones. Seqs no longer retained go as placeholders the aggregator records
//    as lost, so its sequence goes on; that loss is logged with what to do, and counted.
//  - Reject UNAVAILABLE, or UNAUTHORIZED (this unit's key is not, or no longer, registered):
//    rewind to it and send nothing for ack_timeout_ms; the figures wait in the outbox.
//  - An update unanswered for ack_timeout_ms (lost in a TCP reset, or the aggregator is silent):
//    rewind to the lowest pending seq and resend everything. The aggregator acks what it already
//    has as duplicates, so resending is always safe.
//  - A handshake the aggregator refused (this unit's key is not registered yet): libzmq never
//    retries it, so the sender makes a new socket after HandshakeMonitor's backoff, and gets in
//    within seconds of the key being registered. The figures wait in the outbox meanwhile.
//  - The aggregator names its catalog's version in every heartbeat answer and every reply; when
//    that is not the version `catalog` holds, the sender asks for the files (a CatalogRequest, again
//    after ack_timeout_ms while unanswered) and hands them to the catalog (docs/COLLECTOR.md).
//  - Each seq the aggregator settles (an ack, or a final reject) is also told to OnSettled's
//    callback, after the outbox has recorded it: a one-shot sender (tonghop import) reports each
//    figure's fate from it.
//  - When nothing was sent for heartbeat_interval_ms it sends a Heartbeat, with the outbox's id and
//    settled_seq, which the aggregator answers (with a resend request when it holds less). The
//    aggregator is reachable while something was heard from it within three
//    heartbeat intervals; the change either way is logged once. While it is silent the sender
//    makes a new connection every three intervals: without ZMTP heartbeats nothing else would
//    drop one whose link was cut.
// Not thread-safe: the collector's loop (or tonghop import's) owns it.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "collector/collector_catalog.h"
#include "collector/collector_metrics.h"
#include "collector/outbox.h"
#include "collector/rejection_file.h"
#include "core/handshake_monitor.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct SenderOptions {
  std::string aggregator_endpoint;  // connect address of the aggregator's ingest ROUTER
  // Which of the outbox's aggregators this sender serves (Outbox::settled_seq): a collector of a
  // pair runs one Sender per aggregator, each with its own cursor and position.
  size_t aggregator_index = 0;
  std::string node_id;              // sent in every UpdateBatch, for the aggregator's logs
  // The collector's unit: what the placeholder of an unreadable outbox record reports for (see
  // Outbox::ReadPending), since the aggregator checks every update's unit against the sender's key.
  std::string reporting_unit;
  int max_in_flight = 1000;
  int ack_timeout_ms = 5'000;
  int heartbeat_interval_ms = 1'000;
  LinkOptions link;
  // The catalog the collector judges figures by, kept level with the aggregator's; may be null.
  CollectorCatalog* catalog = nullptr;
  // Where the sender counts what goes over the link (collector/collector_metrics.h).
  std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>();
};

// InvalidArgument when `endpoints`, given by flag `flag`, is empty or names an aggregator twice:
// each Sender of one outbox serves a different aggregator, with its own position.
Status CheckAggregatorEndpoints(const std::vector<std::string>& endpoints, std::string_view flag);

class Sender {
 public:
  static constexpr int kMaxUpdatesPerBatch = 100;
  // Heartbeat intervals of silence after which the aggregator counts as unreachable, and the
  // connection is replaced.
  static constexpr int kSilentIntervals = 3;

  // How the aggregator settled one seq.
  struct Settlement {
    uint64_t seq = 0;
    bool acked = false;      // stored; otherwise refused for good (reason, text)
    bool duplicate = false;  // acked as one the aggregator had already
    tonghop::v1::RejectReason reason = tonghop::v1::REJECT_REASON_UNSPECIFIED;
    std::string text;
  };

  Sender(zmq::context_t& context, SenderOptions options, Outbox* outbox, const RejectionFile* rejections);

  // Calls `callback` for each settlement of a reply, once the outbox has recorded it. A seq may
  // be told twice when the aggregator answers a resend of it again.
  void OnSettled(std::function<void(const Settlement&)> callback) { on_settled_ = std::move(callback); }

  // Creates the DEALER and connects it (the aggregator need not be up).
  Status Start();

  // The DEALER, for the owner's poll set: call Process() when it is ready or on timeout.
  zmq::pollitem_t PollItem();

  // Reads and applies every reply, runs the timers, then sends what the window allows. Call it
  // also after appending to the outbox, so that new figures leave at once.
  void Process();

  // Milliseconds until a timer of Process() is due, for the owner's poll timeout.
  int MillisUntilDue() const;

  const std::string& aggregator_endpoint() const { return options_.aggregator_endpoint; }
  bool aggregator_reachable() const { return reachability_ == Reachability::kReachable; }
  // Whether anything has been heard from the aggregator since Start().
  bool heard_from_aggregator() const { return heard_once_; }
  // Whether the aggregator refused the handshake since it was last heard (the key is not in its
  // registry, or of a role it does not admit on the ingest link).
  bool handshake_refused() const { return refusals_ > 0; }
  // As whom the aggregator says this sender's key is registered (Heartbeat.sender_key of its last
  // answer): "collector:cao-loc", "office:office-1"; "" in plain-text mode or before it answered.
  const std::string& sender_key() const { return sender_key_; }
  int64_t last_ack_at_ms() const { return last_ack_at_ms_; }
  // Why the aggregator last said it cannot store updates (its heartbeat or an UNAVAILABLE
  // reject); empty once it acks again.
  const std::string& aggregator_storage_error() const { return aggregator_storage_error_; }
  size_t in_flight() const { return in_flight_.size(); }
  // Whether the aggregator's ack of `seq` said duplicate, for the last kRecentAcks seqs acked;
  // none for a seq not acked in this run (or acked longer ago).
  std::optional<bool> AckedAsDuplicate(uint64_t seq) const;
  static constexpr size_t kRecentAcks = 4096;
  // Times the cursor went back (for tests and logs).
  uint64_t rewinds() const { return rewinds_; }
  // Seqs the aggregator asked for again that were no longer retained, since Start().
  uint64_t lost() const { return lost_; }

 private:
  enum class Reachability { kUnknown, kReachable, kUnreachable };
  struct InFlight {
    uint64_t generation;
    int64_t sent_ms;
  };

  // Makes the DEALER, watched by handshakes_, and connects it.
  Status Connect();
  // After a refused handshake: true while waiting to retry (nothing to send meanwhile); replaces
  // the socket when the wait is over.
  bool RetryRefusedHandshake(int64_t now);
  // A new socket, in place of one refused or silent; what was in flight on it is sent again.
  void Reconnect(int64_t now);
  // Replaces the socket after kSilentIntervals heartbeat intervals without a word from the
  // aggregator, and again after each further such interval.
  void ReconnectAfterSilence(int64_t now);
  void ReadReplies(int64_t now);
  void HandleReplies(const tonghop::v1::UpdateReplies& replies, int64_t now);
  // Asks for the aggregator's catalog when `version` (announced by it) is not the one held.
  void FollowCatalog(uint64_t version, int64_t now);
  void TakeCatalog(const tonghop::v1::CatalogFiles& files);
  void HandleOutOfSequence(uint64_t expected_seq);
  // A heartbeat answer's request to resend from `from_seq` (tonghop.proto, Heartbeat).
  void HandleResendRequest(uint64_t from_seq);
  // The aggregator wants `from_seq` again although it had settled up to highest_settled_: logs it
  // once per episode, and the loss of what is no longer retained.
  void ReportAggregatorLoss(uint64_t from_seq);
  void UpdateReachability(int64_t now);
  // The lowest seq the aggregator may lack: the first pending one, or lower while settled ones are
  // in flight again.
  uint64_t LowestUnsettled() const;
  void CheckAckTimeout(int64_t now);
  void Pump(int64_t now);
  void SendHeartbeat(int64_t now);
  void Rewind(uint64_t to_seq);

  SenderOptions options_;
  zmq::context_t& context_;
  Outbox* outbox_;
  const RejectionFile* rejections_;
  zmq::socket_t dealer_;
  HandshakeMonitor handshakes_;
  int refusals_ = 0;            // refused handshakes since the aggregator was last heard
  int64_t reconnect_at_ms_ = 0;  // when to replace the refused socket; 0: not refused
  int64_t connected_at_ms_ = 0;  // when the current socket was made
  LogLimiter refusal_log_{60'000};

  uint64_t cursor_ = 1;  // next seq to send
  // While the cursor is below it, updates are sent again from the outbox's settled ones (a rewind
  // below the first pending seq); 0 when not.
  uint64_t resend_until_ = 0;
  std::map<uint64_t, InFlight> in_flight_;
  uint64_t generation_ = 0;
  // First seq sent since the last rewind (0 until one is); rejects are trusted again once the
  // aggregator has answered it, as every later reply is about the resent burst.
  uint64_t first_resent_seq_ = 0;
  bool generation_confirmed_ = true;
  // Highest seq the aggregator has acked or rejected for good: it has everything up to it.
  uint64_t highest_settled_ = 0;
  uint64_t rewinds_ = 0;
  int64_t paused_until_ms_ = 0;
  bool want_pollout_ = false;

  int64_t last_send_ms_ = 0;
  int64_t last_heard_ms_ = 0;  // since Start() until something is heard
  bool heard_once_ = false;
  int64_t last_ack_at_ms_ = 0;  // wall clock, for status
  Reachability reachability_ = Reachability::kUnknown;
  bool silence_logged_ = false;
  bool unavailable_logged_ = false;
  std::string aggregator_storage_error_;
  std::string sender_key_;
  std::function<void(const Settlement&)> on_settled_;
  uint64_t reported_loss_seq_ = 0;  // the from_seq of the aggregator's loss last logged
  uint64_t lost_through_ = 0;       // highest seq counted in lost_
  uint64_t lost_ = 0;
  std::map<uint64_t, bool> recent_acks_;  // seq -> duplicate, the last kRecentAcks acked
  int64_t catalog_requested_ms_ = 0;  // when the catalog was last asked for; 0: not since it came
  LogLimiter catalog_log_{60'000};
  LogLimiter protocol_log_{10'000};
  LogLimiter outbox_log_{10'000};
  CollectorMetrics metrics_;
};

}  // namespace tonghop
