#include "aggregator/query_metrics.h"

#include <fmt/format.h>

#include "core/clock.h"

namespace tonghop {

QueryMetrics::QueryMetrics(MetricsRegistry& r)
    : requests(CounterOf(r, "tonghop_query_requests_total", "Queries answered (status, history, query, export pages)")),
      refused(CounterOf(r, "tonghop_query_refused_total", "Queries refused: the key was revoked since it connected")),
      malformed(CounterOf(r, "tonghop_query_malformed_total", "Requests that were not a QueryRequest with a body")),
      open_exports(GaugeOf(r, "tonghop_query_open_exports", "Exports open, each holding a database snapshot")),
      open_exports_bound(BoundHits(r, "query_max_open_exports")),
      export_idle_bound(BoundHits(r, "query_export_idle_ms")),
      export_page_bound(BoundHits(r, "query_export_page_figures")),
      history_bound(BoundHits(r, "query_history_max_revisions")),
      overdue_(prometheus::BuildGauge()
                   .Name("tonghop_aggregator_unit_figures_overdue")
                   .Help("Figures the unit has not reported past the catalog's deadline, for the latest ended period "
                         "of each type (as tonghop status counts them); counted every minute")
                   .Register(r)) {}

std::vector<std::string> QueryMetrics::LatestEndedPeriods(const Catalog& catalog, int64_t now_ms) {
  PeriodTypeSet used = 0;
  for (const Indicator& indicator : catalog.indicators()) used |= indicator.period_types;
  const int year = UtcYearOfMs(now_ms);
  const int month = UtcMonthOfMs(now_ms);  // the period containing now has not ended
  std::vector<std::string> periods;
  auto previous = [&](int per_year, int index_now, const char* form) {
    const int index = index_now - 1;
    periods.push_back(index == 0 ? fmt::format(fmt::runtime(form), year - 1, per_year)
                                 : fmt::format(fmt::runtime(form), year, index));
  };
  if (used & PeriodTypeBit(Period::Type::kYear)) periods.push_back(std::to_string(year - 1));
  if (used & PeriodTypeBit(Period::Type::kHalfYear)) previous(2, (month - 1) / 6 + 1, "{}-H{}");
  if (used & PeriodTypeBit(Period::Type::kQuarter)) previous(4, (month - 1) / 3 + 1, "{}-Q{}");
  if (used & PeriodTypeBit(Period::Type::kMonth)) previous(12, month, "{}-{:02}");
  return periods;
}

void QueryMetrics::SetOverdue(const Catalog& catalog, const tonghop::v1::StatusReply& status) {
  Period period;
  if (!Period::Parse(status.period(), &period).ok()) return;
  const char type = "YHQM"[static_cast<int>(period.type())];
  auto& [shown_period, gauges] = shown_[type];
  if (shown_period != status.period()) {
    for (auto& [unit, gauge] : gauges) overdue_.Remove(gauge);
    gauges.clear();
    shown_period = status.period();
    for (const ReportingUnit& unit : catalog.units()) {
      gauges[unit.code] = &overdue_.Add({{"unit", unit.code}, {"period", status.period()}});
    }
  }
  std::map<std::string, uint32_t> overdue;
  for (const auto& cell : status.cells()) overdue[cell.reporting_unit()] += cell.overdue();
  for (auto& [unit, gauge] : gauges) gauge->Set(overdue[unit]);
}

}  // namespace tonghop
