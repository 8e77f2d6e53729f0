#include "collector/sender.h"

#include <algorithm>
#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

constexpr size_t kRejectionsLoggedPerReply = 5;

// UNAUTHORIZED is handled as UNAVAILABLE: the figures wait until the unit's key is registered.
bool IsRefusedForNow(RejectReason reason) {
  return reason == tonghop::v1::REJECT_REASON_UNAVAILABLE || reason == tonghop::v1::REJECT_REASON_UNAUTHORIZED;
}

bool IsFinal(RejectReason reason) {
  return reason != tonghop::v1::REJECT_REASON_OUT_OF_SEQUENCE && !IsRefusedForNow(reason);
}

}  // namespace

Status CheckAggregatorEndpoints(const std::vector<std::string>& endpoints, std::string_view flag) {
  if (endpoints.empty()) {
    return Status::InvalidArgument(fmt::format("{} is required: the ingest endpoint of the aggregator, or one for each "
                                               "of a pair (tcp://host:5550)", flag));
  }
  for (size_t i = 0; i < endpoints.size(); ++i) {
    if (std::find(endpoints.begin(), endpoints.begin() + i, endpoints[i]) != endpoints.begin() + i) {
      return Status::InvalidArgument(fmt::format("{} {} is given twice: each aggregator once", flag, endpoints[i]));
    }
  }
  return Status::OK();
}

Sender::Sender(zmq::context_t& context, SenderOptions options, Outbox* outbox,
               const RejectionFile* rejections)
    : options_(std::move(options)),
      context_(context),
      outbox_(outbox),
      rejections_(rejections),
      metrics_(*options_.metrics, options_.reporting_unit, options_.aggregator_endpoint) {}

