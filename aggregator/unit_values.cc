#include "aggregator/unit_values.h"

#include <algorithm>
#include <set>

namespace tonghop {

std::optional<UnitValue> CombineUnitValue(TimeAggregation time_agg, const ReportedFigures* figures,
                                          const std::vector<const UnitValues*>& children, const std::string& unit) {
  // A unit's own figure for the period wins over what its sub-periods add up to.
  if (figures != nullptr) {
    if (auto it = figures->find(unit); it != figures->end()) {
      return UnitValue{it->second.value.micros(), true, false, it->second.applied_at_ms};
    }
  }
  if (time_agg == TimeAggregation::kLast) {
    // A stock: the value of the last sub-period reported; complete only when that is the last one.
    for (size_t i = children.size(); i-- > 0;) {
      if (auto it = children[i]->find(unit); it != children[i]->end()) {
        return UnitValue{it->second.micros, it->second.complete && i + 1 == children.size(), true,
                         it->second.last_applied_ms};
      }
    }
    return std::nullopt;
  }
  // A flow: the sum of the sub-periods reported; complete when every one is there, and complete.
  UnitValue out{0, true, true, 0};
  bool any = false;
  for (const UnitValues* child : children) {
    auto it = child->find(unit);
    if (it == child->end()) {
      out.complete = false;
      continue;
    }
    any = true;
    out.micros += it->second.micros;
    out.complete = out.complete && it->second.complete;
    out.last_applied_ms = std::max(out.last_applied_ms, it->second.last_applied_ms);
  }
  if (!any) return std::nullopt;
  return out;
}

UnitValues CombineUnitValues(TimeAggregation time_agg, const ReportedFigures* figures,
                             const std::vector<const UnitValues*>& children) {
  std::set<std::string> units;
  for (const UnitValues* child : children) {
    for (const auto& entry : *child) units.insert(entry.first);
  }
  if (figures != nullptr) {
    for (const auto& entry : *figures) units.insert(entry.first);
  }
  UnitValues out;
  for (const std::string& unit : units) {
    if (auto value = CombineUnitValue(time_agg, figures, children, unit)) out.emplace_hint(out.end(), unit, *value);
  }
  return out;
}

UnitValues ComputeUnitValues(TimeAggregation time_agg, const Period& period,
                             const std::function<const ReportedFigures*(const Period&)>& figures_of) {
  std::vector<UnitValues> children;
  for (const Period& child : period.Children()) children.push_back(ComputeUnitValues(time_agg, child, figures_of));
  std::vector<const UnitValues*> child_pointers;
  for (const UnitValues& child : children) child_pointers.push_back(&child);
  return CombineUnitValues(time_agg, figures_of(period), child_pointers);
}

}  // namespace tonghop
