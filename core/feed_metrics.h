// FeedMetrics: a CloneServer's metric handles (docs/OPERATIONS.md, "Metrics"): what the feed of
// the aggregator, or the publisher's to subscribers, has published and served. The aggregator's
// and the publisher's feeds have the same names; Prometheus's job label tells them apart.
#pragma once

#include "core/metrics.h"

namespace tonghop {

struct FeedMetrics {
  explicit FeedMetrics(MetricsRegistry& registry);

  prometheus::Gauge& seq;
  prometheus::Counter& published;
  prometheus::Counter& heartbeats;
  prometheus::Counter& snapshots_served;
  prometheus::Counter& snapshots_abandoned;
  prometheus::Counter& bad_requests;
  prometheus::Gauge& subscribers;
  // The bounds of docs/SECURITY.md, "Bounds on what a feed peer may cost", each time one is hit.
  prometheus::Counter& subscriptions_bound;
  prometheus::Counter& request_rate_bound;
  prometheus::Counter& transfers_bound;
  // Peers cut off by PeerConnections' watch (what they sent, or not reading): both its bounds.
  prometheus::Counter& peers_cut_off;
};

}  // namespace tonghop
