#include "aggregator/province_state.h"

#include <algorithm>

namespace tonghop {

std::optional<Decimal> ProvinceState::SetUnitValue(const Indicator& indicator, const Period& period,
                                                   const std::string& unit, Decimal value) {
  Key key{indicator.id, period.ToString()};
  auto& units = figures_[key];
  std::optional<Decimal> previous;
  auto [it, inserted] = units.try_emplace(unit, value);
  if (!inserted) {
    previous = it->second;
    it->second = value;
  }
  dirty_.insert(std::move(key));
  return previous;
}

void ProvinceState::RestoreAggregate(const tonghop::v1::AggregateUpdate& version) { table_.Apply(version); }

void ProvinceState::MarkAllDirty() {
  for (const auto& [key, units] : figures_) dirty_.insert(key);
}

std::vector<tonghop::v1::AggregateUpdate> ProvinceState::Flush(uint64_t* last_seq, int64_t now_ms) {
  std::vector<tonghop::v1::AggregateUpdate> versions;
  for (const Key& key : dirty_) {
    tonghop::v1::AggregateUpdate next = Compute(key);
    const tonghop::v1::AggregateUpdate* held = table_.Find(key.first, key.second);
    if (held != nullptr && held->value() == next.value() && held->unit() == next.unit() &&
        held->has_pct_of_plan() == next.has_pct_of_plan() && held->pct_of_plan() == next.pct_of_plan() &&
        held->has_yoy_pct() == next.has_yoy_pct() && held->yoy_pct() == next.yoy_pct() &&
        held->units_reported() == next.units_reported() && held->units_expected() == next.units_expected()) {
      continue;  // a resent or equal figure: the province value did not change
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

tonghop::v1::AggregateUpdate ProvinceState::Compute(const Key& key) const {
  const Indicator* indicator = catalog_->FindIndicator(key.first);
  const auto& units = figures_.at(key);
  tonghop::v1::AggregateUpdate out;
  out.set_indicator(key.first);
  out.set_period(key.second);
  if (indicator == nullptr) return out;  // only after a catalog edit removed it; keeps old figures visible
  out.set_unit(indicator->unit);
  out.set_units_expected(static_cast<uint32_t>(indicator->expected_units.size()));

  // Sum in 128 bits: many units near the per-figure limit would overflow int64 micro-units.
  __int128 total = 0;
  std::optional<int64_t> largest;
  uint32_t reported = 0;
  for (const auto& [unit, value] : units) {
    if (!Catalog::Expects(*indicator, unit)) continue;  // no longer expected after a catalog edit
    ++reported;
    total += value.micros();
    largest = largest ? std::max(*largest, value.micros()) : value.micros();
  }
  out.set_units_reported(reported);
  __int128 value_micros = indicator->space_agg == SpaceAggregation::kMax ? largest.value_or(0) : total;
  // One correctly rounded division: the double nearest the exact decimal, which prints as it.
  out.set_value(static_cast<double>(value_micros) / Decimal::kMicrosPerUnit);
  const long double micros = static_cast<long double>(value_micros);

  Period period;
  if (!Period::Parse(key.second, &period).ok()) return out;
  if (auto plan = catalog_->Plan(key.first, period.year())) {
    out.set_pct_of_plan(static_cast<double>(micros / plan->micros() * 100));
  }
  if (auto baseline = catalog_->Baseline(key.first, period.SameSpanPreviousYear());
      baseline && baseline->micros() != 0) {
    out.set_yoy_pct(static_cast<double>((micros / baseline->micros() - 1) * 100));
  }
  return out;
}

void ProvinceState::Clear() {
  figures_.clear();
  dirty_.clear();
  table_.Clear();
}

size_t ProvinceState::unit_value_count() const {
  size_t n = 0;
  for (const auto& [key, units] : figures_) n += units.size();
  return n;
}

}  // namespace tonghop
