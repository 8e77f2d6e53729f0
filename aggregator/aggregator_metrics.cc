#include "aggregator/aggregator_metrics.h"

namespace tonghop {
namespace {

std::vector<double> BurstBuckets() { return {1, 10, 100, 1'000, 2'500, 5'000, 10'000, 25'000, 100'000}; }

void SetLater(prometheus::Gauge* gauge, int64_t at_ms) {
  const double seconds = static_cast<double>(at_ms) / 1e3;
  if (seconds > gauge->Value()) gauge->Set(seconds);
}

}  // namespace

AggregatorMetrics::AggregatorMetrics(MetricsRegistry& r, const Catalog& catalog)
    : received(CounterOf(r, "tonghop_aggregator_updates_received_total", "Updates read from collectors")),
      stored(CounterOf(r, "tonghop_aggregator_updates_stored_total", "Updates applied, written and acknowledged")),
      duplicates(CounterOf(r, "tonghop_aggregator_updates_duplicate_total",
                           "Updates at or below their outbox's position: acknowledged, not applied again")),
      refused(CountersByRejectReason(r, "tonghop_aggregator_updates_refused_total",
                                     "Updates refused, by reason (docs/PROTOCOL.md): nothing of them applied")),
      malformed_messages(CounterOf(r, "tonghop_aggregator_messages_malformed_total",
                                   "Ingest messages dropped unread: not one CollectorMessage frame")),
      burst_updates(HistogramOf(r, "tonghop_aggregator_burst_updates", "Updates handled in one burst (one write)",
                                BurstBuckets())),
      commit_seconds(HistogramOf(r, "tonghop_aggregator_commit_seconds",
                                 "Time to write a burst's batch to RocksDB, its fsync included", LatencyBuckets())),
      fsync_seconds(HistogramOf(r, "tonghop_aggregator_fsync_seconds",
                                "Time RocksDB spent syncing its log in a burst's write (0 under --durability wal)",
                                LatencyBuckets())),
      commit_failures(CounterOf(r, "tonghop_aggregator_commit_failures_total",
                                "Writes that failed (disk full, device error): nothing of them acknowledged")),
      storage_writable(GaugeOf(r, "tonghop_aggregator_storage_writable",
                               "1 while the database takes writes; 0 while updates are answered UNAVAILABLE")),
      answers_dropped(CounterOf(r, "tonghop_aggregator_answers_dropped_total",
                                "Answers a collector could not take at once (gone, or not reading: past "
                                "--ingest_send_hwm_messages): dropped, and the collector resends")),
      figures(GaugeOf(r, "tonghop_aggregator_figures", "Unit figures held (one per unit, indicator and period)")),
      aggregates(GaugeOf(r, "tonghop_aggregator_aggregates", "Province aggregates held (one per indicator and period)")),
      seq(GaugeOf(r, "tonghop_aggregator_seq", "The last aggregate seq issued: what the publisher must reach")),
      database_bytes(GaugeOf(r, "tonghop_aggregator_database_bytes",
                             "Size of the database's table files (RocksDB SST files, every column family)")),
      burst_messages_bound(BoundHits(r, "max_messages_per_burst")),
      burst_updates_bound(BoundHits(r, "max_batch_updates")),
      batch_updates_bound(BoundHits(r, "max_updates_per_batch_message")),
      heartbeat_answers_bound(BoundHits(r, "heartbeat_answers_per_burst")),
      outboxes_bound(BoundHits(r, "max_outboxes_per_unit")) {
  storage_writable.Set(1);
  for (const ReportingUnit& unit : catalog.units()) {
    const prometheus::Labels labels = {{"unit", unit.code}};
    units_[unit.code] = {
        &GaugeOf(r, "tonghop_aggregator_unit_last_figure_timestamp_seconds",
                 "When a figure of the unit was last stored (0: none since the database was made)", labels),
        &GaugeOf(r, "tonghop_aggregator_unit_last_heard_timestamp_seconds",
                 "When the unit's collector was last heard: a heartbeat or a batch under its key (under CURVE), a "
                 "batch for the unit (plain text); 0: not since the aggregator started", labels)};
  }
}

void AggregatorMetrics::CountAnswers(const tonghop::v1::UpdateReplies& replies) {
  for (const auto& ack : replies.acks()) (ack.duplicate() ? duplicates : stored).Increment();
  for (const auto& reject : replies.rejects()) {
    const size_t reason = static_cast<size_t>(reject.reason());
    if (reason < refused.size() && refused[reason] != nullptr) refused[reason]->Increment();
  }
}

void AggregatorMetrics::FigureStored(const std::string& unit, int64_t at_ms) {
  if (auto it = units_.find(unit); it != units_.end()) SetLater(it->second.last_figure, at_ms);
}

void AggregatorMetrics::UnitHeard(const std::string& unit, int64_t at_ms) {
  if (auto it = units_.find(unit); it != units_.end()) SetLater(it->second.last_heard, at_ms);
}

}  // namespace tonghop
