// CollectorMetrics: a collector's metric handles (docs/OPERATIONS.md, "Metrics"), each labelled
// with the collector's unit; those of a link, and the figures pending for it, also with the
// aggregator's endpoint (a collector of a pair has two links). The Sender counts what goes over the link; the collector's loop
// sets the gauges of its outbox and link every kMetricsRefreshMs. Built once by each from the
// same registry, they are the same series (core/metrics.h).
#pragma once

#include <string>
#include <vector>

#include "core/metrics.h"

namespace tonghop {

struct CollectorMetrics {
  CollectorMetrics(MetricsRegistry& registry, const std::string& unit, const std::string& aggregator);

  // Outbox and link, set by the loop.
  prometheus::Gauge& pending;
  prometheus::Gauge& pending_for_aggregator;  // not yet settled by this link's aggregator
  prometheus::Gauge& oldest_pending_age_seconds;
  prometheus::Gauge& rejected;
  prometheus::Gauge& unreadable;
  prometheus::Gauge& aggregator_reachable;
  prometheus::Gauge& aggregator_cannot_store;
  prometheus::Gauge& last_ack_timestamp_seconds;
  prometheus::Counter& drop_files_taken;
  prometheus::Counter& drop_files_failed;
  // The link, counted by the Sender.
  prometheus::Counter& sent;
  prometheus::Counter& acked;
  std::vector<prometheus::Counter*> refused;  // final rejections, by RejectReason
  prometheus::Counter& resends;
  prometheus::Counter& handshakes_refused;
  prometheus::Histogram& ack_latency_seconds;
};

}  // namespace tonghop
