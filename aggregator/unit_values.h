// Unit values: the time-aggregation rule that gives one reporting unit's value of an indicator for
// a period (docs/DATA-MODEL.md, "Over time: derived periods and year-to-date"):
//  - the unit's own figure for the period, when it reported one, wins;
//  - otherwise the value is derived from the unit's values of the period's children (a quarter's
//    months, a half-year's quarters, a year's halves), themselves reported or derived:
//    a flow (time_agg sum) is their sum, complete when every child is there and complete;
//    a stock (time_agg last) is the last child's that the unit has, complete only when that is
//    the period's last child.
// The rule alone, with no storage and no cache: ProvinceState applies it to its figures in memory
// (caching what it computes across bursts), the query thread to the figures of a database
// snapshot (aggregator/snapshot_queries.h). Pure functions; safe from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop {

// A figure as a unit reported it for one (indicator, period).
struct ReportedFigure {
  Decimal value;
  int64_t applied_at_ms = 0;  // when the aggregator accepted it (for timeliness)
};
// The figures of one (indicator, period), by unit code.
using ReportedFigures = std::map<std::string, ReportedFigure>;

// One unit's value of an indicator for a period.
struct UnitValue {
  __int128 micros = 0;
  bool complete = false;      // nothing it is built from is missing (see above)
  bool derived = false;       // built from shorter periods, not reported for the period itself
  int64_t last_applied_ms = 0;  // latest acceptance among the figures it is built from
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

}  // namespace tonghop
