#include "core/peer_bounds.h"

#include <string>

#include <fmt/format.h>

namespace tonghop {

void AddPeerBoundsFlags(CLI::App& app, PeerBounds* bounds, std::string_view peers) {
  app.add_option("--max_peer_message_bytes", bounds->max_message_bytes,
                 fmt::format("largest message a {} may send (a subscription, a snapshot request); a larger one "
                             "disconnects it",
                             peers))
      ->check(CLI::Range(int64_t{300}, int64_t{1} << 20))
      ->capture_default_str();
  app.add_option("--max_subscriptions_per_peer", bounds->max_subscriptions,
                 fmt::format("subscriptions one {} connection may hold; one more and it is cut off", peers))
      ->check(CLI::Range(2, 100'000))
      ->capture_default_str();
  app.add_option("--snapshot_requests_per_second", bounds->snapshot_requests_per_second,
                 fmt::format("snapshot requests one {} connection may make per second (and in a burst); the others "
                             "are dropped unanswered",
                             peers))
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--max_snapshot_transfers", bounds->max_snapshot_transfers,
                 "snapshots being sent at once; a request beyond them is dropped unanswered (its sender asks again "
                 "after its timeout)")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--snapshot_queue_bytes", bounds->snapshot_queue_bytes,
                 fmt::format("snapshot replies queued for one {}; the rest of its snapshot is sent as it reads", peers))
      ->check(CLI::Range(int64_t{64} << 10, int64_t{1} << 30))
      ->capture_default_str();
  app.add_option("--peer_stall_timeout_ms", bounds->stall_timeout_ms,
                 fmt::format("a {} that takes none of what is queued for it for this long is cut off and what was "
                             "queued for it freed (it reconnects and resyncs once it reads again)",
                             peers))
      ->check(CLI::Range(100, 3'600'000))
      ->capture_default_str();
}

}  // namespace tonghop