Status Sender::Connect() {
  try {
    dealer_ = zmq::socket_t(context_, zmq::socket_type::dealer);
    ConfigureSocket(dealer_, options_.link);  // sends never wait; POLLOUT says when to retry
    dealer_.set(zmq::sockopt::immediate, 1);
    TONGHOP_RETURN_IF_ERROR(handshakes_.Watch(context_, dealer_));
    dealer_.connect(options_.aggregator_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(fmt::format(
        "cannot connect to --aggregator_endpoint {}: {}; give an address like tcp://host:5550",
        options_.aggregator_endpoint, e.what()));
  }
  return Status::OK();
}

Status Sender::Start() {
  TONGHOP_RETURN_IF_ERROR(Connect());
  connected_at_ms_ = MonotonicMs();
  highest_settled_ = outbox_->settled_seq(options_.aggregator_index);
  cursor_ = outbox_->FirstUnsettledSeq(options_.aggregator_index);
  // An aggregator behind the others (they settled more since it was last heard) starts in the
  // retained part.
  const uint64_t first_pending = outbox_->FirstPendingSeq();
  resend_until_ = cursor_ < first_pending ? first_pending : 0;
  const int64_t now = MonotonicMs();
  last_heard_ms_ = now;  // measure unreachability from the start
  last_send_ms_ = now - options_.heartbeat_interval_ms;  // say hello at once
  return Status::OK();
}

zmq::pollitem_t Sender::PollItem() {
  short events = ZMQ_POLLIN | (want_pollout_ ? ZMQ_POLLOUT : 0);
  return {dealer_.handle(), 0, events, 0};
}

void Sender::Process() {
  const int64_t now = MonotonicMs();
  if (RetryRefusedHandshake(now)) return;
  ReadReplies(now);
  UpdateReachability(now);
  ReconnectAfterSilence(now);
  CheckAckTimeout(now);
  Pump(now);
  if (now - last_send_ms_ >= options_.heartbeat_interval_ms) SendHeartbeat(now);
}

bool Sender::RetryRefusedHandshake(int64_t now) {
  std::string why;
  if (handshakes_.TakeRefusal(&why) && reconnect_at_ms_ == 0) {
    ++refusals_;
    metrics_.handshakes_refused.Increment();
    reconnect_at_ms_ = now + RetryDelayMs(refusals_);
    if (refusal_log_.Allow()) {
      spdlog::warn("{}; figures stay in the outbox, trying again every {} s or sooner (register this sender's "
                   "public key in the aggregator's key registry, as role collector for its unit, or office for "
                   "tonghop import with the office's key, then SIGHUP it)",
                   why, RetryDelayMs(refusals_) / 1000.0);
    }
  }
  if (reconnect_at_ms_ == 0) return false;
  if (now < reconnect_at_ms_) return true;
  reconnect_at_ms_ = 0;
  // libzmq never retries a refused handshake on the same socket: a new one starts afresh.
  Reconnect(now);
  return false;
}

void Sender::Reconnect(int64_t now) {
  if (Status s = Connect(); !s.ok()) spdlog::error("reconnecting to the aggregator: {}", s.message());
  connected_at_ms_ = now;
  // What was in flight on the old connection is lost with it.
  if (!in_flight_.empty()) Rewind(LowestUnsettled());
  last_send_ms_ = now - options_.heartbeat_interval_ms;  // say hello on the new connection at once
}

void Sender::ReconnectAfterSilence(int64_t now) {
  // With ZMTP heartbeats off (core/transport.h), a connection whose link was cut, or that a proxy
  // stopped forwarding, stays open as far as libzmq knows until TCP keepalive gives up on it, a
  // minute later. Heartbeats unanswered for as long as it takes to call the aggregator
  // unreachable mean a new connection, and another one each such interval while it stays silent.
  const int64_t silence = kSilentIntervals * int64_t{options_.heartbeat_interval_ms};
  if (now - last_heard_ms_ >= silence && now - connected_at_ms_ >= silence) Reconnect(now);
}

int Sender::MillisUntilDue() const {
  const int64_t now = MonotonicMs();
  if (reconnect_at_ms_ != 0) return static_cast<int>(std::clamp<int64_t>(reconnect_at_ms_ - now, 0, options_.heartbeat_interval_ms));
  int64_t due = last_send_ms_ + options_.heartbeat_interval_ms;
  if (!in_flight_.empty()) due = std::min(due, in_flight_.begin()->second.sent_ms + options_.ack_timeout_ms);
  if (paused_until_ms_ > now) due = std::min(due, paused_until_ms_);
  if (reachability_ != Reachability::kUnreachable) {
    due = std::min(due, last_heard_ms_ + kSilentIntervals * int64_t{options_.heartbeat_interval_ms});
  }
  return static_cast<int>(std::clamp<int64_t>(due - now, 0, options_.heartbeat_interval_ms));
}

void Sender::ReadReplies(int64_t now) {
  try {
    while (true) {
      zmq::message_t frame;
      if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) return;
      // The envelope is the last frame; anything in front of it (a delimiter) is skipped.
      while (frame.more()) {
        if (!dealer_.recv(frame, zmq::recv_flags::dontwait)) return;
      }
      last_heard_ms_ = now;
      heard_once_ = true;
      refusals_ = 0;
      tonghop::v1::AggregatorMessage message;
      if (!ParseProto(frame, &message)) {
        if (protocol_log_.Allow()) {
          spdlog::warn("ignoring a malformed message ({} bytes) from the aggregator at {} ({} more "
                       "held back)", frame.size(), options_.aggregator_endpoint, protocol_log_.suppressed());
        }
        continue;
      }
      if (message.has_heartbeat()) {
        const tonghop::v1::Heartbeat& heartbeat = message.heartbeat();
        aggregator_storage_error_ = heartbeat.storage_error();
        sender_key_ = heartbeat.sender_key();
        FollowCatalog(heartbeat.catalog_version(), now);
        if (heartbeat.resend_from_seq() != 0 && heartbeat.outbox_id() == outbox_->id()) {
          HandleResendRequest(heartbeat.resend_from_seq());
        }
      }
      if (message.has_replies()) {
        FollowCatalog(message.replies().catalog_version(), now);
        HandleReplies(message.replies(), now);
      }
      if (message.has_catalog()) TakeCatalog(message.catalog());
    }
  } catch (const zmq::error_t& e) {
    spdlog::warn("receiving from the aggregator failed: {}", e.what());
  }
}

