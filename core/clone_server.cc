#include "core/clone_server.h"

#include <malloc.h>

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "core/clock.h"
#include "core/topics.h"

namespace tonghop {
namespace {

using tonghop::v1::AggregateUpdate;
using tonghop::v1::Heartbeat;
using tonghop::v1::SnapshotReply;
using tonghop::v1::SnapshotRequest;

constexpr int kMaxAggregatesPerReply = 500;
// A snapshot reply is at most this large (or one aggregate, if one were larger): the unit in which
// a requester's queue is counted.
constexpr int64_t kMaxReplyBytes = 64 << 10;
// Snapshot requests read per ServeSnapshots call, subscription messages per ReadSubscriptions
// call, and replies sent per turn over all transfers (at most 4 MiB): a flood of any of them
// cannot keep the owner from its other work; the rest wait for the next turn.
constexpr int kMaxRequestsPerServe = 64;
constexpr int kMaxSubscriptionMessagesPerRead = 1'000;
constexpr int kMaxRepliesPerTurn = 64;
// Messages from one peer queued before libzmq stops reading its connection: with
// max_message_bytes, what a peer makes the node hold before the owner reads it (the XPUB moves
// them on into a list of its own; what bounds that is the limit on the bytes a peer may send).
constexpr int kPeerReceiveHwm = 10;
// The kernel's receive buffer per peer connection (it grows to megabytes by default): after a
// peer is cut off, libzmq still reads what the kernel holds for it, so this bounds what it sent
// beyond the cut. Peers send only small, rare messages here.
constexpr int kPeerReceiveBufferBytes = 16 << 10;
// What a peer's handshake may send (CURVE's is under 1 kB), besides its subscriptions or requests.
constexpr int64_t kHandshakeBytes = 4 << 10;
// How soon to try again a transfer whose requester took nothing at the last try.
constexpr int kBlockedRetryMs = 5;
// Request budgets are looked at this often.
constexpr int64_t kHousekeepingIntervalMs = 1'000;
// Memory is returned to the system this long after a peer left: by then libzmq has freed what
// it held for it.
constexpr int64_t kTrimDelayMs = 500;
// A connection cut off that still sends is cut off again after this (the first shutdown raced
// its close, or did not take).
constexpr int64_t kCutOffAgainAfterMs = 1'000;
// How long a subscription waits for its connection to be reported open (the monitor's thread is
// milliseconds behind, even on a loaded machine), and how many may wait: at most
// max_peer_message_bytes each.
constexpr int64_t kUnconfirmedHoldMs = 1'000;
constexpr size_t kMaxUnconfirmedSubscriptions = 1'024;
// How soon Tick() looks at waiting subscriptions again.
constexpr int kUnconfirmedRetryMs = 5;

std::string LastEndpoint(const zmq::socket_t& socket) {
  try {
    return socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t&) {
    return "";
  }
}

// The address of the peer `message` came from, for logs.
std::string PeerAddress(const zmq::message_t& message) {
  const char* address = zmq_msg_gets(message.handle(), "Peer-Address");
  return address != nullptr ? address : "?";
}

}  // namespace

CloneServer::CloneServer(zmq::context_t& context, CloneServerOptions options, const AggregateTable* table)
    : options_(std::move(options)),
      table_(table),
      publisher_(context, zmq::socket_type::xpub),
      snapshot_(context, zmq::socket_type::router),
      subscribers_(context, publisher_, "subscriber"),
      requesters_(context, snapshot_, "snapshot requester"),
      metrics_(*options_.metrics) {}

CloneServer::~CloneServer() = default;

Status CloneServer::Start() {
  // Both sockets face peers: small messages only, few of them queued per peer.
  LinkOptions peer_link = options_.link;
  peer_link.max_message_bytes = options_.bounds.max_message_bytes;
  peer_link.receive_hwm = kPeerReceiveHwm;
  LinkOptions snapshot_link = peer_link;
  snapshot_link.send_hwm = static_cast<int>(std::max<int64_t>(1, options_.bounds.snapshot_queue_bytes / kMaxReplyBytes));
  try {
    ConfigureSocket(publisher_, peer_link);
    publisher_.set(zmq::sockopt::rcvbuf, kPeerReceiveBufferBytes);
    // Every (un)subscription reaches ReadSubscriptions, with its connection's metadata. libzmq
    // applies them itself: XPUB_MANUAL would let the owner choose, but 4.3.4 then may apply one
    // to a connection already gone, a use after free (fixed upstream in 4.3.5, 2df7ab6a).
    publisher_.set(zmq::sockopt::xpub_verboser, 1);
    ConfigureRouter(snapshot_, snapshot_link);
    snapshot_.set(zmq::sockopt::rcvbuf, kPeerReceiveBufferBytes);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format("cannot configure the feed sockets: {}", e.what()));
  }
  // What a peer may send, in bytes: what its subscriptions or requests may add up to (a flood
  // is cut off within milliseconds, before libzmq holds much of it), plus its handshake.
  const PeerBounds& bounds = options_.bounds;
  PeerConnections::Limits subscriber_limits;
  subscriber_limits.inbound_burst_bytes = bounds.max_subscriptions * bounds.max_message_bytes + kHandshakeBytes;
  subscriber_limits.inbound_bytes_per_second = bounds.max_message_bytes;
  subscriber_limits.stall_timeout_ms = bounds.stall_timeout_ms;
  PeerConnections::Limits requester_limits = subscriber_limits;
  requester_limits.inbound_burst_bytes = bounds.snapshot_requests_per_second * bounds.max_message_bytes + kHandshakeBytes;
  requester_limits.inbound_bytes_per_second = bounds.snapshot_requests_per_second * bounds.max_message_bytes;
  TONGHOP_RETURN_IF_ERROR(subscribers_.Start(
      subscriber_limits, "--max_subscriptions_per_peer, --max_peer_message_bytes, --peer_stall_timeout_ms"));
  TONGHOP_RETURN_IF_ERROR(requesters_.Start(
      requester_limits, "--snapshot_requests_per_second, --max_peer_message_bytes, --peer_stall_timeout_ms"));
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
  next_housekeeping_ms_ = MonotonicMs() + kHousekeepingIntervalMs;
  started_ = true;
  return Status::OK();
}

