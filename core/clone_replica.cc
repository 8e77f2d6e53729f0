#include "core/clone_replica.h"

#include <algorithm>
#include <cerrno>
#include <chrono>

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

// Messages read from one socket per Process call, so that a fast feed cannot keep the owner from
// its timers and other sockets.
constexpr int kMaxMessagesPerProcess = 10'000;

}  // namespace

CloneReplica::CloneReplica(zmq::context_t& context, CloneReplicaOptions options)
    : options_(std::move(options)), context_(context) {
  servers_.push_back({options_.publish_endpoint, options_.snapshot_endpoint});
  servers_.insert(servers_.end(), options_.other_servers.begin(), options_.other_servers.end());
}

Status CloneReplica::Start() {
  if (std::string why = ValidateFilter(options_.filter); !why.empty()) {
    return Status::InvalidArgument(why);
  }
  try {
    ConnectStream();
    ConnectSnapshot();
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format("cannot connect to the feed at {} and {}: {}",
                                               server().publish_endpoint, server().snapshot_endpoint,
                                               e.what()));
  }
  last_heard_ms_ = MonotonicMs();
  last_received_ms_ = last_heard_ms_;
  // The Clone pattern's order: subscribed first, so that nothing published after the snapshot
  // is missed once the subscription is in place (the rest is caught by the gap rules).
  RequestSnapshot(0);
  return Status::OK();
}

void CloneReplica::ConnectStream() {
  subscriber_ = zmq::socket_t(context_, zmq::socket_type::sub);
  ConfigureSocket(subscriber_, options_.link);
  if (Status s = stream_handshakes_.Watch(context_, subscriber_); !s.ok()) spdlog::warn("{}", s.message());
  // Every version goes out under both families; "i/" alone takes each exactly once.
  subscriber_.set(zmq::sockopt::subscribe,
                  options_.filter.empty() ? std::string(kIndicatorTopicFamily) : options_.filter);
  subscriber_.set(zmq::sockopt::subscribe, kHeartbeatTopic);
  subscriber_.connect(server().publish_endpoint);
}

void CloneReplica::ConnectSnapshot() {
  snapshot_ = zmq::socket_t(context_, zmq::socket_type::dealer);
  ConfigureSocket(snapshot_, options_.link);
  if (Status s = snapshot_handshakes_.Watch(context_, snapshot_); !s.ok()) spdlog::warn("{}", s.message());
  snapshot_.connect(server().snapshot_endpoint);
}

void CloneReplica::RequestSnapshot(uint64_t since_seq) {
  SnapshotRequest request;
  request.set_filter(options_.filter);
  request.set_since_seq(since_seq);
  snapshot_outstanding_ = true;
  snapshot_since_seq_ = since_seq;
  snapshot_requested_ms_ = MonotonicMs();
  snapshot_aggregates_.clear();
  // A DEALER queues the request until it is connected; if even that fails, the snapshot timeout
  // asks again.
  Status s = SendProto(snapshot_, request);
  if (!s.ok()) spdlog::debug("snapshot request to {} not sent: {}", server().snapshot_endpoint, s.message());
}

std::vector<zmq::pollitem_t> CloneReplica::PollItems() {
  return {{subscriber_.handle(), 0, ZMQ_POLLIN, 0}, {snapshot_.handle(), 0, ZMQ_POLLIN, 0}};
}

void CloneReplica::Process(const ChangeCallback& on_change) {
  try {
    ReadStream(on_change);
    ReadSnapshots(on_change);
    CheckTimers();
    if (catch_up_needed_ && !snapshot_outstanding_) {
      catch_up_needed_ = false;
      ++resyncs_;
      RequestSnapshot(verified_seq_);
    }
  } catch (const zmq::error_t& e) {
    // Only a terminating context or a broken socket gets here; the timers retry.
    spdlog::warn("clone replica of {}: {}", server().publish_endpoint, e.what());
  }
}

