#include "aggregator/province_state.h"

#include "aggregator/aggregate_warnings.h"
#include "aggregator/completeness.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {

std::optional<Decimal> ProvinceState::SetUnitValue(const Indicator& indicator, const Period& period,
                                                   const std::string& unit, Decimal value, int64_t applied_at_ms,
                                                   int64_t observed_at_ms, const FigureVersion& version,
                                                   const BelowCompleteness& below) {
  auto previous = store_.Set({&indicator, period}, unit,
                             ReportedFigure{value, applied_at_ms, ReportedAtMs(observed_at_ms, applied_at_ms), version, below});
  if (!previous) return std::nullopt;
  return previous->value;
}

bool ProvinceState::ApplyFigure(const Indicator& indicator, const Period& period, const std::string& unit,
                                Decimal value, int64_t applied_at_ms, int64_t observed_at_ms,
                                const FigureVersion& version, const BelowCompleteness& below,
                                std::optional<Decimal>* previous) {
  if (const ReportedFigures* figures = store_.FiguresOf({&indicator, period})) {
    if (auto held = figures->find(unit); held != figures->end() && held->second.version > version) {
      *previous = held->second.value;
      return false;
    }
  }
  *previous = SetUnitValue(indicator, period, unit, value, applied_at_ms, observed_at_ms, version, below);
  return true;
}

std::optional<Decimal> ProvinceState::RemoveUnitValue(const Indicator& indicator, const Period& period,
                                                      const std::string& unit) {
  auto removed = store_.Remove({&indicator, period}, unit);
  if (!removed) return std::nullopt;
  return removed->value;
}

void ProvinceState::LoadUnitValue(const Indicator& indicator, const Period& period, const std::string& unit,
                                  Decimal value, int64_t applied_at_ms, int64_t observed_at_ms,
                                  const FigureVersion& version, const BelowCompleteness& below) {
  store_.Load({&indicator, period}, unit,
              ReportedFigure{value, applied_at_ms, ReportedAtMs(observed_at_ms, applied_at_ms), version, below});
}

void ProvinceState::RestoreAggregate(const tonghop::v1::AggregateUpdate& version, bool recompute) {
  table_.Apply(version);
  if (!recompute) return;
  // Every period with figures has its stored aggregate, and so its place here for MarkDirty.
  const Indicator* indicator = catalog_->FindIndicator(version.indicator());
  Period period;
  if (indicator != nullptr && Period::Parse(version.period(), &period).ok()) periods_[indicator].insert(period);
}

uint64_t ProvinceState::RulesFingerprint() const { return catalog_->fingerprint() * 31 + kRulesVersion; }

void ProvinceState::MarkDirtyAfterChange(const SeriesKey& changed) {
  const Indicator& indicator = *changed.indicator;
  auto& periods = periods_[&indicator];
  for (std::optional<Period> p = changed.period; p; p = p->Parent()) periods.insert(*p);
  MarkDirty(indicator, changed.period);
  if (!indicator.part_of.empty()) {
    if (const Indicator* total = catalog_->FindIndicator(indicator.part_of)) MarkDirty(*total, changed.period);
  }
  for (const Indicator* weighted : catalog_->WeightedBy(indicator.id)) MarkDirty(*weighted, changed.period);
}

void ProvinceState::MarkDirty(const Indicator& indicator, const Period& changed) {
  auto it = periods_.find(&indicator);
  if (it == periods_.end()) return;
  // A figure is read by the periods of its year that end at or after its start (their value or
  // year-to-date) and by those of the next year that do (their year-on-year); no other. Periods
  // order by year first, so those are one range.
  const auto end = it->second.lower_bound(Period::OfYear(changed.year() + 2));
  for (auto p = it->second.lower_bound(Period::OfYear(changed.year())); p != end; ++p) {
    if (p->last_month() < changed.first_month()) continue;
    dirty_.insert({&indicator, *p});
  }
}

std::vector<tonghop::v1::AggregateUpdate> ProvinceState::Flush(uint64_t* last_seq, int64_t now_ms) {
  for (const SeriesKey& changed : store_.TakeChanged()) MarkDirtyAfterChange(changed);
  std::vector<tonghop::v1::AggregateUpdate> versions;
  for (const SeriesKey& key : dirty_) {
    // Bounds the memo while a restart recomputes every aggregate; nothing refers into it here.
    store_.TrimCache(kMaxCachedUnitValues);
    tonghop::v1::AggregateUpdate next = Compute(key);
    const tonghop::v1::AggregateUpdate* held = table_.Find(next.indicator(), next.period());
    if (next.deleted() && held == nullptr) continue;  // never published, or deleted already
    if (held != nullptr) {
      tonghop::v1::AggregateUpdate content = *held;
      content.clear_seq();
      content.clear_prev_seq();
      content.clear_updated_at_ms();
      // Deterministic for the same content: no maps in AggregateUpdate.
      if (content.SerializeAsString() == next.SerializeAsString()) continue;  // nothing a subscriber sees changed
    }
    next.set_seq(++*last_seq);
    next.set_prev_seq(table_.SeqOf(next.indicator(), next.period()));
    next.set_updated_at_ms(now_ms);
    table_.Apply(next);
    versions.push_back(std::move(next));
  }
  dirty_.clear();
  return versions;
}

