// AggregatorMetrics: the aggregator's metric handles (docs/OPERATIONS.md, "Metrics"), made once
// in its registry (core/metrics.h). The loop thread counts and sets them; the metrics endpoint's
// threads read them.
//
// Updates: every update the aggregator reads is counted received, and once answered, exactly one
// of stored (applied and written), duplicate (at or below its outbox's position) or refused, by
// reason. So received = stored + duplicate + refused once the answers are out.
// Units: one series per unit of the catalog, never per what a peer names, so a peer cannot make
// series.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "core/metrics.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

struct AggregatorMetrics {
  AggregatorMetrics(MetricsRegistry& registry, const Catalog& catalog);

  // Counts each answer of `replies` as stored, duplicate or refused.
  void CountAnswers(const tonghop::v1::UpdateReplies& replies);
  // The last time a figure of `unit` was stored, and the last time the unit's collector was heard
  // (ms since the epoch); units not in the catalog are ignored. Times before the recorded ones too.
  void FigureStored(const std::string& unit, int64_t at_ms);
  void UnitHeard(const std::string& unit, int64_t at_ms);

  prometheus::Counter& received;
  prometheus::Counter& stored;
  prometheus::Counter& duplicates;
  std::vector<prometheus::Counter*> refused;  // by RejectReason
  prometheus::Counter& malformed_messages;
  prometheus::Histogram& burst_updates;
  prometheus::Histogram& commit_seconds;
  prometheus::Histogram& fsync_seconds;
  prometheus::Counter& commit_failures;
  prometheus::Gauge& storage_writable;
  prometheus::Counter& answers_dropped;
  prometheus::Gauge& figures;
  prometheus::Gauge& aggregates;
  prometheus::Gauge& seq;
  prometheus::Gauge& database_bytes;
  // Bounds of docs/SECURITY.md, "Bounds on what a peer controls".
  prometheus::Counter& burst_messages_bound;   // --max_messages_per_burst
  prometheus::Counter& burst_updates_bound;    // --max_batch_updates
  prometheus::Counter& batch_updates_bound;    // --max_updates_per_batch_message
  prometheus::Counter& heartbeat_answers_bound;  // one heartbeat answer per connection per burst
  prometheus::Counter& outboxes_bound;         // --max_outboxes_per_unit

 private:
  struct Unit {
    prometheus::Gauge* last_figure;
    prometheus::Gauge* last_heard;
  };
  std::map<std::string, Unit, std::less<>> units_;
};

}  // namespace tonghop