void CloneReplica::ReadStream(const ChangeCallback& on_change) {
  std::vector<zmq::message_t> frames;
  for (int i = 0; i < kMaxMessagesPerProcess; ++i) {
    frames.clear();
    if (!zmq::recv_multipart(subscriber_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    bool parsed = false;
    if (frames.size() == 2 && frames[0].to_string_view() == kHeartbeatTopic) {
      Heartbeat heartbeat;
      if ((parsed = ParseProto(frames[1], &heartbeat))) OnHeartbeat(heartbeat);
    } else if (frames.size() == 2) {
      AggregateUpdate update;
      if ((parsed = ParseProto(frames[1], &update))) OnUpdate(update, on_change);
    }
    if (parsed) {
      last_heard_ms_ = MonotonicMs();
      last_received_ms_ = last_heard_ms_;
      refusals_ = 0;
      if (silent_since_ms_ != 0) {
        spdlog::info("{} is heard again after {} s of silence; resynchronising", server().publish_endpoint,
                     (last_heard_ms_ - silent_since_ms_ + options_.server_timeout_ms) / 1000);
        silent_since_ms_ = 0;
      }
    } else if (bad_message_log_.Allow()) {
      spdlog::warn("ignored a malformed feed message from {} ({} frames; {} more not logged)",
                   server().publish_endpoint, frames.size(), bad_message_log_.suppressed());
    }
  }
}

void CloneReplica::OnUpdate(const AggregateUpdate& update, const ChangeCallback& on_change) {
  // Before the first snapshot nothing says which stream a version is of: only heartbeats name the
  // stream, and the endpoint may have served another database a moment ago (one restored from a
  // backup numbers its seqs lower). The snapshot brings the state; versions published after it
  // come again through the gap checks and the heartbeat's catch-up.
  if (!has_snapshot_) return;
  const uint64_t held_seq = table_.SeqOf(update.indicator(), update.period());
  if (held_seq >= update.seq()) return;  // already have it, from a snapshot or a republish
  if (CanDetectGaps() && update.prev_seq() != held_seq) {
    if (gap_log_.Allow()) {
      spdlog::info("missed an update of {}/{} from {}: hold seq {}, seq {} follows seq {}; catching "
                   "up since seq {} ({} more gaps not logged)",
                   update.indicator(), update.period(), server().publish_endpoint, held_seq,
                   update.seq(), update.prev_seq(), verified_seq_, gap_log_.suppressed());
    }
    catch_up_needed_ = true;
  } else if (update.seq() == verified_seq_ + 1) {
    // No other version can lie between: seqs are unique over the whole stream.
    verified_seq_ = update.seq();
  }
  if (table_.Apply(update) && on_change) on_change(update);
}

void CloneReplica::OnHeartbeat(const Heartbeat& heartbeat) {
  source_unreachable_ = heartbeat.upstream_unreachable();
  if (!CanDetectGaps()) return;
  if (heartbeat.stream_id() != stream_id_) {
    spdlog::info("feed {} now carries stream {:016x} instead of {:016x}: dropping {} aggregates and "
                 "taking a full snapshot",
                 server().publish_endpoint, heartbeat.stream_id(), stream_id_, table_.size());
    StartOver(heartbeat.stream_id());
  } else if (heartbeat.seq() > verified_seq_ && !catch_up_needed_) {
    spdlog::debug("heartbeat at seq {}, verified up to {}: catching up", heartbeat.seq(), verified_seq_);
    catch_up_needed_ = true;
  }
}

void CloneReplica::StartOver(uint64_t stream_id) {
  ForgetStream(stream_id);
  catch_up_needed_ = false;
  ++resyncs_;
  ConnectSnapshot();
  RequestSnapshot(0);
}

void CloneReplica::ForgetStream(uint64_t stream_id) {
  table_.Clear();
  stream_id_ = stream_id;
  verified_seq_ = 0;
  // A fresh SUB socket: versions of the old stream may still be queued on this one, and their
  // higher seqs would outrank the new snapshot's for good. What the new stream published
  // meanwhile comes again through the heartbeat's catch-up.
  ConnectStream();
}

void CloneReplica::ReadSnapshots(const ChangeCallback& on_change) {
  for (int i = 0; i < kMaxMessagesPerProcess; ++i) {
    std::vector<zmq::message_t> frames;
    if (!zmq::recv_multipart(snapshot_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    SnapshotReply reply;
    if (frames.size() != 1 || !ParseProto(frames[0], &reply)) {
      // A lost chunk would make the snapshot incomplete without anyone noticing: start it again.
      if (bad_message_log_.Allow()) {
        spdlog::warn("malformed snapshot reply from {} ({} frames); asking again ({} more not logged)",
                     server().snapshot_endpoint, frames.size(), bad_message_log_.suppressed());
      }
      if (snapshot_outstanding_) {
        ConnectSnapshot();
        RequestSnapshot(snapshot_since_seq_);
      }
      return;
    }
    last_received_ms_ = MonotonicMs();
    if (!snapshot_outstanding_) {
      spdlog::debug("ignored a snapshot reply from {} that no request is waiting for",
                    server().snapshot_endpoint);
      continue;
    }
    for (auto& aggregate : *reply.mutable_aggregates()) snapshot_aggregates_.push_back(std::move(aggregate));
    if (reply.last()) OnLastReply(reply, on_change);
  }
}

void CloneReplica::OnLastReply(const SnapshotReply& reply, const ChangeCallback& on_change) {
  const bool full = snapshot_since_seq_ == 0;
  if (has_snapshot_ && reply.stream_id() != stream_id_) {
    spdlog::info("snapshot from {} is of stream {:016x}, not {:016x}: dropping {} aggregates{}",
                 server().snapshot_endpoint, reply.stream_id(), stream_id_, table_.size(),
                 full ? "" : " and taking a full snapshot");
    if (!full) {
      // A catch-up from another stream says nothing about what this table lacks.
      StartOver(reply.stream_id());
      return;
    }
    ForgetStream(reply.stream_id());
  }
  // Set before the callbacks run, so that a relay republishes under the right stream.
  stream_id_ = reply.stream_id();
  snapshot_outstanding_ = false;
  has_snapshot_ = true;
  size_t stored = 0;
  for (const AggregateUpdate& aggregate : snapshot_aggregates_) {
    // A server answers with the filter's entries only; checked again so that a wrong one cannot
    // put foreign entries into this table.
    if (!FilterMatches(options_.filter, aggregate) || !table_.Apply(aggregate)) continue;
    ++stored;
    if (on_change) on_change(aggregate);
  }
  spdlog::debug("{} snapshot since {} from {}: {} aggregates, {} newer than held; seq {}",
                full ? "full" : "catch-up", snapshot_since_seq_, server().snapshot_endpoint,
                snapshot_aggregates_.size(), stored, reply.seq());
  snapshot_aggregates_.clear();
  verified_seq_ = std::max(verified_seq_, reply.seq());
}

void CloneReplica::Reconnect() {
  ConnectStream();
  ConnectSnapshot();
  if (snapshot_outstanding_) {
    RequestSnapshot(snapshot_since_seq_ == 0 ? 0 : verified_seq_);
  } else {
    // Whatever was published while the link was down is above verified_seq.
    catch_up_needed_ = true;
  }
}

void CloneReplica::MoveToNextServer(bool outage_starts) {
  const size_t from = server_index_;
  server_index_ = (server_index_ + 1) % servers_.size();
  ++switches_;
  // Round the list every server_timeout_ms while all are silent: only the first move is news.
  spdlog::log(outage_starts ? spdlog::level::info : spdlog::level::debug,
              "following {} (server {} of {}) instead of the silent {}; a different stream there means a full "
              "snapshot", server().publish_endpoint, server_index_ + 1, servers_.size(),
              servers_[from].publish_endpoint);
}

void CloneReplica::CheckTimers() {
  const int64_t now = MonotonicMs();
  std::string why;
  const bool stream_refused = stream_handshakes_.TakeRefusal(&why);
  if ((snapshot_handshakes_.TakeRefusal(&why) || stream_refused) && reconnect_at_ms_ == 0) {
    ++refusals_;
    reconnect_at_ms_ = now + RetryDelayMs(refusals_);
    if (refusal_log_.Allow()) {
      spdlog::warn("{}; trying again every {} s or sooner (register this node's public key in the server's key "
                   "registry, then SIGHUP the server)", why, RetryDelayMs(refusals_) / 1000.0);
    }
  }
  if (reconnect_at_ms_ != 0) {
    if (now < reconnect_at_ms_) return;
    // libzmq never retries a refused handshake on the same socket: new ones start afresh.
    reconnect_at_ms_ = 0;
    last_heard_ms_ = now;
    Reconnect();
    return;
  }
  if (now - last_heard_ms_ >= options_.server_timeout_ms) {
    // Once per outage: reconnecting goes on every server_timeout_ms until a server answers.
    const bool outage_starts = silent_since_ms_ == 0;
    if (outage_starts) {
      silent_since_ms_ = now;
      spdlog::warn("nothing from {} for {} ms; {}", server().publish_endpoint, now - last_heard_ms_,
                   servers_.size() > 1
                       ? fmt::format("trying the next server of the list every {} ms until one answers",
                                     options_.server_timeout_ms)
                       : fmt::format("reconnecting every {} ms until it answers", options_.server_timeout_ms));
    }
    last_heard_ms_ = now;
    if (servers_.size() > 1) MoveToNextServer(outage_starts);
    Reconnect();
  } else if (snapshot_outstanding_ && now - snapshot_requested_ms_ >= options_.snapshot_timeout_ms) {
    // A warning only when the server is heard and yet does not answer. One not heard of since
    // the request is down, and the silence timer logs that once, as an outage.
    const bool server_heard = silent_since_ms_ == 0 && last_received_ms_ > snapshot_requested_ms_;
    const auto level = server_heard ? spdlog::level::warn : spdlog::level::debug;
    spdlog::log(level, "no snapshot from {} within {} ms; asking again", server().snapshot_endpoint,
                options_.snapshot_timeout_ms);
    ConnectSnapshot();
    RequestSnapshot(snapshot_since_seq_ == 0 ? 0 : verified_seq_);
  }
}

Status CloneReplica::WaitUntilSynced(int timeout_ms, const ChangeCallback& on_change) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (!synced()) {
    const int64_t left = deadline - MonotonicMs();
    if (left <= 0) {
      return Status::Unavailable(fmt::format(
          "no complete snapshot from {} within {} ms: is the server running and reachable there?",
          server().snapshot_endpoint, timeout_ms));
    }
    auto items = PollItems();
    try {
      // Short polls: the snapshot and server timers need Process() even when nothing arrives.
      zmq::poll(items, std::chrono::milliseconds(std::min<int64_t>(left, 50)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::IOError(fmt::format("poll failed: {}", e.what()));
    }
    Process(on_change);
  }
  return Status::OK();
}

bool CloneReplica::synced() const {
  return has_snapshot_ && stream_id_ != 0 && !snapshot_outstanding_ && !catch_up_needed_;
}

}  // namespace tonghop
