// Unit values: the time-aggregation rule that gives one reporting unit's value of an indicator for
// a period (docs/DATA-MODEL.md, "Over time: derived periods and year-to-date"):
//  - the unit's own figure for the period, when it reported one, wins;
//  - otherwise the value is derived from the unit's values of the period's children (a quarter's
//    months, a half-year's quarters, a year's halves), themselves reported or derived:
//    a flow (time_agg sum) is their sum, complete when every child is there and complete;
//    a stock (time_agg last) is the last child's that the unit has, complete only when that is
//    the period's last child;
//  - a unit's year-to-date value of a flow is the sum of its values of the spans from January to
//    the end of the period (Period::YearToDate), complete when every span is there and complete;
//    a unit that reported a whole quarter has a year-to-date through its last month, not through
//    an earlier one.
// The rule alone, with no storage and no cache: FigureStore applies it to its figures in memory
// (caching what it computes across bursts), the query thread to the figures of a database
// snapshot (aggregator/snapshot_queries.h). Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "aggregator/figure_version.h"
#include "core/below_completeness.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop {

// A figure as a unit reported it for one (indicator, period).
struct ReportedFigure {
  Decimal value;
  int64_t applied_at_ms = 0;   // when the aggregator accepted it
  // When the unit reported it, for timeliness: the time it was observed or entered at the unit
  // (IndicatorUpdate.observed_at_ms) when that is set and not after applied_at_ms, else
  // applied_at_ms. A figure entered on time and held back by a poor link is not late.
  int64_t reported_at_ms = 0;
  FigureVersion version;  // which of two figures stands (aggregator/figure_version.h)
  // Of a figure that is a total of the level below (a relayed province total): a partial one
  // makes the unit's value incomplete, so the totals it feeds are partial (docs/DATA-MODEL.md).
  BelowCompleteness below;
};
// The figures of one (indicator, period), by unit code.
using ReportedFigures = std::map<std::string, ReportedFigure>;

// reported_at_ms of a figure observed at `observed_at_ms` (0: unknown) and applied at `applied_at_ms`.
int64_t ReportedAtMs(int64_t observed_at_ms, int64_t applied_at_ms);

// One unit's value of an indicator for a period.
struct UnitValue {
  Decimal value;
  bool complete = false;        // nothing it is built from is missing (see above)
  bool derived = false;         // built from shorter periods, not reported for the period itself
  int64_t last_applied_ms = 0;  // latest acceptance among the figures it is built from
  int64_t last_reported_ms = 0;  // latest reported_at_ms among them: when it was complete, if it is
};
// The values of one (indicator, period), by unit code.
using UnitValues = std::map<std::string, UnitValue>;

// `unit`'s value from its own figure among `figures` (the period's; may be null) or else from its
// values among `children` (the period's children's, in order); none when it has neither.
std::optional<UnitValue> CombineUnitValue(TimeAggregation time_agg, const ReportedFigures* figures,
                                          const std::vector<const UnitValues*>& children, const std::string& unit);

// CombineUnitValue for every unit that has a figure or a child value.
UnitValues CombineUnitValues(TimeAggregation time_agg, const ReportedFigures* figures,
                             const std::vector<const UnitValues*>& children);

// Every unit's value for `period`, from the figures `figures_of` gives for the period and each
// shorter period within it (null or empty: none), computed afresh (no cache).
UnitValues ComputeUnitValues(TimeAggregation time_agg, const Period& period,
                             const std::function<const ReportedFigures*(const Period&)>& figures_of);

// Every unit's year-to-date value of a flow from its values of the year-to-date spans of a period
// (`spans`, in order, as Period::YearToDate lists them): their sum, complete when the unit has
// every span and each is complete. (A stock's year-to-date value is its value for the period.)
UnitValues YearToDateValues(const std::vector<const UnitValues*>& spans);
// YearToDateValues for one unit; none when it has no value of any span.
std::optional<UnitValue> YearToDateValue(const std::vector<const UnitValues*>& spans, const std::string& unit);

}  // namespace tonghop
