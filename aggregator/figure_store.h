// FigureStore: the current figure of every unit for every (indicator, period), as the unit
// reported it, and each unit's value of any period, and its year-to-date value, computed from them
// by the time rule of aggregator/unit_values.h. The unit values are memoized across bursts, each
// entry with its UnitTally (the province value of its units): a province of a thousand communes
// recomputes its year totals every burst, so a changed figure makes only its unit stale in the
// entry of its period, of each longer period containing it and in the year-to-date entries of its
// year, and only those units are recomputed, from the children's cached values, and re-tallied. An
// update then costs its own units whatever the number of units. Keys are parsed once (SeriesKey),
// never re-parsed on a path. Part of ProvinceState, testable alone; not thread-safe.
#pragma once

#include <compare>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "aggregator/unit_tally.h"
#include "aggregator/unit_values.h"
#include "core/catalog.h"
#include "core/period.h"

namespace tonghop {

// One indicator's figures for one period. The indicator is the catalog's, which outlives the store.
struct SeriesKey {
  const Indicator* indicator = nullptr;
  Period period;

  // By indicator, then period (Period's order: a year's periods together), so that the periods of
  // one indicator and year are one range.
  friend std::strong_ordering operator<=>(const SeriesKey& a, const SeriesKey& b) {
    if (auto c = std::compare_three_way()(a.indicator, b.indicator); c != 0) return c;
    return a.period <=> b.period;
  }
  friend bool operator==(const SeriesKey& a, const SeriesKey& b) = default;
};

// The units' values of one (indicator, period), or their year-to-date values, and their tally.
struct TalliedValues {
  UnitValues values;
  UnitTally tally;
};

class FigureStore {
 public:
  // Tallies count the units `catalog` expects for their span (Catalog::ExpectedUnits); the
  // catalog outlives the store.
  explicit FigureStore(const Catalog* catalog) : catalog_(catalog) {}

  // Records `unit`'s figure, replacing any earlier one; returns the one it replaced.
  std::optional<ReportedFigure> Set(const SeriesKey& key, const std::string& unit, const ReportedFigure& figure);
  // Removes `unit`'s figure (a void); returns it, none when the unit had none.
  std::optional<ReportedFigure> Remove(const SeriesKey& key, const std::string& unit);
  // Start-up: records a stored figure without noting a change.
  void Load(const SeriesKey& key, const std::string& unit, const ReportedFigure& figure);

  // The keys whose figures Set or Remove changed since the last call, each once.
  std::set<SeriesKey> TakeChanged();

  // Every unit's value of the key's period: its own figure, else derived from its shorter periods.
  // The reference stays valid until the next Set, Remove, Load, Clear or TrimCache.
  const UnitValues& ValuesOf(const SeriesKey& key) const { return TalliedValuesOf(key).values; }
  const TalliedValues& TalliedValuesOf(const SeriesKey& key) const;
  // Every unit's year-to-date value through the key's period (YearToDateValues of its spans); for a
  // stock, or a period that starts the year, its values of the period itself (TalliedValuesOf).
  // The same validity.
  const TalliedValues& YearToDateOf(const SeriesKey& key) const;
  // The figures reported for exactly the key's period; null when there are none.
  const ReportedFigures* FiguresOf(const SeriesKey& key) const;
  // The units of FiguresOf(key) whose figure is a partial total of the level below
  // (ReportedFigure::below.partial); null when there are none. Kept as figures change, so that a
  // partial total's reason costs its partial units, not every unit of the period.
  const std::set<std::string>* PartialUnitsOf(const SeriesKey& key) const;

  // Empties the memo once it holds more than max_cached_values unit values (about 100 bytes each).
  void TrimCache(size_t max_cached_values);
  size_t figure_count() const { return figure_count_; }
  void Clear();

 private:
  // Notes a changed figure of `unit`.
  void Changed(const SeriesKey& key, const std::string& unit);
  // Keeps partial_units_ in step with `unit`'s figure of `key`, now `figure` (null: none).
  void IndexPartial(const SeriesKey& key, const std::string& unit, const ReportedFigure* figure);
  // Marks the units of uncached_changes_ stale in the cached entries of their periods and ancestors,
  // and in the cached year-to-date entries of their year.
  void MarkStale() const;
  // Recomputes `units` of `entry` by `value_of` and re-tallies them.
  template <typename ValueOfUnit>
  void Refresh(const std::set<std::string>& units, const ValueOfUnit& value_of, TalliedValues* entry) const;
  // Memoizes a freshly computed entry in `cache`.
  const TalliedValues& Remember(std::map<SeriesKey, TalliedValues>* cache, const SeriesKey& key, UnitValues values,
                                const std::vector<std::string>& expected_units) const;
  const Catalog* catalog_;
  void ForgetCache() const;

  std::map<SeriesKey, ReportedFigures> figures_;
  size_t figure_count_ = 0;
  std::map<SeriesKey, std::set<std::string>> partial_units_;  // never holds an empty set
  std::set<SeriesKey> changed_;
  // The changes with their units, until the next read of the memo marks them stale.
  mutable std::map<SeriesKey, std::set<std::string>> uncached_changes_;
  mutable std::map<SeriesKey, TalliedValues> cache_;
  mutable std::map<SeriesKey, std::set<std::string>> stale_units_;
  mutable std::map<SeriesKey, TalliedValues> year_to_date_cache_;
  mutable std::map<SeriesKey, std::set<std::string>> stale_year_to_date_units_;
  mutable size_t cached_values_ = 0;
};

}  // namespace tonghop
