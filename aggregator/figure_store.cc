#include "aggregator/figure_store.h"

#include <utility>
#include <vector>

namespace tonghop {

std::optional<ReportedFigure> FigureStore::Set(const SeriesKey& key, const std::string& unit,
                                               const ReportedFigure& figure) {
  Changed(key, unit);
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
  ReportedFigure previous = it->second;
  units->second.erase(it);
  --figure_count_;
  if (units->second.empty()) figures_.erase(units);
  return previous;
}

void FigureStore::Load(const SeriesKey& key, const std::string& unit, const ReportedFigure& figure) {
  if (figures_[key].insert_or_assign(unit, figure).second) ++figure_count_;
}

void FigureStore::Changed(const SeriesKey& key, const std::string& unit) {
  changed_.insert(key);
  // An empty memo holds nothing stale (a restart loads every figure before anything is read).
  if (!cache_.empty()) uncached_changes_[key].insert(unit);
}

std::set<SeriesKey> FigureStore::TakeChanged() { return std::exchange(changed_, {}); }

const ReportedFigures* FigureStore::FiguresOf(const SeriesKey& key) const {
  auto it = figures_.find(key);
  return it == figures_.end() ? nullptr : &it->second;
}

void FigureStore::MarkStale() const {
  for (const auto& [changed, units] : uncached_changes_) {
    // The cached values of the period and its ancestors are stale for these units only.
    for (std::optional<Period> p = changed.period; p; p = p->Parent()) {
      SeriesKey key{changed.indicator, *p};
      if (cache_.count(key)) stale_units_[key].insert(units.begin(), units.end());
    }
  }
  uncached_changes_.clear();
}

const UnitValues& FigureStore::ValuesOf(const SeriesKey& key) const {
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
    for (const std::string& unit : stale->second) {
      auto value = CombineUnitValue(rule, figures, children, unit);
      auto it = cached->second.find(unit);
      if (value && it != cached->second.end()) {
        it->second = *value;
      } else if (value) {
        cached->second.emplace(unit, *value);
        ++cached_values_;
      } else if (it != cached->second.end()) {
        cached->second.erase(it);
        --cached_values_;
      }
    }
    stale_units_.erase(stale);
    return cached->second;
  }
  UnitValues out = CombineUnitValues(rule, figures, children);
  if (stale != stale_units_.end()) stale_units_.erase(stale);
  cached_values_ += out.size();
  return cache_.emplace(key, std::move(out)).first->second;
}

void FigureStore::TrimCache(size_t max_cached_values) {
  if (cached_values_ > max_cached_values) ForgetCache();
}

void FigureStore::ForgetCache() const {
  cache_.clear();
  stale_units_.clear();
  uncached_changes_.clear();
  cached_values_ = 0;
}

void FigureStore::Clear() {
  ForgetCache();
  figures_.clear();
  figure_count_ = 0;
  changed_.clear();
}

}  // namespace tonghop