void Sender::HandleReplies(const tonghop::v1::UpdateReplies& replies, int64_t now) {
  if (replies.outbox_id() != outbox_->id()) {
    if (protocol_log_.Allow()) {
      spdlog::warn("ignoring replies for outbox {:016x}; this collector's outbox is {:016x}",
                   replies.outbox_id(), outbox_->id());
    }
    return;
  }
  auto answers_rewind = [&](uint64_t seq) {
    auto it = in_flight_.find(seq);
    return seq == first_resent_seq_ && it != in_flight_.end() && it->second.generation == generation_;
  };

  std::vector<uint64_t> acked;
  std::vector<Outbox::Rejection> final_rejects;
  uint64_t expected_seq = 0;     // lowest expected_seq of the OUT_OF_SEQUENCE rejects to act on
  uint64_t unavailable_seq = 0;  // lowest seq refused with UNAVAILABLE
  std::string unavailable_text;
  std::vector<Settlement> settlements;
  for (const auto& ack : replies.acks()) {
    if (answers_rewind(ack.seq())) generation_confirmed_ = true;
    acked.push_back(ack.seq());
    highest_settled_ = std::max(highest_settled_, ack.seq());
    if (on_settled_) settlements.push_back({ack.seq(), true, ack.duplicate(), {}, {}});
  }
  for (const auto& reject : replies.rejects()) {
    if (answers_rewind(reject.seq())) generation_confirmed_ = true;
    if (IsFinal(reject.reason())) {
      final_rejects.push_back({reject.seq(), reject.reason(), reject.text()});
      highest_settled_ = std::max(highest_settled_, reject.seq());
      if (on_settled_) settlements.push_back({reject.seq(), false, false, reject.reason(), reject.text()});
    }
  }
  for (const auto& reject : replies.rejects()) {
    auto it = in_flight_.find(reject.seq());
    if (reject.reason() == tonghop::v1::REJECT_REASON_OUT_OF_SEQUENCE) {
      // Replies on one connection come in the order the aggregator made them, and its position only
      // moves on, so a current one that asks for a seq it had settled means its database went back.
      bool current = it != in_flight_.end() && it->second.generation == generation_ && generation_confirmed_;
      if (current && reject.expected_seq() != 0 && (expected_seq == 0 || reject.expected_seq() < expected_seq)) {
        expected_seq = reject.expected_seq();
      }
    } else if (IsRefusedForNow(reject.reason())) {
      if (it != in_flight_.end() && (unavailable_seq == 0 || reject.seq() < unavailable_seq)) {
        unavailable_seq = reject.seq();
        unavailable_text = reject.text();
      }
    }
  }

  // A resend that crossed its ack is acked again (as a duplicate): only seqs above this
  // aggregator's settled position leave the outbox now, and only they are counted.
  const uint64_t settled_before = outbox_->settled_seq(options_.aggregator_index);
  const auto newly_acked = std::count_if(acked.begin(), acked.end(), [&](uint64_t seq) {
    return seq > settled_before && seq < outbox_->next_seq();
  });
  std::vector<tonghop::storage::v1::RejectedUpdate> moved;
  if (Status s = outbox_->Settle(acked, final_rejects, NowMs(), &moved, options_.aggregator_index); !s.ok()) {
    // They stay pending and in flight: the ack timeout resends them and the aggregator acks the
    // duplicates, which settles them once the outbox can be written again.
    spdlog::error("cannot record {} replies in the outbox: {}", acked.size() + final_rejects.size(),
                  s.message());
    return;
  }
  for (uint64_t seq : acked) {
    if (auto it = in_flight_.find(seq); it != in_flight_.end()) {
      metrics_.ack_latency_seconds.Observe(static_cast<double>(now - it->second.sent_ms) / 1e3);
      in_flight_.erase(it);
    }
  }
  metrics_.acked.Increment(static_cast<double>(newly_acked));
  for (const auto& r : moved) {
    const size_t reason = static_cast<size_t>(r.reason());
    if (reason < metrics_.refused.size() && metrics_.refused[reason] != nullptr) metrics_.refused[reason]->Increment();
  }
  for (const auto& ack : replies.acks()) recent_acks_[ack.seq()] = ack.duplicate();
  while (recent_acks_.size() > kRecentAcks) recent_acks_.erase(recent_acks_.begin());
  for (const auto& r : final_rejects) in_flight_.erase(r.seq);
  for (const Settlement& settled : settlements) on_settled_(settled);
  if (unavailable_seq != 0) aggregator_storage_error_ = unavailable_text;
  if (!acked.empty()) {
    aggregator_storage_error_.clear();
    last_ack_at_ms_ = NowMs();
    silence_logged_ = false;
    unavailable_logged_ = false;
  }
  for (size_t i = 0; i < moved.size() && i < kRejectionsLoggedPerReply; ++i) {
    const auto& u = moved[i].update();
    spdlog::warn("aggregator rejected seq {} ({} {} = {}): {}: {}; recorded in {}", u.seq(),
                 u.indicator(), u.period(), ValueText(u), tonghop::v1::RejectReason_Name(moved[i].reason()),
                 moved[i].text(), rejections_->path());
  }
  if (moved.size() > kRejectionsLoggedPerReply) {
    spdlog::warn("... and {} more rejected updates, see {}", moved.size() - kRejectionsLoggedPerReply,
                 rejections_->path());
  }
  if (Status s = rejections_->Append(moved); !s.ok()) {
    spdlog::error("{}; the {} rejections are kept in the outbox", s.message(), moved.size());
  }

  if (unavailable_seq != 0) {
    if (!unavailable_logged_) {
      spdlog::warn("aggregator cannot store updates now ({}); resending from seq {} in {} ms",
                   unavailable_text, unavailable_seq, options_.ack_timeout_ms);
      unavailable_logged_ = true;
    }
    Rewind(unavailable_seq);
    paused_until_ms_ = now + options_.ack_timeout_ms;
  } else if (expected_seq != 0) {
    HandleOutOfSequence(expected_seq);
  }
}

