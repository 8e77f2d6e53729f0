// FeedFollower: turns what a CloneReplica of the publisher stores into LiveFeed's state, and says
// whether that state is live. Runs on the loop thread that owns the replica.
//
// Every version the replica stores goes to the feed, in the replica's order, once per turn of the
// loop: at once, even when it comes after a hole the replica has yet to fill (holding it back
// would hold back every client for as long as the hole lasts, which under a steady load is until
// the next quiet moment). The feed keeps that order for replays, and clients keep per aggregate
// the highest seq. A new stream (another aggregator database) makes a new base: LiveFeed::Reset
// with the replica's whole table once it is in sync with it, and every client gets a snapshot. A
// restarted publisher answers under stream 0 until it has synced with the aggregator itself:
// that is a wait, not a new stream, and what it says meanwhile is not passed on (the replica's
// full snapshot afterwards brings it again).
//
// Health (for the page's marker): starting until the first base; stale when the publisher has
// not been heard for stale_after_ms ("publisher_unreachable"), or the replica has not been in
// sync for that long ("resyncing": a catch-up, or a full snapshot after the publisher restarted);
// live otherwise.
//
// Not thread-safe: the loop thread owns it (LiveFeed is the hand-off to the HTTP thread).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/clock.h"
#include "core/clone_replica.h"
#include "web/live_feed.h"

namespace tonghop::web {

struct FeedFollowerOptions {
  int stale_after_ms = 3'000;
  std::string source;  // the publisher's address, for the health's reason
};

class FeedFollower {
 public:
  FeedFollower(LiveFeed* feed, FeedFollowerOptions options);

  // The replica's ChangeCallback, with the replica's stream_id at the time.
  void OnChange(const tonghop::v1::AggregateUpdate& version, uint64_t stream_id);
  // After each CloneReplica::Process: hands this turn's versions to the feed, makes a new base
  // when needed, and updates the health.
  void Update(const CloneReplica& replica);

  // New bases made so far (the first sync is one).
  uint64_t bases() const { return bases_; }

 private:
  void UpdateHealth(const CloneReplica& replica, bool in_sync);

  LiveFeed* feed_;
  FeedFollowerOptions options_;
  uint64_t stream_id_ = 0;  // of the feed's base; 0 before the first
  uint64_t handed_seq_ = 0;  // the replica's verified seq last told to the feed
  std::vector<tonghop::v1::AggregateUpdate> turn_;  // versions stored this turn, for the feed
  uint64_t bases_ = 0;
  int64_t last_in_sync_ms_ = 0;  // MonotonicMs
  FeedHealth health_;
};

}  // namespace tonghop::web
