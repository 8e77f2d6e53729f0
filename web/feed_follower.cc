#include "web/feed_follower.h"

#include <vector>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::web {

FeedFollower::FeedFollower(LiveFeed* feed, FeedFollowerOptions options)
    : feed_(feed), options_(std::move(options)) {
  health_.since_ms = NowMs();
  health_.reason = fmt::format("waiting for the first snapshot from the publisher at {}", options_.source);
  feed_->SetHealth(health_);
}

void FeedFollower::OnChange(const tonghop::v1::AggregateUpdate& version, uint64_t stream_id) {
  // Another stream's versions (or a restarted publisher's, under stream 0) belong to no base yet.
  if (stream_id_ != 0 && stream_id == stream_id_) turn_.push_back(version);
}

void FeedFollower::Update(const CloneReplica& replica) {
  const bool in_sync = replica.synced() && replica.stream_id() != 0;
  if (in_sync && replica.stream_id() != stream_id_) {
    if (stream_id_ != 0) {
      spdlog::info("the feed now carries stream {:016x} instead of {:016x}: a new base of {} aggregates; every stream "
                   "gets a snapshot", replica.stream_id(), stream_id_, replica.table().size());
    }
    feed_->Reset(replica.stream_id(), replica.verified_seq(), replica.table());
    stream_id_ = replica.stream_id();
    handed_seq_ = replica.verified_seq();
    turn_.clear();
    ++bases_;
  } else if (!turn_.empty() || (replica.stream_id() == stream_id_ && replica.verified_seq() > handed_seq_)) {
    if (replica.stream_id() == stream_id_) handed_seq_ = std::max(handed_seq_, replica.verified_seq());
    feed_->Append(turn_, handed_seq_);
    turn_.clear();
  }
  UpdateHealth(replica, in_sync);
}

void FeedFollower::UpdateHealth(const CloneReplica& replica, bool in_sync) {
  const int64_t now = MonotonicMs();
  if (in_sync && replica.stream_id() == stream_id_) last_in_sync_ms_ = now;
  FeedHealth next;
  int64_t stale_from_ms = 0;  // monotonic
  if (bases_ == 0) {
    next = health_;  // starting, since the start
  } else if (now - replica.last_received_ms() >= options_.stale_after_ms) {
    next.state = FeedHealth::State::kStale;
    next.reason_code = "publisher_unreachable";
    next.reason = fmt::format("no message from the publisher at {}", options_.source);
    stale_from_ms = replica.last_received_ms();
  } else if (now - last_in_sync_ms_ >= options_.stale_after_ms) {
    next.state = FeedHealth::State::kStale;
    next.reason_code = "resyncing";
    next.reason = fmt::format("resynchronising with the publisher at {}", options_.source);
    stale_from_ms = last_in_sync_ms_;
  } else {
    next.state = FeedHealth::State::kLive;
    next.reason_code = "";
  }
  if (next.state == health_.state && next.reason_code == health_.reason_code) return;
  if (next.state == FeedHealth::State::kStale) {
    // Stale since the feed was last live, however its reason changes meanwhile.
    next.since_ms = health_.state == FeedHealth::State::kStale ? health_.since_ms : NowMs() - (now - stale_from_ms);
    spdlog::warn("feed stale: {}", next.reason);
  } else {
    next.since_ms = NowMs();
    if (next.state == FeedHealth::State::kLive) {
      spdlog::info("feed live: {} aggregates up to seq {}, stream {:016x}", replica.table().size(), handed_seq_,
                   stream_id_);
    }
  }
  health_ = next;
  feed_->SetHealth(health_);
}

}  // namespace tonghop::web