std::optional<UnitValue> ProvinceState::ValueOfUnit(const Indicator& indicator, const Period& period,
                                                    const std::string& unit) const {
  const UnitValues& values = store_.ValuesOf({&indicator, period});
  auto it = values.find(unit);
  if (it == values.end()) return std::nullopt;
  return it->second;
}

ProvinceValue ProvinceState::ValueOf(const Indicator& indicator, const Period& period) const {
  return ProvinceValueOf(indicator, period, &FigureStore::TalliedValuesOf);
}

ProvinceValue ProvinceState::YearToDateOf(const Indicator& indicator, const Period& period) const {
  return ProvinceValueOf(indicator, period, &FigureStore::YearToDateOf);
}

ProvinceValue ProvinceState::ProvinceValueOf(const Indicator& indicator, const Period& period,
                                             UnitValuesOf values_of) const {
  const TalliedValues& values = (store_.*values_of)({&indicator, period});
  if (indicator.space_agg != SpaceAggregation::kWeightedAverage) return values.tally.Value();
  // A weighted average needs each unit's weight beside its value: a walk over the units.
  const UnitValues* weights = nullptr;
  if (const Indicator* weight = catalog_->FindIndicator(indicator.weight_indicator)) {
    weights = &(store_.*values_of)({weight, period}).values;
  }
  return AggregateUnits(indicator, values.tally.expected_units(), values.values, weights);
}

tonghop::v1::AggregateUpdate ProvinceState::Compute(const std::string& indicator_id,
                                                    const std::string& period_text) const {
  const Indicator* indicator = catalog_->FindIndicator(indicator_id);
  Period period;
  if (indicator == nullptr || !Period::Parse(period_text, &period).ok()) {
    // Only after a catalog edit removed the indicator; keeps the old version visible.
    tonghop::v1::AggregateUpdate out;
    out.set_indicator(indicator_id);
    out.set_period(period_text);
    return out;
  }
  return Compute({indicator, period});
}

void ProvinceState::SetPartialBelow(const SeriesKey& key, tonghop::v1::AggregateUpdate* out) const {
  const std::set<std::string>* partial_units = store_.PartialUnitsOf(key);
  if (partial_units == nullptr) return;
  const ReportedFigures& figures = *store_.FiguresOf(key);
  std::string reason;
  for (const std::string& unit : *partial_units) {
    const BelowCompleteness& below = figures.at(unit).below;
    if (!reason.empty()) reason += "; ";
    reason += below.Describe(unit);
    tonghop::v1::PartialUnit* entry = out->add_partial_units();
    entry->set_unit(unit);
    entry->set_units_reported(below.units_reported);
    entry->set_units_expected(below.units_expected);
  }
  out->set_partial_reason(std::string(ClipUtf8(reason, kMaxReasonLength)));
}

tonghop::v1::AggregateUpdate ProvinceState::Compute(const SeriesKey& key) const {
  const Indicator& indicator = *key.indicator;
  const Period& period = key.period;
  tonghop::v1::AggregateUpdate out;
  out.set_indicator(indicator.id);
  out.set_period(period.ToString());
  if (store_.ValuesOf(key).empty()) {
    out.set_deleted(true);  // every figure it was made of was voided
    return out;
  }
  out.set_unit(indicator.unit);
  const size_t expected = catalog_->ExpectedUnits(indicator, period).size();
  out.set_units_expected(static_cast<uint32_t>(expected));

  const ProvinceValue value = ValueOf(indicator, period);
  SetValue(value.value, &out);
  out.set_units_reported(value.reported);
  out.set_derived(!value.direct);
  out.set_partial(value.reported < expected);
  if (out.partial()) SetPartialBelow(key, &out);
  if (out.derived()) {
    for (const Period& sub : CompletenessSubPeriods(period)) {
      const UnitTally& count = store_.TalliedValuesOf({&indicator, sub}).tally;
      auto* entry = out.add_sub_periods();
      entry->set_period(sub.ToString());
      entry->set_units_reported(count.units_complete());
      entry->set_units_with_figures(count.units_with_values());
    }
  }

  const ProvinceValue ytd = YearToDateOf(indicator, period);
  SetYtdValue(ytd.value, &out);
  out.set_ytd_units_reported(ytd.reported);
  if (auto plan = catalog_->Plan(indicator.id, period.year())) {
    SetPctOfPlan(Decimal::Ratio(ytd.value, *plan, 100), &out);
  }
  // Stored figures of the year before win over the catalog's baseline: they are what the units
  // reported, and they can be corrected like any figure.
  const Period previous = period.SameSpanPreviousYear();
  std::optional<Decimal> before;
  if (ProvinceValue stored = ValueOf(indicator, previous); stored.any) before = stored.value;
  else before = catalog_->Baseline(indicator.id, previous);
  if (before) SetYoyPct(Decimal::Ratio(value.value - *before, *before, 100), &out);

  AddWarnings(*catalog_, indicator, period, value, store_.TalliedValuesOf(key).tally.outside_range(),
              [&](const Indicator& part) { return ValueOf(part, period); }, &out);
  return out;
}

void ProvinceState::Clear() {
  store_.Clear();
  periods_.clear();
  dirty_.clear();
  table_.Clear();
}

}  // namespace tonghop
