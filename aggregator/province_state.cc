#include "aggregator/province_state.h"

#include <algorithm>
#include <cmath>
#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/wire_protocol.h"

namespace tonghop {
namespace {

std::string DecimalText(__int128 micros) { return Decimal::FromMicros(micros).ToString(); }

// "+179.0", "-2.6": a percentage with its sign and one decimal.
std::string SignedPercentText(Decimal pct) {
  std::string text = pct.Rounded(1).ToString();
  if (text.find('.') == std::string::npos) text += ".0";
  return pct.negative() ? text : "+" + text;
}

}  // namespace

std::optional<Decimal> ProvinceState::SetUnitValue(const Indicator& indicator, const Period& period,
                                                   const std::string& unit, Decimal value, int64_t applied_at_ms) {
  Key key{indicator.id, period.ToString()};
  changed_.insert(key);
  // An empty cache holds nothing stale (a restart loads every figure into it).
  if (!values_cache_.empty()) uncached_changes_[key].insert(unit);
  auto& units = figures_[std::move(key)];
  std::optional<Decimal> previous;
  auto [it, inserted] = units.try_emplace(unit, ReportedFigure{value, applied_at_ms});
  if (!inserted) {
    previous = it->second.value;
    it->second = ReportedFigure{value, applied_at_ms};
  }
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

void ProvinceState::LoadUnitValue(const Indicator& indicator, const std::string& period, const std::string& unit,
                                  Decimal value, int64_t applied_at_ms) {
  figures_[Key{indicator.id, period}].insert_or_assign(unit, ReportedFigure{value, applied_at_ms});
}

void ProvinceState::RestoreAggregate(const tonghop::v1::AggregateUpdate& version, bool recompute) {
  table_.Apply(version);
  if (!recompute) return;
  // Every period with figures has its stored aggregate, and so its place here for MarkDirty.
  periods_[version.indicator()].insert(version.period());
}

uint64_t ProvinceState::RulesFingerprint() const { return catalog_->fingerprint() * 31 + kRulesVersion; }

void ProvinceState::TakeChanges() {
  for (const Key& changed : changed_) MarkDirtyAfterChange(changed);
  changed_.clear();
}

void ProvinceState::MarkStale() const {
  for (const auto& [changed, units] : uncached_changes_) {
    // The cached values of the period and its ancestors are stale for these units only.
    Period period;
    if (!Period::Parse(changed.second, &period).ok()) continue;
    for (std::optional<Period> p = period; p; p = p->Parent()) {
      Key key{changed.first, p->ToString()};
      if (values_cache_.count(key)) stale_units_[key].insert(units.begin(), units.end());
    }
  }
  uncached_changes_.clear();
}

std::vector<tonghop::v1::AggregateUpdate> ProvinceState::Flush(uint64_t* last_seq, int64_t now_ms) {
  TakeChanges();
  std::vector<tonghop::v1::AggregateUpdate> versions;
  for (const Key& key : dirty_) {
    // Bounds the cache while a restart recomputes every aggregate; nothing refers into it here.
    if (cached_unit_values_ > kMaxCachedUnitValues) ForgetAllValuesOfUnits();
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
  return versions;
}

std::optional<ProvinceState::UnitValue> ProvinceState::ValueOfUnit(const Indicator& indicator, const Period& period,
                                                                   const std::string& unit) const {
  const UnitValues& values = ValuesOfUnits(indicator, period);
  auto it = values.find(unit);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

const UnitValues& ProvinceState::ValuesOfUnits(const Indicator& indicator, const Period& period) const {
  if (!uncached_changes_.empty()) MarkStale();
  Key key{indicator.id, period.ToString()};
  auto cached = values_cache_.find(key);
  auto stale = stale_units_.find(key);
  if (cached != values_cache_.end() && stale == stale_units_.end()) return cached->second;
  std::vector<const UnitValues*> children;
  for (const Period& child : period.Children()) children.push_back(&ValuesOfUnits(indicator, child));
  auto direct = figures_.find(key);
  const ReportedFigures* figures = direct == figures_.end() ? nullptr : &direct->second;
  if (cached != values_cache_.end()) {
    // Only the units whose figures changed since it was cached.
    for (const std::string& unit : stale->second) {
      auto value = CombineUnitValue(indicator.time_agg, figures, children, unit);
      auto it = cached->second.find(unit);
      if (value && it != cached->second.end()) {
        it->second = *value;
      } else if (value) {
        cached->second.emplace(unit, *value);
        ++cached_unit_values_;
      } else if (it != cached->second.end()) {
        cached->second.erase(it);
        --cached_unit_values_;
      }
    }
    stale_units_.erase(stale);
    return cached->second;
  }
  UnitValues out = CombineUnitValues(indicator.time_agg, figures, children);
  if (stale != stale_units_.end()) stale_units_.erase(stale);
  cached_unit_values_ += out.size();
  return values_cache_.emplace(std::move(key), std::move(out)).first->second;
}

void ProvinceState::ForgetAllValuesOfUnits() const {
  values_cache_.clear();
  stale_units_.clear();
  uncached_changes_.clear();
  cached_unit_values_ = 0;
}

const std::unordered_set<std::string>& ProvinceState::ExpectedUnits(const Indicator& indicator) const {
  auto [it, inserted] = expected_units_.try_emplace(indicator.id);
  if (inserted) it->second.insert(indicator.expected_units.begin(), indicator.expected_units.end());
  return it->second;
}

ProvinceState::ProvinceValue ProvinceState::Aggregate(const Indicator& indicator, const Period& period) const {
  ProvinceValue out;
  const Indicator* weight = indicator.space_agg == SpaceAggregation::kWeightedAverage
                                ? catalog_->FindIndicator(indicator.weight_indicator)
                                : nullptr;
  __int128 sum = 0;
  std::vector<std::pair<Decimal, Decimal>> weighted;
  uint32_t count = 0;
  std::optional<__int128> lowest, highest;
  const UnitValues* weight_values = weight != nullptr ? &ValuesOfUnits(*weight, period) : nullptr;
  const std::unordered_set<std::string>& expected = ExpectedUnits(indicator);
  for (const auto& [unit, unit_value] : ValuesOfUnits(indicator, period)) {
    // Only expected units count: a unit may have been dropped from reported_by by a catalog edit.
    if (!expected.count(unit)) continue;
    const UnitValue* value = &unit_value;
    bool complete = value->complete;
    if (weight_values != nullptr) {
      auto w = weight_values->find(unit);
      if (w == weight_values->end()) continue;  // a figure without its weight cannot be placed in the average
      complete = complete && w->second.complete;
      weighted.emplace_back(Decimal::FromMicros(value->micros), Decimal::FromMicros(w->second.micros));
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
    case SpaceAggregation::kAverage: out.micros = Decimal::Mean(Decimal::FromMicros(sum), count)->micros(); break;
    case SpaceAggregation::kWeightedAverage:
      out.micros = Decimal::WeightedMean(weighted).value_or(Decimal()).micros();
      break;
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
  SetValue(Decimal::FromMicros(value.micros), &out);
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
  SetYtdValue(Decimal::FromMicros(ytd), &out);
  if (auto plan = catalog_->Plan(indicator_id, period.year())) {
    SetPctOfPlan(Decimal::Ratio(Decimal::FromMicros(ytd), *plan, 100), &out);
  }
  // Stored figures of the year before win over the catalog's baseline: they are what the units
  // reported, and they can be corrected like any figure.
  const Period previous = period.SameSpanPreviousYear();
  std::optional<__int128> before;
  if (ProvinceValue stored = Aggregate(*indicator, previous); stored.any) before = stored.micros;
  else if (auto baseline = catalog_->Baseline(indicator_id, previous)) before = baseline->micros();
  if (before) {
    SetYoyPct(Decimal::Ratio(Decimal::FromMicros(value.micros - *before), Decimal::FromMicros(*before), 100), &out);
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
  const std::optional<Decimal> yoy = YoyPctOf(*out);
  if (indicator.yoy_threshold_pct && yoy && !out->partial() &&
      (yoy->negative() ? Decimal() - *yoy : *yoy) > *indicator.yoy_threshold_pct) {
    add("yoy_change", fmt::format("changed by {}% against {}, beyond the catalog's threshold of {}%", SignedPercentText(*yoy),
                                  period.SameSpanPreviousYear().ToString(), indicator.yoy_threshold_pct->ToString()));
  }
}

void ProvinceState::Clear() {
  ForgetAllValuesOfUnits();
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