std::string CloneServer::bound_publish_endpoint() const { return LastEndpoint(publisher_); }
std::string CloneServer::bound_snapshot_endpoint() const { return LastEndpoint(snapshot_); }

void CloneServer::set_stream_id(uint64_t stream_id) {
  if (stream_id_ != 0 && stream_id != stream_id_ && !transfers_.empty()) {
    spdlog::debug("stream {:016x} replaced {:016x}: {} snapshot transfers dropped", stream_id, stream_id_,
                  transfers_.size());
    transfers_.clear();
  }
  const bool changed = stream_id != 0 && stream_id != stream_id_;
  stream_id_ = stream_id;
  // At once, not at the next interval: until a replica hears it, versions of the new stream whose
  // chains it cannot fault (keys it does not hold, seqs below its own) go on under the old
  // stream's name. Ahead of every version of the new stream on the PUB socket, it is the boundary
  // between the two.
  if (changed && started_) PublishHeartbeat();
}

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
  metrics_.published.Increment();
}

void CloneServer::PublishHeartbeat() {
  Heartbeat heartbeat;
  heartbeat.set_sent_at_ms(NowMs());
  heartbeat.set_seq(CompleteSeq());
  heartbeat.set_stream_id(stream_id_);
  heartbeat.set_upstream_unreachable(upstream_unreachable_);
  SendTopic(kHeartbeatTopic, heartbeat.SerializeAsString());
  last_heartbeat_ms_ = MonotonicMs();
  metrics_.heartbeats.Increment();
}

void CloneServer::ForgetClosedConnections() {
  bool left = false;
  for (int fd : subscribers_.TakeClosed()) {
    subscriptions_.erase(fd);
    left = true;
  }
  left = !requesters_.TakeClosed().empty() || left;
  if (left && trim_due_ms_ == 0) trim_due_ms_ = MonotonicMs() + kTrimDelayMs;
}

