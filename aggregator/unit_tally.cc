#include "aggregator/unit_tally.h"

#include <algorithm>

#include "aggregator/aggregate_warnings.h"

namespace tonghop {

void UnitTally::Replace(const std::string& unit, const UnitValue* before, const UnitValue* after) {
  if ((before == nullptr && after == nullptr) ||
      !std::binary_search(expected_units_->begin(), expected_units_->end(), unit)) {
    return;
  }
  if (before != nullptr) Subtract(unit, *before);
  if (after != nullptr) Add(unit, *after);
}

void UnitTally::Add(const std::string& unit, const UnitValue& value) {
  ++contributing_;
  if (value.complete) ++complete_;
  if (!value.derived) ++direct_;
  sum_ += value.value;
  if (KeepsValues()) values_.insert(value.value);
  if (OutsideRange(*indicator_, value)) outside_range_.insert(unit);
}

void UnitTally::Subtract(const std::string& unit, const UnitValue& value) {
  --contributing_;
  if (value.complete) --complete_;
  if (!value.derived) --direct_;
  sum_ = sum_ - value.value;
  if (KeepsValues()) values_.erase(values_.find(value.value));
  outside_range_.erase(unit);
}

ProvinceValue UnitTally::Value() const {
  ProvinceValue out;
  out.any = contributing_ > 0;
  if (!out.any) return out;
  out.reported = complete_;
  out.contributing = contributing_;
  out.direct = direct_ > 0;
  switch (indicator_->space_agg) {
    case SpaceAggregation::kSum:
    case SpaceAggregation::kNone: out.value = sum_; break;
    case SpaceAggregation::kMax: out.value = *values_.rbegin(); break;
    case SpaceAggregation::kMin: out.value = *values_.begin(); break;
    case SpaceAggregation::kAverage: out.value = *Decimal::Mean(sum_, contributing_); break;
    case SpaceAggregation::kWeightedAverage: break;  // needs the weights: AggregateUnits
  }
  return out;
}

}  // namespace tonghop