std::optional<bool> Sender::AckedAsDuplicate(uint64_t seq) const {
  auto it = recent_acks_.find(seq);
  if (it == recent_acks_.end()) return std::nullopt;
  return it->second;
}

void Sender::FollowCatalog(uint64_t version, int64_t now) {
  // 0: an aggregator that predates catalogs, which has none to send.
  if (options_.catalog == nullptr || version == 0 || version == options_.catalog->version()) return;
  if (catalog_requested_ms_ != 0 && now - catalog_requested_ms_ < options_.ack_timeout_ms) return;
  tonghop::v1::CollectorMessage request;
  request.mutable_catalog_request();
  if (SendProto(dealer_, request).ok()) catalog_requested_ms_ = now;
}

void Sender::TakeCatalog(const tonghop::v1::CatalogFiles& files) {
  if (options_.catalog == nullptr || files.version() == options_.catalog->version()) return;
  const std::string before = options_.catalog->Describe();
  if (Status s = options_.catalog->Take(files); !s.ok()) {
    // Asked again after ack_timeout_ms; meanwhile the figures are judged by the catalog held.
    if (catalog_log_.Allow()) spdlog::error("cannot take the aggregator's catalog: {}", s.message());
    return;
  }
  catalog_requested_ms_ = 0;
  spdlog::info("took the aggregator's {} (was: {}); figures are judged by it before they are stored",
               options_.catalog->Describe(), before);
}

void Sender::HandleOutOfSequence(uint64_t expected_seq) {
  if (expected_seq >= cursor_) {
    // It wants what was not sent yet: nothing to resend (the cursor reaches it anyway).
    return;
  }
  if (expected_seq <= highest_settled_) {
    ReportAggregatorLoss(expected_seq);
  } else {
    spdlog::info("aggregator expects seq {} (an update was lost in transit); resending from there", expected_seq);
  }
  Rewind(expected_seq);
}