void CloneServer::ReadSubscriptions() {
  ForgetClosedConnections();
  RecheckUnconfirmed();
  for (int read = 0; read < kMaxSubscriptionMessagesPerRead; ++read) {
    zmq::message_t message;
    try {
      if (!publisher_.recv(message, zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      spdlog::warn("reading subscriptions failed: {}", e.what());
      return;
    }
    const int fd = PeerConnections::SourceFd(message);
    // No connection: libzmq's own unsubscriptions for a peer that left, or an in-process peer.
    if (fd < 0) continue;
    if (subscribers_.IsOpen(fd)) {
      CountSubscription(fd, message);
    } else if (unconfirmed_.size() < kMaxUnconfirmedSubscriptions) {
      unconfirmed_.push_back({fd, MonotonicMs(), std::move(message)});
    }
  }
}

void CloneServer::RecheckUnconfirmed() {
  const int64_t now = MonotonicMs();
  std::deque<UnconfirmedSubscription> still;
  for (UnconfirmedSubscription& waiting : unconfirmed_) {
    if (subscribers_.IsOpen(waiting.fd)) {
      CountSubscription(waiting.fd, waiting.message);
    } else if (now - waiting.received_ms < kUnconfirmedHoldMs) {
      still.push_back(std::move(waiting));
    }
    // Else a connection closed already: what it sent before it left, which must not be counted
    // against the next connection to get its descriptor number.
  }
  unconfirmed_ = std::move(still);
}

void CloneServer::CountSubscription(int fd, const zmq::message_t& message) {
  Subscriber& subscriber = subscriptions_[fd];
  const auto* bytes = static_cast<const char*>(message.data());
  const bool is_subscription = message.size() > 0 && (bytes[0] == 0 || bytes[0] == 1);
  std::string topic = is_subscription ? std::string(bytes + 1, message.size() - 1) : "";
  if (is_subscription && bytes[0] == 0) {
    subscriber.topics.erase(topic);
    return;
  }
  if (is_subscription && (subscriber.topics.count(topic) > 0 ||
                          subscriber.topics.size() < static_cast<size_t>(options_.bounds.max_subscriptions))) {
    subscriber.topics.insert(std::move(topic));
    return;
  }
  // Too many subscriptions, or something a SUB never sends: libzmq holds every subscription a
  // connection sends until it closes, so it must close.
  const int64_t now = MonotonicMs();
  if (subscriber.cut_off_ms != 0 && now - subscriber.cut_off_ms < kCutOffAgainAfterMs) return;
  subscriber.cut_off_ms = now;
  if (!subscribers_.CutOff(fd)) return;  // it closed meanwhile
  metrics_.subscriptions_bound.Increment();
  if (subscriptions_log_.Allow()) {
    spdlog::warn("cut off the subscriber at {}: {} ({} more not logged)", PeerAddress(message),
                 is_subscription ? fmt::format("more than {} subscriptions (--max_subscriptions_per_peer)",
                                               options_.bounds.max_subscriptions)
                                 : fmt::format("it sent a {}-byte message that is no subscription", message.size()),
                 subscriptions_log_.suppressed());
  }
}

bool CloneServer::AllowRequest(const std::string& identity) {
  const double rate = options_.bounds.snapshot_requests_per_second;
  const int64_t now = MonotonicMs();
  auto [it, added] = request_budgets_.try_emplace(identity, RequestBudget{rate, now});
  RequestBudget& budget = it->second;
  budget.tokens = std::min(rate, budget.tokens + static_cast<double>(now - budget.refilled_ms) * rate / 1'000.0);
  budget.refilled_ms = now;
  if (budget.tokens < 1) return false;
  budget.tokens -= 1;
  return true;
}

void CloneServer::ServeSnapshots() {
  for (int served = 0; served < kMaxRequestsPerServe; ++served) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(snapshot_, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
    } catch (const zmq::error_t& e) {
      spdlog::warn("reading a snapshot request failed: {}", e.what());
      break;
    }
    // A ROUTER puts the requester's routing id first; requests over its budget, malformed or not,
    // cost nothing more.
    const std::string identity = frames.empty() ? "" : frames[0].to_string();
    if (!AllowRequest(identity)) {
      metrics_.request_rate_bound.Increment();
      if (requests_log_.Allow()) {
        spdlog::warn("dropped a snapshot request from {}: more than {} a second (--snapshot_requests_per_second; {} "
                     "more drops not logged)",
                     frames.size() > 1 ? PeerAddress(frames[1]) : "?", options_.bounds.snapshot_requests_per_second,
                     requests_log_.suppressed());
      }
      continue;
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
    const bool busy = std::any_of(transfers_.begin(), transfers_.end(),
                                  [&](const Transfer& t) { return t.identity == identity; });
    if (busy || transfers_.size() >= static_cast<size_t>(options_.bounds.max_snapshot_transfers)) {
      metrics_.transfers_bound.Increment();
      if (requests_log_.Allow()) {
        spdlog::warn("dropped a snapshot request from {}: {} ({} more drops not logged)", PeerAddress(frames[1]),
                     busy ? "its previous snapshot is still being sent"
                          : fmt::format("{} snapshots are being sent (--max_snapshot_transfers)", transfers_.size()),
                     requests_log_.suppressed());
      }
      continue;
    }
    StartTransfer(frames[0], request);
  }
  SendTransfers();
}

void CloneServer::StartTransfer(const zmq::message_t& identity, const SnapshotRequest& request) {
  Transfer transfer;
  transfer.identity = identity.to_string();
  transfer.filter = request.filter();
  transfer.since_seq = request.since_seq();
  // The seq is read before any entry: the transfer never claims more than it shows.
  transfer.seq = CompleteSeq();
  transfer.stream_id = stream_id_;
  transfers_.push_back(std::move(transfer));
}

void CloneServer::MakeChunk(Transfer& transfer) const {
  // Versions and deletions hold disjoint keys; both are walked in key order as one sequence. A
  // full snapshot leaves deletions out: a replica that starts empty has nothing to delete.
  const auto& entries = table_->entries();
  const auto& deletions = table_->deletions();
  auto it = transfer.sent_up_to ? entries.upper_bound(*transfer.sent_up_to) : entries.begin();
  auto deleted = transfer.since_seq == 0 ? deletions.end()
                 : transfer.sent_up_to   ? deletions.upper_bound(*transfer.sent_up_to)
                                         : deletions.begin();
  SnapshotReply reply;
  int64_t bytes = 0;
  while (it != entries.end() || deleted != deletions.end()) {
    auto& next = deleted == deletions.end() || (it != entries.end() && it->first < deleted->first) ? it : deleted;
    const AggregateUpdate& update = next->second;
    if (update.seq() <= transfer.since_seq || !FilterMatches(transfer.filter, update)) {
      ++next;
      continue;
    }
    const int64_t size = static_cast<int64_t>(update.ByteSizeLong()) + 4;  // with its tag and length
    if (reply.aggregates_size() > 0 &&
        (reply.aggregates_size() == kMaxAggregatesPerReply || bytes + size > kMaxReplyBytes)) {
      break;
    }
    *reply.add_aggregates() = update;
    bytes += size;
    transfer.chunk_up_to = next->first;
    ++next;
  }
  transfer.chunk_is_last = it == entries.end() && deleted == deletions.end();
  if (transfer.chunk_is_last) {
    reply.set_last(true);
    reply.set_seq(transfer.seq);
    reply.set_stream_id(transfer.stream_id);
  }
  transfer.chunk = reply.SerializeAsString();
}

CloneServer::Progress CloneServer::Advance(Transfer& transfer, int* budget) {
  // The table the transfer began on is gone (a relay started over from its upstream).
  if (transfer.stream_id != stream_id_ || CompleteSeq() < transfer.seq) return Progress::kGone;
  while (*budget > 0) {
    if (transfer.chunk.empty()) MakeChunk(transfer);
    try {
      // Never blocks: fails with EAGAIN when the requester's queue is full, EHOSTUNREACH when it
      // is gone (ZMQ_ROUTER_MANDATORY).
      if (!snapshot_.send(zmq::buffer(transfer.identity), zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return Progress::kWaiting;
      }
      // The queue had room for the first frame, so it has for the last.
      if (!snapshot_.send(zmq::buffer(transfer.chunk), zmq::send_flags::dontwait)) return Progress::kGone;
    } catch (const zmq::error_t&) {
      return Progress::kGone;
    }
    --*budget;
    transfer.sent_up_to = transfer.chunk_up_to;
    transfer.chunk.clear();
    if (transfer.chunk_is_last) return Progress::kDone;
  }
  return Progress::kMore;
}

void CloneServer::SendTransfers() {
  transfers_waiting_ = false;
  transfers_more_ = false;
  int budget = kMaxRepliesPerTurn;
  // Round robin: this turn starts where the last one stopped.
  for (size_t n = transfers_.size(); n > 0; --n) {
    Transfer transfer = std::move(transfers_.front());
    transfers_.pop_front();
    const Progress progress = budget > 0 ? Advance(transfer, &budget) : Progress::kMore;
    if (progress == Progress::kDone) {
      metrics_.snapshots_served.Increment();
      spdlog::debug("snapshot '{}' since {} sent up to seq {}", transfer.filter, transfer.since_seq, transfer.seq);
    } else if (progress == Progress::kGone) {
      metrics_.snapshots_abandoned.Increment();
      spdlog::debug("snapshot '{}' since {} abandoned: the requester left, or the table was replaced",
                    transfer.filter, transfer.since_seq);
    } else {
      transfers_waiting_ = transfers_waiting_ || progress == Progress::kWaiting;
      transfers_more_ = transfers_more_ || progress == Progress::kMore;
      transfers_.push_back(std::move(transfer));
    }
  }
}

void CloneServer::AnswerMalformed(const zmq::message_t* identity, const std::string& why) {
  metrics_.bad_requests.Increment();
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

void CloneServer::Tick() {
  metrics_.seq.Set(static_cast<double>(CompleteSeq()));
  metrics_.subscribers.Set(static_cast<double>(subscribers_.size()));
  const uint64_t cut_offs = subscribers_.cut_offs() + requesters_.cut_offs();
  metrics_.peers_cut_off.Increment(static_cast<double>(cut_offs - cut_offs_counted_));
  cut_offs_counted_ = cut_offs;
  ReadSubscriptions();
  SendTransfers();
  const int64_t now = MonotonicMs();
  if (now >= next_housekeeping_ms_) {
    next_housekeeping_ms_ = now + kHousekeepingIntervalMs;
    const double rate = options_.bounds.snapshot_requests_per_second;
    std::erase_if(request_budgets_, [&](const auto& entry) {
      const RequestBudget& budget = entry.second;
      return budget.tokens + static_cast<double>(now - budget.refilled_ms) * rate / 1'000.0 >= rate;
    });
  }
  if (trim_due_ms_ != 0 && now >= trim_due_ms_) {
    // glibc keeps freed memory for reuse; what a departed peer cost goes back to the system.
    malloc_trim(0);
    trim_due_ms_ = 0;
  }
  // Every interval, however busy the feed, as the Clone pattern's HUGZ: a replica that missed a
  // version no later one of its aggregate betrays, or the heartbeat of a change of stream, hears
  // of it within an interval, not at the next pause that a busy province may never make.
  if (stream_id_ != 0 && now - last_heartbeat_ms_ >= options_.heartbeat_interval_ms) PublishHeartbeat();
}

int CloneServer::MillisUntilDue() const {
  if (transfers_more_) return 0;
  const int64_t now = MonotonicMs();
  int64_t due = next_housekeeping_ms_;
  if (stream_id_ != 0) due = std::min(due, last_heartbeat_ms_ + options_.heartbeat_interval_ms);
  if (transfers_waiting_) due = std::min(due, now + kBlockedRetryMs);
  if (trim_due_ms_ != 0) due = std::min(due, trim_due_ms_);
  if (!unconfirmed_.empty()) due = std::min(due, now + kUnconfirmedRetryMs);
  return static_cast<int>(std::clamp<int64_t>(due - now, 0, kHousekeepingIntervalMs));
}

}  // namespace tonghop
