#include "aggregator/figure_store.h"

#include <utility>
#include <vector>

namespace tonghop {

std::optional<ReportedFigure> FigureStore::Set(const SeriesKey& key, const std::string& unit,
                                               const ReportedFigure& figure) {
  Changed(key, unit);
  IndexPartial(key, unit, &figure);
  auto& units = figures_[key];
  auto [it, inserted] = units.try_emplace(unit, figure);
  if (inserted) {
    ++figure_count_;
    return std::nullopt;
  }
  ReportedFigure previous = it->second;
  it->second = figure;
  return previous;
}

std::optional<ReportedFigure> FigureStore::Remove(const SeriesKey& key, const std::string& unit) {
  auto units = figures_.find(key);
  if (units == figures_.end()) return std::nullopt;
  auto it = units->second.find(unit);
  if (it == units->second.end()) return std::nullopt;
  Changed(key, unit);
  IndexPartial(key, unit, nullptr);
  ReportedFigure previous = it->second;
  units->second.erase(it);
  --figure_count_;
  if (units->second.empty()) figures_.erase(units);
  return previous;
}

void FigureStore::Load(const SeriesKey& key, const std::string& unit, const ReportedFigure& figure) {
  if (figures_[key].insert_or_assign(unit, figure).second) ++figure_count_;
  IndexPartial(key, unit, &figure);
}

void FigureStore::IndexPartial(const SeriesKey& key, const std::string& unit, const ReportedFigure* figure) {
  if (figure != nullptr && figure->below.partial) {
    partial_units_[key].insert(unit);
    return;
  }
  auto units = partial_units_.find(key);
  if (units == partial_units_.end()) return;
  units->second.erase(unit);
  if (units->second.empty()) partial_units_.erase(units);
}

void FigureStore::Changed(const SeriesKey& key, const std::string& unit) {
  changed_.insert(key);
  // An empty memo holds nothing stale (a restart loads every figure before anything is read).
  if (!cache_.empty() || !year_to_date_cache_.empty()) uncached_changes_[key].insert(unit);
}

std::set<SeriesKey> FigureStore::TakeChanged() { return std::exchange(changed_, {}); }

const ReportedFigures* FigureStore::FiguresOf(const SeriesKey& key) const {
  auto it = figures_.find(key);
  return it == figures_.end() ? nullptr : &it->second;
}

const std::set<std::string>* FigureStore::PartialUnitsOf(const SeriesKey& key) const {
  auto it = partial_units_.find(key);
  return it == partial_units_.end() ? nullptr : &it->second;
}

void FigureStore::MarkStale() const {
  for (const auto& [changed, units] : uncached_changes_) {
    // The cached values of the period and its ancestors are stale for these units only.
    for (std::optional<Period> p = changed.period; p; p = p->Parent()) {
      SeriesKey key{changed.indicator, *p};
      if (cache_.count(key)) stale_units_[key].insert(units.begin(), units.end());
    }
    // So are the year-to-date values of its year (periods order by year first: one range).
    const int year = changed.period.year();
    const auto end = year_to_date_cache_.lower_bound({changed.indicator, Period::OfYear(year + 1)});
    for (auto it = year_to_date_cache_.lower_bound({changed.indicator, Period::OfYear(year)}); it != end; ++it) {
      stale_year_to_date_units_[it->first].insert(units.begin(), units.end());
    }
  }
  uncached_changes_.clear();
}

template <typename ValueOfUnit>
void FigureStore::Refresh(const std::set<std::string>& units, const ValueOfUnit& value_of, TalliedValues* entry) const {
  for (const std::string& unit : units) {
    const std::optional<UnitValue> value = value_of(unit);
    auto it = entry->values.find(unit);
    entry->tally.Replace(unit, it == entry->values.end() ? nullptr : &it->second, value ? &*value : nullptr);
    if (value && it != entry->values.end()) {
      it->second = *value;
    } else if (value) {
      entry->values.emplace(unit, *value);
      ++cached_values_;
    } else if (it != entry->values.end()) {
      entry->values.erase(it);
      --cached_values_;
    }
  }
}

const TalliedValues& FigureStore::Remember(std::map<SeriesKey, TalliedValues>* cache, const SeriesKey& key,
                                           UnitValues values,
                                           const std::vector<std::string>& expected_units) const {
  TalliedValues entry{std::move(values), UnitTally(*key.indicator, expected_units)};
  for (const auto& [unit, value] : entry.values) entry.tally.Replace(unit, nullptr, &value);
  cached_values_ += entry.values.size();
  return cache->insert_or_assign(key, std::move(entry)).first->second;
}

const TalliedValues& FigureStore::TalliedValuesOf(const SeriesKey& key) const {
  if (!uncached_changes_.empty()) MarkStale();
  auto cached = cache_.find(key);
  auto stale = stale_units_.find(key);
  if (cached != cache_.end() && stale == stale_units_.end()) return cached->second;
  std::vector<const UnitValues*> children;
  for (const Period& child : key.period.Children()) children.push_back(&ValuesOf({key.indicator, child}));
  const ReportedFigures* figures = FiguresOf(key);
  const TimeAggregation rule = key.indicator->time_agg;
  if (cached != cache_.end()) {
    // Only the units whose figures changed since it was cached.
    Refresh(stale->second, [&](const std::string& unit) { return CombineUnitValue(rule, figures, children, unit); },
            &cached->second);
    stale_units_.erase(stale);
    return cached->second;
  }
  if (stale != stale_units_.end()) stale_units_.erase(stale);
  return Remember(&cache_, key, CombineUnitValues(rule, figures, children),
                  catalog_->ExpectedUnits(*key.indicator, key.period));
}

const TalliedValues& FigureStore::YearToDateOf(const SeriesKey& key) const {
  const std::vector<Period> spans = key.period.YearToDate();
  if (key.indicator->time_agg == TimeAggregation::kLast || (spans.size() == 1 && spans.front() == key.period)) {
    return TalliedValuesOf(key);
  }
  if (!uncached_changes_.empty()) MarkStale();
  auto cached = year_to_date_cache_.find(key);
  auto stale = stale_year_to_date_units_.find(key);
  if (cached != year_to_date_cache_.end() && stale == stale_year_to_date_units_.end()) return cached->second;
  std::vector<const UnitValues*> of_spans;
  for (const Period& span : spans) of_spans.push_back(&ValuesOf({key.indicator, span}));
  if (cached != year_to_date_cache_.end()) {
    Refresh(stale->second, [&](const std::string& unit) { return YearToDateValue(of_spans, unit); }, &cached->second);
    stale_year_to_date_units_.erase(stale);
    return cached->second;
  }
  if (stale != stale_year_to_date_units_.end()) stale_year_to_date_units_.erase(stale);
  return Remember(&year_to_date_cache_, key, YearToDateValues(of_spans),
                  catalog_->ExpectedUnitsYearToDate(*key.indicator, key.period));
}

void FigureStore::TrimCache(size_t max_cached_values) {
  if (cached_values_ > max_cached_values) ForgetCache();
}

void FigureStore::ForgetCache() const {
  cache_.clear();
  stale_units_.clear();
  year_to_date_cache_.clear();
  stale_year_to_date_units_.clear();
  uncached_changes_.clear();
  cached_values_ = 0;
}

void FigureStore::Clear() {
  ForgetCache();
  figures_.clear();
  figure_count_ = 0;
  partial_units_.clear();
  changed_.clear();
}

}  // namespace tonghop
