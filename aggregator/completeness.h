// Completeness and timeliness (docs/DATA-MODEL.md, "Completeness and timeliness"): what the
// numbers beside a province value say about who stands behind it, and what `tonghop status` says
// about who is due, late and overdue. Pure functions of unit values and the catalog; part of
// ProvinceState and of the query thread's status, testable alone.
//
//  - A unit has reported a period when its value of it is complete (aggregator/unit_values.h).
//    units_reported counts those among the expected units (aggregator/unit_tally.h keeps the
//    count); a value is partial while it is fewer than units_expected.
//  - A derived period (one no unit reported itself) lists the periods it is built of, as people
//    count them: a year's and a half-year's quarters, a quarter's months; each with the units whose
//    value of it is complete and the units with any figure in it. "1/4 quý" is one quarter of four
//    with figures.
//  - An indicator is due for the periods of its reporting period type: the longest type of its
//    catalog period_type (Lạng Sơn's month|quarter: quarters). A shorter type is a unit's option,
//    taken and counted, never expected nor overdue; a longer period (a year) is due as its due
//    periods are. A due period's figure is late when the unit reported it after the period's end
//    plus deadline_days, and overdue while it is missing after that.
#pragma once

#include <cstdint>
#include <vector>

#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/period.h"

namespace tonghop {

// The periods a derived `period` is built of, as its completeness is told: a year's or a half's
// quarters, a quarter's months; none for a month.
std::vector<Period> CompletenessSubPeriods(const Period& period);

// The period type units are due to report `indicator` for: the longest of its period_type.
Period::Type DuePeriodType(const Indicator& indicator);
// The due periods within `period`: itself when it is of the due type, each of its due sub-periods
// when it is longer (a year's quarters), none when it is shorter (a month of a quarterly indicator).
std::vector<Period> DuePeriodsWithin(const Indicator& indicator, const Period& period);
// When a unit's figure of due period `period` is late after: its end plus deadline_days; none
// without a deadline.
std::optional<int64_t> DueMs(const Indicator& indicator, const Period& period);

struct UnitTimeliness {
  bool expected = false;  // the period holds a due period of the indicator
  bool reported = false;  // the unit's value of every due period within it is complete
  bool late = false;      // one of those was reported after its deadline
  bool overdue = false;   // one of them is missing, or incomplete, after its deadline
};
// One expected unit's timeliness for a period: `due_values[i]` is the unit's value of
// DuePeriodsWithin(indicator, period)[i], null when it has none. `now_ms` decides what is overdue.
UnitTimeliness JudgeUnit(const Indicator& indicator, const std::vector<Period>& due_periods,
                         const std::vector<const UnitValue*>& due_values, int64_t now_ms);

}  // namespace tonghop
