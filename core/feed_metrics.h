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
};

}  // namespace tonghop
