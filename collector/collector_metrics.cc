#include "collector/collector_metrics.h"

namespace tonghop {
CollectorMetrics::CollectorMetrics(MetricsRegistry& r, const std::string& unit, const std::string& aggregator)
    : pending(GaugeOf(r, "tonghop_collector_outbox_pending",
                      "Figures stored in the outbox and not yet settled by every aggregator", {{"unit", unit}})),
      pending_for_aggregator(GaugeOf(r, "tonghop_collector_outbox_pending_for_aggregator",
                                     "Figures stored in the outbox and not yet settled by this aggregator",
                                     {{"unit", unit}, {"aggregator", aggregator}})),
      oldest_pending_age_seconds(GaugeOf(r, "tonghop_collector_outbox_oldest_pending_age_seconds",
                                         "How long the oldest pending figure has waited in the outbox (0: none "
                                         "pending; since the collector started for figures pending then)",
                                         {{"unit", unit}})),
      rejected(GaugeOf(r, "tonghop_collector_outbox_rejected",
                       "Figures the aggregator refused for good, kept in the outbox (and rejected.csv)", {{"unit", unit}})),
      unreadable(GaugeOf(r, "tonghop_collector_outbox_unreadable",
                         "Outbox records that could not be read and were set aside (docs/COLLECTOR.md)", {{"unit", unit}})),
      aggregator_reachable(GaugeOf(r, "tonghop_collector_aggregator_reachable",
                                   "1 while the aggregator answers (heard within three heartbeat intervals)",
                                   {{"unit", unit}, {"aggregator", aggregator}})),
      aggregator_cannot_store(GaugeOf(r, "tonghop_collector_aggregator_cannot_store",
                                      "1 while the aggregator says it cannot store updates (its disk is full)",
                                      {{"unit", unit}, {"aggregator", aggregator}})),
      last_ack_timestamp_seconds(GaugeOf(r, "tonghop_collector_last_ack_timestamp_seconds",
                                         "When the aggregator last acknowledged figures (0: not since the collector "
                                         "started)", {{"unit", unit}, {"aggregator", aggregator}})),
      drop_files_taken(CounterOf(r, "tonghop_collector_drop_files_total", "Drop files taken, by outcome",
                                 {{"unit", unit}, {"outcome", "taken"}})),
      drop_files_failed(CounterOf(r, "tonghop_collector_drop_files_total", "Drop files taken, by outcome",
                                  {{"unit", unit}, {"outcome", "failed"}})),
      sent(CounterOf(r, "tonghop_collector_updates_sent_total", "Updates sent to the aggregator, resends included",
                     {{"unit", unit}, {"aggregator", aggregator}})),
      acked(CounterOf(r, "tonghop_collector_updates_acked_total",
                      "Updates the aggregator acknowledged (stored, or already had): they left the outbox",
                      {{"unit", unit}, {"aggregator", aggregator}})),
      refused(CountersByRejectReason(r, "tonghop_collector_updates_refused_total",
                                     "Figures the aggregator refused for good, by reason: set aside in rejected.csv",
                                     {{"unit", unit}, {"aggregator", aggregator}})),
      resends(CounterOf(r, "tonghop_collector_resends_total",
                        "Times the sender went back to resend (ack timeout, a gap, UNAVAILABLE, a new connection)",
                        {{"unit", unit}, {"aggregator", aggregator}})),
      handshakes_refused(CounterOf(r, "tonghop_collector_handshakes_refused_total",
                                   "CURVE handshakes the aggregator refused (this unit's key not registered)",
                                   {{"unit", unit}, {"aggregator", aggregator}})),
      ack_latency_seconds(HistogramOf(r, "tonghop_collector_ack_latency_seconds",
                                      "From sending an update to its acknowledgement", LatencyBuckets(),
                                      {{"unit", unit}, {"aggregator", aggregator}})) {}

}  // namespace tonghop
