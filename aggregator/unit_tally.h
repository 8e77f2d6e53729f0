// UnitTally: the province value of one memoized UnitValues (one indicator and period, or its
// year to date), kept up to date as units' values are replaced, so that a changed figure costs its
// own units, not all the units of the province. It holds what AggregateUnits reads from the values
// of the expected units, without weights: their exact sum, how many there are, how many are
// complete and how many are not derived, for min and max every value (a replaced value leaves
// the multiset, so the extreme stays exact), and the units whose figure breaks the min_max rule. Decimal sums are exact, so subtracting a replaced value
// restores exactly what adding it changed: the tally equals AggregateUnits(indicator, values,
// nullptr) after any sequence of replacements (unit_tally_test.cc pins that).
// Part of FigureStore, testable alone; not thread-safe.
#pragma once

#include <cstdint>
#include <set>
#include <string>

#include "aggregator/space_aggregation.h"
#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/decimal.h"

namespace tonghop {

class UnitTally {
 public:
  // `indicator` and `expected_units` (Catalog::ExpectedUnits of the span) are the catalog's, which
  // outlives the tally.
  UnitTally(const Indicator& indicator, const std::vector<std::string>& expected_units)
      : indicator_(&indicator), expected_units_(&expected_units) {}

  // `unit`'s value went from `before` to `after` (null: none).
  void Replace(const std::string& unit, const UnitValue* before, const UnitValue* after);

  // AggregateUnits(indicator, values, nullptr) of the values tallied. For weighted_avg, which needs
  // the weights, only `any`, `reported`, `contributing` and `direct` hold.
  ProvinceValue Value() const;
  // The units expected for the span, whose values it tallies.
  const std::vector<std::string>& expected_units() const { return *expected_units_; }
  // Expected units with a value, and those whose value is complete.
  uint32_t units_with_values() const { return contributing_; }
  uint32_t units_complete() const { return complete_; }
  // Expected units whose value is OutsideRange (aggregator/aggregate_warnings.h), in unit order.
  const std::set<std::string>& outside_range() const { return outside_range_; }

 private:
  void Add(const std::string& unit, const UnitValue& value);
  void Subtract(const std::string& unit, const UnitValue& value);
  bool KeepsValues() const {
    return indicator_->space_agg == SpaceAggregation::kMin || indicator_->space_agg == SpaceAggregation::kMax;
  }

  const Indicator* indicator_;
  const std::vector<std::string>* expected_units_;
  Decimal sum_;
  uint32_t contributing_ = 0;
  uint32_t complete_ = 0;
  uint32_t direct_ = 0;
  std::multiset<Decimal> values_;  // for min and max only
  std::set<std::string> outside_range_;
};

}  // namespace tonghop
