// FeedFollower: turns what a CloneReplica of the publisher stores into LiveFeed's state, and says
// whether that state is live. Runs on the loop thread that owns the replica.
//
// A replica stores versions as they come, and they do not come in seq order: after a loss, a
// catch-up brings versions below ones already stored. A client that reconnects with Last-Event-ID
// N must get everything above N, so the follower hands LiveFeed only what the replica has
// verified complete (CloneReplica::verified_seq), in seq order, and holds back the versions above
// it until the gap below them is filled. A new stream (another aggregator database), or a gap
// longer than the replay log could replay anyway, makes a new base: LiveFeed::Reset with the
// replica's whole table, and every client gets a snapshot.
//
// Health (for the page's marker): starting until the first base; stale when the publisher has
// not been heard for stale_after_ms ("publisher_unreachable"), or the replica has not been in
// sync for that long ("resyncing": a catch-up, or a full snapshot after the publisher restarted);
// live otherwise. A restarted publisher answers under stream 0 until it has synced with the
// aggregator itself; that is not a new stream, only a wait.
//
// Not thread-safe: the loop thread owns it (LiveFeed is the hand-off to the HTTP thread).
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/clone_replica.h"
#include "web/live_feed.h"

namespace tonghop::web {

struct FeedFollowerOptions {
  int stale_after_ms = 3'000;
  // Serialized bytes of the versions held back above a gap before the follower gives up on
  // ordering them and makes a new base instead (the replay log's capacity).
  size_t max_held_back_bytes = 64 << 20;
  std::string source;  // the publisher's address, for the health's reason
};

class FeedFollower {
 public:
  FeedFollower(LiveFeed* feed, FeedFollowerOptions options);

  // The replica's ChangeCallback.
  void OnChange(const tonghop::v1::AggregateUpdate& version);
  // After each CloneReplica::Process: hands the newly verified versions to the feed, makes a new
  // base when needed, and updates the health.
  void Update(const CloneReplica& replica);

  // New bases made so far (the first sync is one).
  uint64_t bases() const { return bases_; }

 private:
  void UpdateHealth(const CloneReplica& replica, bool in_sync);

  LiveFeed* feed_;
  FeedFollowerOptions options_;
  uint64_t stream_id_ = 0;      // of the feed's base; 0 before the first
  uint64_t handed_seq_ = 0;     // the feed is complete up to this seq
  std::map<uint64_t, tonghop::v1::AggregateUpdate> held_back_;  // by seq, all above handed_seq_
  size_t held_back_bytes_ = 0;
  bool rebase_ = false;         // held_back_ overflowed: the next sync makes a new base
  uint64_t bases_ = 0;
  int64_t last_in_sync_ms_ = 0;  // MonotonicMs
  FeedHealth health_;
};

}  // namespace tonghop::web