void Sender::HandleResendRequest(uint64_t from_seq) {
  // The aggregator answered a heartbeat from the position it holds: what it asks for may be on its
  // way already, sent since the last rewind and not yet answered, or not sent yet.
  if (from_seq >= cursor_) return;
  auto it = in_flight_.find(from_seq);
  if (it != in_flight_.end() && it->second.generation == generation_) return;
  ReportAggregatorLoss(from_seq);
  Rewind(from_seq);
}

void Sender::ReportAggregatorLoss(uint64_t from_seq) {
  const uint64_t settled = std::max(highest_settled_, from_seq);
  if (reported_loss_seq_ != from_seq) {
    reported_loss_seq_ = from_seq;
    spdlog::warn("aggregator asks for seq {} again, though it had acknowledged or refused this outbox's updates up "
                 "to {}: its database went back (restored from a backup?). Sending them again from seq {}, out of "
                 "the {} this collector retains (from seq {}); it counts each once",
                 from_seq, settled, from_seq, outbox_->retained_count(), outbox_->retained_from_seq());
  }
  const uint64_t first_retained = outbox_->retained_from_seq();
  const uint64_t lost_from = std::max(from_seq, lost_through_ + 1);
  if (lost_from >= first_retained) return;
  const uint64_t lost_to = first_retained - 1;
  lost_ += lost_to - lost_from + 1;
  lost_through_ = lost_to;
  constexpr size_t kFilesNamed = 5;
  std::vector<std::string> names = outbox_->FilesWithSeqs(lost_from, lost_to, kFilesNamed + 1);
  std::string files;
  for (size_t i = 0; i < names.size() && i < kFilesNamed; ++i) files += (files.empty() ? "" : ", ") + names[i];
  if (names.size() > kFilesNamed) files += ", …";
  spdlog::error("the aggregator lost seqs {}..{} of outbox {:016x} ({} updates), and this collector no longer retains "
                "them: they were dropped after its retention window (--retention_hours, --retention_max_bytes), "
                "which was shorter than the time since the aggregator's backup. Placeholders take their seqs, which "
                "the aggregator records as lost, so the figures after them flow. Enter those figures again{}",
                lost_from, lost_to, outbox_->id(), lost_to - lost_from + 1,
                files.empty() ? " (submit them)"
                              : fmt::format(": copy (not move) their drop files from done/ back into the drop "
                                            "folder: {}", files));
}

void Sender::UpdateReachability(int64_t now) {
  const bool recent = now - last_heard_ms_ < kSilentIntervals * int64_t{options_.heartbeat_interval_ms};
  if (heard_once_ && recent && reachability_ != Reachability::kReachable) {
    if (reachability_ == Reachability::kUnreachable) {
      spdlog::info("aggregator at {} is reachable again; {} updates pending",
                   options_.aggregator_endpoint, outbox_->pending_count(options_.aggregator_index));
      // What was in flight when the link broke may be lost; resend it now rather than after the
      // ack timeout.
      if (!in_flight_.empty()) Rewind(LowestUnsettled());
    } else {
      spdlog::info("aggregator at {} is reachable", options_.aggregator_endpoint);
    }
    reachability_ = Reachability::kReachable;
  } else if (!recent && reachability_ != Reachability::kUnreachable) {
    spdlog::warn("aggregator at {} is unreachable (nothing heard for {} ms); figures stay in the "
                 "outbox ({} pending) and are sent when it is back", options_.aggregator_endpoint,
                 now - last_heard_ms_, outbox_->pending_count(options_.aggregator_index));
    reachability_ = Reachability::kUnreachable;
  }
}

uint64_t Sender::LowestUnsettled() const {
  const uint64_t first_pending = outbox_->FirstUnsettledSeq(options_.aggregator_index);
  // In flight below the first pending seq: settled updates being sent again.
  return in_flight_.empty() ? first_pending : std::min(first_pending, in_flight_.begin()->first);
}

