// PeerBounds: what one peer of a CloneServer (core/clone_server.h) may cost it, each bound a flag
// of the node that runs the server: the publisher towards its subscribers, the aggregator towards
// its publishers. A peer is one connection. docs/SECURITY.md ("Bounds on what a feed peer may
// cost") lists them with their defaults and what each costs at most.
#pragma once

#include <cstdint>
#include <string_view>

#include <CLI/CLI.hpp>

namespace tonghop {

struct PeerBounds {
  // The largest message a peer may send, on either socket: a subscription or a snapshot request
  // (a valid one is under 300 bytes). A larger one disconnects it (ZMQ_MAXMSGSIZE).
  int64_t max_message_bytes = 512;
  // Subscriptions one connection may hold at once; one more and it is cut off.
  int max_subscriptions = 64;
  // Snapshot requests one connection may make per second (and in a burst); the others are dropped
  // unanswered, and a replica asks again after its snapshot timeout.
  int snapshot_requests_per_second = 10;
  // Snapshot transfers in progress at once; a request beyond them is dropped unanswered.
  int max_snapshot_transfers = 64;
  // Snapshot replies queued for one requester; the rest of its snapshot waits until it reads.
  int64_t snapshot_queue_bytes = 1 << 20;
  // A peer that takes none of what is queued for it (on either socket) for this long is cut off,
  // and what was queued for it freed. A subscriber cut off reconnects and resyncs once it reads.
  int stall_timeout_ms = 10'000;
};

// Adds a flag for each bound, with its default; `peers` names them in the help ("subscriber").
void AddPeerBoundsFlags(CLI::App& app, PeerBounds* bounds, std::string_view peers);

}  // namespace tonghop
