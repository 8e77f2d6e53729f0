#include "aggregator/space_aggregation.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace tonghop {

ProvinceValue AggregateUnits(const Indicator& indicator, const std::vector<std::string>& expected_units,
                             const UnitValues& values, const UnitValues* weights) {
  ProvinceValue out;
  Decimal sum;
  std::optional<Decimal> lowest, highest;
  std::vector<std::pair<Decimal, Decimal>> weighted;
  // Both in unit order: one pass, no lookups (a province of a thousand communes does this for
  // every aggregate a burst touches).
  auto value = values.begin();
  for (const std::string& unit : expected_units) {
    while (value != values.end() && value->first < unit) ++value;
    if (value == values.end()) break;
    if (value->first != unit) continue;
    const UnitValue& of_unit = value->second;
    bool complete = of_unit.complete;
    if (weights != nullptr) {
      auto weight = weights->find(unit);
      if (weight == weights->end()) continue;
      complete = complete && weight->second.complete;
      weighted.emplace_back(of_unit.value, weight->second.value);
    }
    out.any = true;
    out.direct = out.direct || !of_unit.derived;
    if (complete) ++out.reported;
    ++out.contributing;
    sum += of_unit.value;
    lowest = lowest ? std::min(*lowest, of_unit.value) : of_unit.value;
    highest = highest ? std::max(*highest, of_unit.value) : of_unit.value;
  }
  if (!out.any) return out;
  switch (indicator.space_agg) {
    case SpaceAggregation::kSum:
    case SpaceAggregation::kNone: out.value = sum; break;
    case SpaceAggregation::kMax: out.value = *highest; break;
    case SpaceAggregation::kMin: out.value = *lowest; break;
    case SpaceAggregation::kAverage: out.value = *Decimal::Mean(sum, out.contributing); break;
    case SpaceAggregation::kWeightedAverage: out.value = Decimal::WeightedMean(weighted).value_or(Decimal()); break;
  }
  return out;
}

}  // namespace tonghop