void Sender::CheckAckTimeout(int64_t now) {
  if (in_flight_.empty() || now - in_flight_.begin()->second.sent_ms < options_.ack_timeout_ms) return;
  const uint64_t first = LowestUnsettled();
  if (!silence_logged_) {
    spdlog::info("no reply from the aggregator at {} for {} ms; resending {} updates from seq {}",
                 options_.aggregator_endpoint, now - in_flight_.begin()->second.sent_ms,
                 outbox_->pending_count(options_.aggregator_index), first);
    silence_logged_ = true;
  }
  Rewind(first);
}

void Sender::Pump(int64_t now) {
  want_pollout_ = false;
  if (now < paused_until_ms_) return;
  if (cursor_ >= resend_until_ && (outbox_->pending_count(options_.aggregator_index) == 0 || cursor_ >= outbox_->next_seq())) return;
  while (in_flight_.size() < static_cast<size_t>(options_.max_in_flight)) {
    try {
      if (!(dealer_.get(zmq::sockopt::events) & ZMQ_POLLOUT)) {
        want_pollout_ = true;
        return;
      }
    } catch (const zmq::error_t& e) {
      spdlog::warn("cannot query the aggregator socket: {}", e.what());
      return;
    }
    size_t room = std::min<size_t>(kMaxUpdatesPerBatch, options_.max_in_flight - in_flight_.size());
    tonghop::v1::CollectorMessage message;
    auto* batch = message.mutable_updates();
    batch->set_node_id(options_.node_id);
    batch->set_outbox_id(outbox_->id());
    std::vector<tonghop::v1::IndicatorUpdate> updates;
    const bool resending = cursor_ < resend_until_;
    Status read = resending ? outbox_->ReadSettled(cursor_, resend_until_, room, &updates)
                            : outbox_->ReadPending(cursor_, room, &updates);
    if (Status s = read; !s.ok()) {
      if (outbox_log_.Allow()) {
        spdlog::error("cannot read the outbox to send it: {} ({} more held back)", s.message(), outbox_log_.suppressed());
      }
      return;
    }
    if (updates.empty()) {
      if (resending) {
        cursor_ = resend_until_;  // what lies between is pending
        continue;
      }
      cursor_ = outbox_->next_seq();
      return;
    }
    for (auto& u : updates) {
      if (!u.unreadable_reason().empty() && u.reporting_unit().empty()) u.set_reporting_unit(options_.reporting_unit);
      *batch->add_updates() = std::move(u);
    }
    if (!SendProto(dealer_, message).ok()) {
      want_pollout_ = true;
      return;
    }
    for (const auto& u : batch->updates()) in_flight_[u.seq()] = {generation_, now};
    metrics_.sent.Increment(batch->updates_size());
    if (first_resent_seq_ == 0) first_resent_seq_ = batch->updates(0).seq();
    cursor_ = batch->updates(batch->updates_size() - 1).seq() + 1;
    last_send_ms_ = now;
  }
}

void Sender::SendHeartbeat(int64_t now) {
  tonghop::v1::CollectorMessage message;
  message.mutable_heartbeat()->set_sent_at_ms(NowMs());
  // So that an aggregator holding less of this outbox than it settled asks for the rest again.
  message.mutable_heartbeat()->set_outbox_id(outbox_->id());
  message.mutable_heartbeat()->set_settled_seq(highest_settled_);
  // Not sent while the aggregator is not connected (ZMQ_IMMEDIATE): the next one follows anyway.
  (void)SendProto(dealer_, message);
  last_send_ms_ = now;
}

void Sender::Rewind(uint64_t to_seq) {
  ++generation_;
  ++rewinds_;
  metrics_.resends.Increment();
  first_resent_seq_ = 0;
  generation_confirmed_ = false;
  in_flight_.erase(in_flight_.lower_bound(to_seq), in_flight_.end());
  cursor_ = to_seq;
  // Below the first pending seq lies what the aggregator had settled: sent again from retention.
  const uint64_t first_pending = outbox_->FirstPendingSeq();
  resend_until_ = to_seq < first_pending ? first_pending : 0;
}

}  // namespace tonghop
