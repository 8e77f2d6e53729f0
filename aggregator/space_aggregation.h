// The space aggregation rule (docs/DATA-MODEL.md, "Over units: space aggregation"): how the
// values of the units the catalog expects make the province value of one indicator and period,
// by the indicator's space_agg, and how many of those units are complete. Only expected units
// count: a unit may have been dropped from reported_by by a catalog edit. Pure; part of
// ProvinceState, testable alone.
#pragma once

#include <cstdint>

#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/decimal.h"

namespace tonghop {

struct ProvinceValue {
  bool any = false;            // some expected unit has a value
  Decimal value;               // the province value (zero when none has)
  uint32_t reported = 0;       // expected units whose value (and weight) is complete
  uint32_t contributing = 0;   // expected units whose values make up `value`
  bool direct = false;         // some unit reported the period itself (the value is not derived)
};

// The province value of `values`, one unit's value each, by `indicator`'s space aggregation. For
// weighted_avg, `weights` are the units' values of the weight indicator for the same span; a unit
// without a weight cannot be placed in the average and is left out. `expected_units` are the units
// expected for the span (Catalog::ExpectedUnits), sorted; values of other units are left out.
ProvinceValue AggregateUnits(const Indicator& indicator, const std::vector<std::string>& expected_units,
                             const UnitValues& values, const UnitValues* weights);

}  // namespace tonghop
