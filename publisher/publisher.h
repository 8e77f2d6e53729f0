// The publisher node: a relay between the aggregator's feed and any number of subscribers, so
// that no subscriber can slow ingest (the aggregator publishes to this one process only).
//
// It is a CloneReplica of the aggregator (everything, filter "") and a CloneServer to subscribers
// over the replica's own table: each version the replica stores, from the stream or a snapshot,
// is republished unchanged (the aggregator's seq and prev_seq), under the aggregator's stream_id.
// A subscriber therefore ends with exactly the aggregator's state, with the aggregator's seqs.
//
// The subscriber sockets are bound before the upstream sync completes, so that subscribers can
// connect early. A snapshot taken before then shows the state synced so far, under stream_id 0;
// heartbeats start with the first sync, and their stream_id and seq send such a subscriber back
// for the rest (docs/PUBLISHER.md). Heartbeats and snapshot replies carry the seq up to which
// the relay has verified its copy (CloneReplica::verified_seq), not merely the highest it holds.
//
// Given a list of aggregators (a pair), it follows the first and moves to the next when the one
// it follows is silent (CloneReplica's server list). The other aggregator has another stream, so
// the replica clears its table and refills it from a full snapshot; meanwhile subscribers are
// served under stream_id 0 again, as before the first sync, so that none can take the table
// still filling for the new aggregator's whole state. Once it is whole, heartbeats and relayed
// versions carry the new stream_id, and each subscriber takes a full snapshot of it.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "core/peer_bounds.h"
#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct PublisherOptions {
  // The aggregators to follow, paired by position (publish and snapshot endpoint of each): the
  // first from the start, the next whenever the one followed is silent for upstream_timeout_ms
  // (a pair of aggregators, docs/ARCHITECTURE.md). Lists of different lengths, or empty ones,
  // are refused.
  std::vector<std::string> upstream_publish_endpoints = {"tcp://127.0.0.1:5551"};
  std::vector<std::string> upstream_snapshot_endpoints = {"tcp://127.0.0.1:5552"};
  std::string publish_endpoint = "tcp://*:5560";
  std::string snapshot_endpoint = "tcp://*:5561";
  int heartbeat_interval_ms = 1'000;
  // Messages queued per subscriber before the PUB drops for it (that subscriber then resyncs).
  int subscriber_hwm = 10'000;
  // What one subscriber connection may cost (docs/SECURITY.md).
  PeerBounds subscriber_bounds;
  // An upstream snapshot not complete by then is requested again.
  int upstream_snapshot_timeout_ms = 3'000;
  // Upstream silence (no update, no heartbeat) before reconnecting and resyncing.
  int upstream_timeout_ms = 5'000;
  // HOST:PORT serving the node's metrics at /metrics (core/metrics.h); "" serves none.
  std::string metrics_endpoint;
  // CURVE (docs/SECURITY.md). upstream_curve: client keys towards the aggregator; disabled means
  // plain text. subscriber_curve: server keys towards subscribers, which then must hold a key of
  // role "subscriber" in subscriber_key_registry_file (reloaded on SIGHUP); disabled means the
  // subscriber side is public: plain text, anyone who reaches it may read.
  CurveSocketKeys upstream_curve;
  CurveSocketKeys subscriber_curve;
  std::string subscriber_key_registry_file;
  // Stops the node when set, besides SIGINT/SIGTERM (lets tests run it in a thread).
  const std::atomic<bool>* stop = nullptr;
};

// Runs the publisher until shutdown is requested. Fails only when it cannot start (an endpoint
// cannot be bound or is malformed, the upstream lists do not pair).
Status RunPublisher(const PublisherOptions& options);

}  // namespace tonghop
