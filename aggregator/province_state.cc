#include "aggregator/province_state.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

namespace tonghop {
namespace {

// The double nearest the exact decimal, in one correctly rounded division, so it prints as it.
double ToDouble(__int128 micros) { return static_cast<double>(micros) / Decimal::kMicrosPerUnit; }

std::string DecimalText(__int128 micros) {
  if (micros > INT64_MAX || micros < INT64_MIN) return fmt::format("{}", ToDouble(micros));
  return Decimal::FromMicros(static_cast<int64_t>(micros)).ToString();
}

__int128 RoundDiv(long double numerator, long double denominator) {
  return static_cast<__int128>(std::llroundl(numerator / denominator));
}

}  // namespace

std::optional<Decimal> ProvinceState::SetUnitValue(const Indicator& indicator, const Period& period,
                                                   const std::string& unit, Decimal value, int64_t applied_at_ms) {
  Key key{indicator.id, period.ToString()};
  values_cache_.clear();
  auto& units = figures_[key];
  std::optional<Decimal> previous;
  auto [it, inserted] = units.try_emplace(unit, Figure{value, applied_at_ms});
  if (!inserted) {
    previous = it->second.value;
    it->second = Figure{value, applied_at_ms};
  }
  changed_.insert(std::move(key));
  return previous;
}

void ProvinceState::MarkDirtyAfterChange(const Key& changed) {
  const Indicator* indicator = catalog_->FindIndicator(changed.first);
  Period period;
  if (indicator == nullptr || !Period::Parse(changed.second, &period).ok()) return;  // SetUnitValue had both
  auto& periods = periods_[indicator->id];
  for (std::optional<Period> p = period; p; p = p->Parent()) periods.insert(p->ToString());
  MarkDirty(indicator->id, period);
  if (!indicator->part_of.empty()) MarkDirty(indicator->part_of, period);
  for (const Indicator* weighted : catalog_->WeightedBy(indicator->id)) MarkDirty(weighted->id, period);
}

void ProvinceState::MarkDirty(const std::string& indicator, const Period& changed) {
  auto it = periods_.find(indicator);
  if (it == periods_.end()) return;
  // Period texts start with their four-digit year, so a year's periods sort together. A figure is
  // read by the periods of its year that end at or after its start (their value or year-to-date)
  // and by those of the next year that do (their year-on-year); no other.
  const std::string first = fmt::format("{:04d}", changed.year());
  const std::string after = fmt::format("{:04d}", changed.year() + 2);
  for (auto p = it->second.lower_bound(first); p != it->second.end() && *p < after; ++p) {
    Period candidate;
    if (Period::Parse(*p, &candidate).ok() && candidate.last_month() < changed.first_month()) continue;
    dirty_.insert({indicator, *p});
  }
}

void ProvinceState::RestoreAggregate(const tonghop::v1::AggregateUpdate& version) { table_.Apply(version); }

void ProvinceState::MarkAllDirty() {
  for (const Key& changed : changed_) MarkDirtyAfterChange(changed);
  changed_.clear();
  for (const auto& [indicator, periods] : periods_) {
    for (const auto& period : periods) dirty_.insert({indicator, period});
  }
}

std::vector<tonghop::v1::AggregateUpdate> ProvinceState::Flush(uint64_t* last_seq, int64_t now_ms) {
  for (const Key& changed : changed_) MarkDirtyAfterChange(changed);
  changed_.clear();
  std::vector<tonghop::v1::AggregateUpdate> versions;
  const std::string* indicator = nullptr;
  for (const Key& key : dirty_) {
    if (indicator == nullptr || *indicator != key.first) {
      values_cache_.clear();
      indicator = &key.first;
    }
    tonghop::v1::AggregateUpdate next = Compute(key.first, key.second);
    const tonghop::v1::AggregateUpdate* held = table_.Find(key.first, key.second);
    if (held != nullptr) {
      tonghop::v1::AggregateUpdate content = *held;
      content.clear_seq();
      content.clear_prev_seq();
      content.clear_updated_at_ms();
      // Deterministic for the same content: no maps in AggregateUpdate.
      if (content.SerializeAsString() == next.SerializeAsString()) continue;  // nothing a subscriber sees changed
    }
    next.set_seq(++*last_seq);
    next.set_prev_seq(held ? held->seq() : 0);
    next.set_updated_at_ms(now_ms);
    table_.Apply(next);
    versions.push_back(std::move(next));
  }
  dirty_.clear();
  values_cache_.clear();
  return versions;
}

std::optional<ProvinceState::UnitValue> ProvinceState::ValueOfUnit(const Indicator& indicator, const Period& period,
                                                                   const std::string& unit) const {
  const UnitValues& values = ValuesOfUnits(indicator, period);
  auto it = values.find(unit);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

const ProvinceState::UnitValues& ProvinceState::ValuesOfUnits(const Indicator& indicator, const Period& period) const {
  Key key{indicator.id, period.ToString()};
  if (auto cached = values_cache_.find(key); cached != values_cache_.end()) return cached->second;
  UnitValues out;
  std::vector<const UnitValues*> children;
  for (const Period& child : period.Children()) children.push_back(&ValuesOfUnits(indicator, child));
  if (indicator.time_agg == TimeAggregation::kLast) {
    // A stock: the value of the last sub-period reported; complete only when that is the last one.
    for (size_t i = children.size(); i-- > 0;) {
      for (const auto& [unit, value] : *children[i]) {
        out.try_emplace(unit, UnitValue{value.micros, value.complete && i + 1 == children.size(), true,
                                        value.last_applied_ms});
      }
    }
  } else {
    // A flow: the sum of the sub-periods reported; complete when every one is, and complete.
    for (const UnitValues* child : children) {
      for (const auto& [unit, value] : *child) {
        auto [it, inserted] = out.try_emplace(unit, UnitValue{0, true, true, 0});
        it->second.micros += value.micros;
        it->second.complete = it->second.complete && value.complete;
        it->second.last_applied_ms = std::max(it->second.last_applied_ms, value.last_applied_ms);
      }
    }
    for (auto& [unit, value] : out) {
      for (const UnitValues* child : children) value.complete = value.complete && child->count(unit) > 0;
    }
  }
  // A unit's own figure for the period wins over what its sub-periods add up to.
  if (auto figures = figures_.find(key); figures != figures_.end()) {
    for (const auto& [unit, figure] : figures->second) {
      out.insert_or_assign(unit, UnitValue{figure.value.micros(), true, false, figure.applied_at_ms});
    }
  }
  return values_cache_.emplace(std::move(key), std::move(out)).first->second;
}

bool ProvinceState::IsExpected(const Indicator& indicator, const std::string& unit) const {
  auto [it, inserted] = expected_units_.try_emplace(indicator.id);
  if (inserted) it->second.insert(indicator.expected_units.begin(), indicator.expected_units.end());
  return it->second.count(unit) > 0;
}

ProvinceState::ProvinceValue ProvinceState::Aggregate(const Indicator& indicator, const Period& period) const {
  ProvinceValue out;
  const Indicator* weight = indicator.space_agg == SpaceAggregation::kWeightedAverage
                                ? catalog_->FindIndicator(indicator.weight_indicator)
                                : nullptr;
  __int128 sum = 0;
  long double weighted_sum = 0, weights = 0;
  uint32_t count = 0;
  std::optional<__int128> lowest, highest;
  const UnitValues* weight_values = weight != nullptr ? &ValuesOfUnits(*weight, period) : nullptr;
  for (const auto& [unit, unit_value] : ValuesOfUnits(indicator, period)) {
    // Only expected units count: a unit may have been dropped from reported_by by a catalog edit.
    if (!IsExpected(indicator, unit)) continue;
    const UnitValue* value = &unit_value;
    bool complete = value->complete;
    if (weight_values != nullptr) {
      auto w = weight_values->find(unit);
      if (w == weight_values->end()) continue;  // a figure without its weight cannot be placed in the average
      complete = complete && w->second.complete;
      weighted_sum += static_cast<long double>(value->micros) * static_cast<long double>(w->second.micros);
      weights += static_cast<long double>(w->second.micros);
    }
    out.any = true;
    out.direct = out.direct || !value->derived;
    if (complete) ++out.reported;
    ++count;
    sum += value->micros;
    lowest = lowest ? std::min(*lowest, value->micros) : value->micros;
    highest = highest ? std::max(*highest, value->micros) : value->micros;
  }
  if (!out.any) return out;
  switch (indicator.space_agg) {
    case SpaceAggregation::kSum:
    case SpaceAggregation::kNone: out.micros = sum; break;
    case SpaceAggregation::kMax: out.micros = *highest; break;
    case SpaceAggregation::kMin: out.micros = *lowest; break;
    case SpaceAggregation::kAverage: out.micros = RoundDiv(static_cast<long double>(sum), count); break;
    case SpaceAggregation::kWeightedAverage: out.micros = weights == 0 ? 0 : RoundDiv(weighted_sum, weights); break;
  }
  return out;
}

tonghop::v1::AggregateUpdate ProvinceState::Compute(const std::string& indicator_id, const std::string& period_text) const {
  const Indicator* indicator = catalog_->FindIndicator(indicator_id);
  tonghop::v1::AggregateUpdate out;
  out.set_indicator(indicator_id);
  out.set_period(period_text);
  Period period;
  // Only after a catalog edit removed the indicator; keeps the old version visible.
  if (indicator == nullptr || !Period::Parse(period_text, &period).ok()) return out;
  out.set_unit(indicator->unit);
  out.set_units_expected(static_cast<uint32_t>(indicator->expected_units.size()));

  ProvinceValue value = Aggregate(*indicator, period);
  out.set_value(ToDouble(value.micros));
  out.set_units_reported(value.reported);
  out.set_derived(!value.direct);
  // A derived period is also partial while any unit lacks one of its sub-periods.
  out.set_partial(value.reported < indicator->expected_units.size());

  __int128 ytd = value.micros;
  if (indicator->time_agg == TimeAggregation::kSum) {
    std::vector<Period> spans = period.YearToDate();
    if (spans.size() > 1 || !(spans.front() == period)) {
      ytd = 0;
      for (const Period& span : spans) ytd += Aggregate(*indicator, span).micros;
    }
  }
  out.set_ytd_value(ToDouble(ytd));
  if (auto plan = catalog_->Plan(indicator_id, period.year())) {
    out.set_pct_of_plan(static_cast<double>(static_cast<long double>(ytd) / plan->micros() * 100));
  }
  // Stored figures of the year before win over the catalog's baseline: they are what the units
  // reported, and they can be corrected like any figure.
  const Period previous = period.SameSpanPreviousYear();
  std::optional<__int128> before;
  if (ProvinceValue stored = Aggregate(*indicator, previous); stored.any) before = stored.micros;
  else if (auto baseline = catalog_->Baseline(indicator_id, previous)) before = baseline->micros();
  if (before && *before != 0) {
    out.set_yoy_pct(static_cast<double>((static_cast<long double>(value.micros) / *before - 1) * 100));
  }
  AddWarnings(*indicator, period, value, &out);
  return out;
}

void ProvinceState::AddWarnings(const Indicator& indicator, const Period& period, const ProvinceValue& value,
                                tonghop::v1::AggregateUpdate* out) const {
  auto add = [&](const char* rule, std::string text) {
    auto* warning = out->add_warnings();
    warning->set_rule(rule);
    warning->set_indicator(indicator.id);
    warning->set_period(out->period());
    warning->set_text(std::move(text));
    return warning;
  };
  // Parts against their total, once the total and every part are complete: before that a
  // difference only says that someone has not reported yet.
  if (indicator.parts_rule != PartsRule::kNone && !out->partial()) {
    std::vector<const Indicator*> parts = catalog_->PartsOf(indicator.id);
    __int128 parts_sum = 0;
    bool complete = !parts.empty();
    for (const Indicator* part : parts) {
      ProvinceValue p = Aggregate(*part, period);
      complete = complete && p.any && p.reported == part->expected_units.size();
      parts_sum += p.micros;
    }
    bool broken = indicator.parts_rule == PartsRule::kEqual ? parts_sum != value.micros : parts_sum > value.micros;
    if (complete && broken) {
      auto* warning = add("parts_sum", fmt::format("the parts add up to {}, {} the total {} ({} {})", DecimalText(parts_sum),
                                                   indicator.parts_rule == PartsRule::kEqual ? "not equal to" : "above",
                                                   DecimalText(value.micros), indicator.parts_rule == PartsRule::kEqual ? "=" : "<=",
                                                   "in the catalog"));
      for (const Indicator* part : parts) warning->add_units(part->id);
    }
  }
  if (indicator.min || indicator.max) {
    std::vector<std::string> outside;
    for (const std::string& unit : indicator.expected_units) {
      auto v = ValueOfUnit(indicator, period, unit);
      // A range is set for the figures units report; a derived sum of several would not fit it.
      if (!v || v->derived) continue;
      if ((indicator.min && v->micros < indicator.min->micros()) || (indicator.max && v->micros > indicator.max->micros())) {
        outside.push_back(unit);
      }
    }
    if (!outside.empty()) {
      auto* warning = add("min_max", fmt::format("{} unit(s) reported a figure outside the range [{}, {}]: {}", outside.size(),
                                                 indicator.min ? indicator.min->ToString() : "-",
                                                 indicator.max ? indicator.max->ToString() : "-", fmt::join(outside, ", ")));
      for (auto& unit : outside) warning->add_units(unit);
    }
  }
  if (indicator.yoy_threshold_pct && out->has_yoy_pct() && !out->partial() &&
      std::fabs(out->yoy_pct()) > indicator.yoy_threshold_pct->ToDouble()) {
    add("yoy_change", fmt::format("changed by {:+.1f}% against {}, beyond the catalog's threshold of {}%", out->yoy_pct(),
                                  period.SameSpanPreviousYear().ToString(), indicator.yoy_threshold_pct->ToString()));
  }
}

void ProvinceState::Clear() {
  values_cache_.clear();
  changed_.clear();
  figures_.clear();
  periods_.clear();
  dirty_.clear();
  table_.Clear();
}

size_t ProvinceState::unit_value_count() const {
  size_t n = 0;
  for (const auto& [key, units] : figures_) n += units.size();
  return n;
}

}  // namespace tonghop
