// ProvinceState: the aggregator's in-memory state. The current figure of every unit for every
// (indicator, period) as the unit reported it, and the AggregateTable of province values computed
// from them by the catalog's rules (docs/DATA-MODEL.md):
//  - across units by the indicator's space aggregation (sum, min, max, avg, weighted_avg, none);
//  - across time by its time aggregation: a period no unit reported itself (a quarter from its
//    months, a half-year and a year from those) is derived, and so is the year-to-date value
//    that % of plan compares with the annual plan;
//  - year-on-year against the same period's province value a year before, computed from stored
//    figures when there are any (an imported 2016), else the catalog's baseline;
//  - completeness (units_reported, partial) and the soft validation rules (parts against their
//    total, min–max, year-on-year threshold), carried as warnings in the version.
// Changes are two-step so that a batch of updates produces one new version per aggregate it
// touched: SetUnitValue() records figures; Flush() marks dirty every aggregate they feed (the
// longer periods, later periods' year-to-date, next year's year-on-year, the total they are a
// part of, the indicators they weigh), recomputes each once, gives each version that actually
// changed the next aggregate seq, and returns them for storing and publishing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "aggregator/unit_values.h"
#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop {

class ProvinceState {
 public:
  explicit ProvinceState(const Catalog* catalog) : catalog_(catalog) {}

  // Records `unit`'s figure, replacing any earlier one (a correction, never an addition), and
  // returns the figure it replaced. `applied_at_ms` is when the aggregator accepted it (for
  // timeliness).
  std::optional<Decimal> SetUnitValue(const Indicator& indicator, const Period& period,
                                      const std::string& unit, Decimal value, int64_t applied_at_ms);

  // Start-up when the stored aggregates were computed by the same rules (RulesFingerprint): a
  // stored figure, recorded without marking anything dirty, and a stored aggregate version, kept
  // as it is. Otherwise figures go through SetUnitValue and Flush recomputes everything.
  void LoadUnitValue(const Indicator& indicator, const std::string& period, const std::string& unit, Decimal value,
                     int64_t applied_at_ms);
  // With `recompute` false (a period outside the catalog's years, years.csv, since a narrowing) the
  // version stays as last published and no change marks it dirty again.
  void RestoreAggregate(const tonghop::v1::AggregateUpdate& version, bool recompute);
  // The catalog's fingerprint combined with the version of the rules this code computes by.
  uint64_t RulesFingerprint() const;

  // Recomputes the dirty aggregates. Versions that differ from the held one in anything but
  // seq, prev_seq and time get seqs last_seq+1, +2, ... and replace it in the table; last_seq is
  // advanced.
  std::vector<tonghop::v1::AggregateUpdate> Flush(uint64_t* last_seq, int64_t now_ms);

  void Clear();

  const AggregateTable& table() const { return table_; }
  size_t unit_value_count() const;

  // One unit's value for a period: its own figure when it reported that period, else derived
  // from the shorter periods it reported, by the rule of aggregator/unit_values.h.
  using UnitValue = tonghop::UnitValue;
  std::optional<UnitValue> ValueOfUnit(const Indicator& indicator, const Period& period,
                                       const std::string& unit) const;

  // The province version of (indicator, period) as it would be published now (seq unset).
  tonghop::v1::AggregateUpdate Compute(const std::string& indicator, const std::string& period) const;

 private:
  using Key = AggregateTable::Key;
  struct ProvinceValue {
    bool any = false;  // some unit contributes
    __int128 micros = 0;
    uint32_t reported = 0;  // units whose value is complete
    bool direct = false;    // some unit reported the period itself
  };
  ProvinceValue Aggregate(const Indicator& indicator, const Period& period) const;
  // Every unit's value for (indicator, period), as ValueOfUnit gives it, computed in one pass over
  // the figures of the period and its sub-periods instead of one lookup per unit and sub-period:
  // a province of a thousand communes recomputes its year totals every burst. Memoized in
  // values_cache_ across bursts: a changed figure makes only its unit stale in its period's entry
  // and its ancestors', and only those units are recomputed, from the children's cached values.
  const UnitValues& ValuesOfUnits(const Indicator& indicator, const Period& period) const;
  void ForgetAllValuesOfUnits() const;
  // Marks dirty the aggregates that the changes since the last call feed.
  void TakeChanges();
  // Marks the units of uncached_changes_ stale in the cached entries of their periods and ancestors.
  void MarkStale() const;
  const std::unordered_set<std::string>& ExpectedUnits(const Indicator& indicator) const;
  // Marks dirty every aggregate that reads a figure of `changed`: its own indicator's, the total
  // it is a part of, and the indicators it weighs.
  void MarkDirtyAfterChange(const Key& changed);
  // Marks dirty the aggregates of `indicator` that read a figure of period `changed`.
  void MarkDirty(const std::string& indicator, const Period& changed);
  void AddWarnings(const Indicator& indicator, const Period& period, const ProvinceValue& value,
                   tonghop::v1::AggregateUpdate* out) const;

  // Raise when a change of this class makes stored aggregates differ from what it now computes:
  // the next start then recomputes them all.
  static constexpr uint64_t kRulesVersion = 3;
  const Catalog* catalog_;
  std::map<Key, ReportedFigures> figures_;
  // Every period of each indicator that has a province aggregate: those reported and the longer
  // ones containing them.
  std::map<std::string, std::set<std::string>> periods_;
  // (indicator, period) whose figures changed since the last Flush; marking what they dirty waits
  // for Flush, so a burst of a thousand updates to one counter marks its aggregates once.
  std::set<Key> changed_;
  // The same changes with their units, until the next read of values_cache_ marks them stale.
  mutable std::map<Key, std::set<std::string>> uncached_changes_;
  std::set<Key> dirty_;
  AggregateTable table_;
  // Unit values held in values_cache_; past kMaxCachedUnitValues (about 200 MB) Flush empties it.
  static constexpr size_t kMaxCachedUnitValues = 2'000'000;
  mutable std::map<Key, UnitValues> values_cache_;
  mutable std::map<Key, std::set<std::string>> stale_units_;
  mutable size_t cached_unit_values_ = 0;
  mutable std::map<std::string, std::unordered_set<std::string>> expected_units_;
};

}  // namespace tonghop
