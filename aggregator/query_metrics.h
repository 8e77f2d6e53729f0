// QueryMetrics: the query thread's metric handles (docs/OPERATIONS.md, "Metrics"), and the figures
// each unit has overdue, which the query thread counts from a database snapshot every minute (as
// `tonghop status` does) so that the ingest thread never reads for it.
// Used by the query thread only; the metrics endpoint's threads read the series.
#pragma once

#include <map>
#include <string>
#include <utility>

#include "core/catalog.h"
#include "core/metrics.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {

struct QueryMetrics {
  explicit QueryMetrics(MetricsRegistry& registry);

  // The latest period of each type the catalog's indicators are reported for that has ended by
  // `now_ms` ("2017-03", "2017-Q1"): the periods whose figures fall due now.
  static std::vector<std::string> LatestEndedPeriods(const Catalog& catalog, int64_t now_ms);
  // Sets tonghop_aggregator_unit_figures_overdue{unit,period} from the cells of a period's status,
  // for every unit of the catalog, and drops the series of the period of the same type before.
  void SetOverdue(const Catalog& catalog, const tonghop::v1::StatusReply& status);

  prometheus::Counter& requests;
  prometheus::Counter& refused;
  prometheus::Counter& malformed;
  prometheus::Gauge& open_exports;
  prometheus::Counter& open_exports_bound;    // --query_max_open_exports
  prometheus::Counter& export_idle_bound;     // --query_export_idle_ms
  prometheus::Counter& export_page_bound;     // --query_export_page_figures
  prometheus::Counter& history_bound;         // --query_history_max_revisions

 private:
  prometheus::Family<prometheus::Gauge>& overdue_;
  // The period each type's series show now, "Q" or "M" -> "2017-Q1", and their gauges by unit.
  std::map<char, std::pair<std::string, std::map<std::string, prometheus::Gauge*>>> shown_;
};

}  // namespace tonghop
