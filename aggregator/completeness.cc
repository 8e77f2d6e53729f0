#include "aggregator/completeness.h"

#include <algorithm>

namespace tonghop {
namespace {

constexpr int64_t kMsPerDay = 86'400'000;

// The longest type in `types`, as a mask of PeriodTypeBit.
Period::Type Longest(PeriodTypeSet types) {
  for (auto type : {Period::Type::kYear, Period::Type::kHalfYear, Period::Type::kQuarter, Period::Type::kMonth}) {
    if (types & PeriodTypeBit(type)) return type;
  }
  return Period::Type::kYear;
}

// How many months a period of `type` spans, so that types compare by length.
int Months(Period::Type type) {
  switch (type) {
    case Period::Type::kYear: return 12;
    case Period::Type::kHalfYear: return 6;
    case Period::Type::kQuarter: return 3;
    case Period::Type::kMonth: return 1;
  }
  return 12;
}

void CollectOfType(const Period& period, Period::Type type, std::vector<Period>* out) {
  if (period.type() == type) {
    out->push_back(period);
    return;
  }
  for (const Period& child : period.Children()) CollectOfType(child, type, out);
}

}  // namespace

std::vector<Period> CompletenessSubPeriods(const Period& period) {
  std::vector<Period> out;
  switch (period.type()) {
    case Period::Type::kMonth: return out;
    case Period::Type::kQuarter: return period.Children();
    case Period::Type::kHalfYear:
    case Period::Type::kYear: CollectOfType(period, Period::Type::kQuarter, &out); return out;
  }
  return out;
}

Period::Type DuePeriodType(const Indicator& indicator) { return Longest(indicator.period_types); }

std::vector<Period> DuePeriodsWithin(const Indicator& indicator, const Period& period) {
  const Period::Type due = DuePeriodType(indicator);
  std::vector<Period> out;
  if (Months(period.type()) < Months(due)) return out;
  CollectOfType(period, due, &out);
  return out;
}

std::optional<int64_t> DueMs(const Indicator& indicator, const Period& period) {
  if (!indicator.deadline_days) return std::nullopt;
  return period.EndMs() + *indicator.deadline_days * kMsPerDay;
}

UnitTimeliness JudgeUnit(const Indicator& indicator, const std::vector<Period>& due_periods,
                         const std::vector<const UnitValue*>& due_values, int64_t now_ms) {
  UnitTimeliness out;
  out.expected = !due_periods.empty();
  out.reported = out.expected;
  for (size_t i = 0; i < due_periods.size(); ++i) {
    const UnitValue* value = due_values[i];
    const std::optional<int64_t> due = DueMs(indicator, due_periods[i]);
    const bool complete = value != nullptr && value->complete;
    out.reported = out.reported && complete;
    if (!due) continue;
    if (complete && value->last_reported_ms > *due) out.late = true;
    if (!complete && now_ms > *due) out.overdue = true;
  }
  return out;
}

}  // namespace tonghop
