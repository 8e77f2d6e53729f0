#include "aggregator/unit_values.h"

#include <algorithm>
#include <set>

namespace tonghop {

int64_t ReportedAtMs(int64_t observed_at_ms, int64_t applied_at_ms) {
  return observed_at_ms > 0 && observed_at_ms < applied_at_ms ? observed_at_ms : applied_at_ms;
}

namespace {

// The sum of `unit`'s values among `parts`: complete when every part has one and it is complete.
std::optional<UnitValue> SumOfParts(const std::vector<const UnitValues*>& parts, const std::string& unit) {
  UnitValue out{Decimal(), true, true, 0, 0};
  bool any = false;
  for (const UnitValues* part : parts) {
    auto it = part->find(unit);
    if (it == part->end()) {
      out.complete = false;
      continue;
    }
    any = true;
    out.value += it->second.value;
    out.complete = out.complete && it->second.complete;
    out.last_applied_ms = std::max(out.last_applied_ms, it->second.last_applied_ms);
    out.last_reported_ms = std::max(out.last_reported_ms, it->second.last_reported_ms);
  }
  if (!any) return std::nullopt;
  return out;
}

std::set<std::string> UnitsOf(const std::vector<const UnitValues*>& values) {
  std::set<std::string> units;
  for (const UnitValues* of : values) {
    for (const auto& entry : *of) units.insert(entry.first);
  }
  return units;
}

}  // namespace

std::optional<UnitValue> CombineUnitValue(TimeAggregation time_agg, const ReportedFigures* figures,
                                          const std::vector<const UnitValues*>& children, const std::string& unit) {
  // A unit's own figure for the period wins over what its sub-periods add up to.
  if (figures != nullptr) {
    if (auto it = figures->find(unit); it != figures->end()) {
      // A partial total of the level below is a figure, but not yet a complete one.
      return UnitValue{it->second.value, !it->second.below.partial, false, it->second.applied_at_ms,
                       it->second.reported_at_ms};
    }
  }
  if (time_agg == TimeAggregation::kLast) {
    // A stock: the value of the last sub-period reported; complete only when that is the last one.
    for (size_t i = children.size(); i-- > 0;) {
      if (auto it = children[i]->find(unit); it != children[i]->end()) {
        UnitValue out = it->second;
        out.complete = out.complete && i + 1 == children.size();
        out.derived = true;
        return out;
      }
    }
    return std::nullopt;
  }
  // A flow: the sum of the sub-periods reported; complete when every one is there, and complete.
  return SumOfParts(children, unit);
}

UnitValues CombineUnitValues(TimeAggregation time_agg, const ReportedFigures* figures,
                             const std::vector<const UnitValues*>& children) {
  std::set<std::string> units = UnitsOf(children);
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

std::optional<UnitValue> YearToDateValue(const std::vector<const UnitValues*>& spans, const std::string& unit) {
  auto value = SumOfParts(spans, unit);
  if (value) value->derived = spans.size() > 1 || value->derived;
  return value;
}

UnitValues YearToDateValues(const std::vector<const UnitValues*>& spans) {
  UnitValues out;
  for (const std::string& unit : UnitsOf(spans)) {
    if (auto value = YearToDateValue(spans, unit)) out.emplace_hint(out.end(), unit, *value);
  }
  return out;
}

}  // namespace tonghop
