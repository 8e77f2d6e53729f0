// The soft validation rules (docs/DATA-MODEL.md, "Validation"): warnings that travel with the
// province value they concern and never block it.
//  - parts_sum: the parts of a total (part_of) do not add up to it (parts_rule =) or exceed it
//    (<=); judged once the total and every part are complete, since before that a difference only
//    says that someone has not reported yet;
//  - min_max: a unit's reported figure (not one derived from shorter periods, which a range set for
//    reported figures would not fit) is outside the indicator's [min, max];
//  - yoy_change: the complete value changed against the same period a year before by more than
//    yoy_threshold_pct, either way.
// Pure; part of ProvinceState, testable alone.
#pragma once

#include <functional>
#include <set>
#include <string>

#include "aggregator/space_aggregation.h"
#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/period.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

// Whether a unit's value breaks the min_max rule: reported for the period itself and outside the
// indicator's [min, max]. UnitTally keeps the expected units that do, as their values change.
bool OutsideRange(const Indicator& indicator, const UnitValue& value);

// Appends to `out`, the version of (indicator, period) as computed so far (its value, partial flag
// and yoy_pct set), a warning for each rule it breaks. `outside_range` are the expected units whose
// value of the period is OutsideRange, in unit order; `value_of` gives the province value of
// another indicator (a part) for the same period.
void AddWarnings(const Catalog& catalog, const Indicator& indicator, const Period& period, const ProvinceValue& value,
                 const std::set<std::string>& outside_range,
                 const std::function<ProvinceValue(const Indicator&)>& value_of, tonghop::v1::AggregateUpdate* out);

}  // namespace tonghop
