// ProvinceState: the aggregator's in-memory state. The current figure of every unit for every
// (indicator, period) as the unit reported it, and the AggregateTable of province values computed
// from them by the catalog's rules (docs/DATA-MODEL.md). It puts together four pieces, each
// testable alone:
//  - the figure store and the time rule: aggregator/figure_store.h, aggregator/unit_values.h
//    (a period no unit reported itself is derived from its shorter periods; year-to-date values);
//  - the space rule: aggregator/space_aggregation.h (sum, min, max, avg, weighted_avg, none);
//  - completeness: aggregator/completeness.h (units_reported, partial, the sub-periods of a
//    derived period);
//  - warnings: aggregator/aggregate_warnings.h (parts against their total, min–max, year-on-year
//    threshold);
// and adds % of plan (the year-to-date value against the annual plan) and year-on-year (against
// the same period's province value a year before, from stored figures when there are any, else the
// catalog's baseline).
// Changes are two-step so that a batch of updates produces one new version per aggregate it
// touched: SetUnitValue() records figures; Flush() marks dirty every aggregate they feed (the
// longer periods, later periods' year-to-date, next year's year-on-year, the total they are a
// part of, the indicators they weigh), recomputes each once, gives each version that actually
// changed the next aggregate seq, and returns them for storing and publishing.
// Not thread-safe: the aggregator's loop owns it (the query thread replays a scratch one).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "aggregator/figure_store.h"
#include "aggregator/space_aggregation.h"
#include "aggregator/unit_values.h"
#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop {

class ProvinceState {
 public:
  explicit ProvinceState(const Catalog* catalog) : catalog_(catalog), store_(catalog) {}

  // Records `unit`'s figure, replacing any earlier one (a correction, never an addition), and
  // returns the figure it replaced. `applied_at_ms` is when the aggregator accepted it,
  // `observed_at_ms` when the unit observed it (0: unknown), for timeliness (ReportedAtMs).
  std::optional<Decimal> SetUnitValue(const Indicator& indicator, const Period& period, const std::string& unit,
                                      Decimal value, int64_t applied_at_ms, int64_t observed_at_ms = 0,
                                      const FigureVersion& version = {},
                                      const BelowCompleteness& below = {});

  // An arriving figure, by the rule of aggregator/figure_version.h: recorded as SetUnitValue does
  // (true, *previous the figure it replaced) unless the unit's figure held has a higher version
  // (false, *previous that figure, which stays).
  bool ApplyFigure(const Indicator& indicator, const Period& period, const std::string& unit, Decimal value,
                   int64_t applied_at_ms, int64_t observed_at_ms, const FigureVersion& version,
                   const BelowCompleteness& below, std::optional<Decimal>* previous);

  // Removes `unit`'s figure (a void) and returns it; none when the unit has no figure there. The
  // unit no longer contributes; an aggregate no unit contributes to any more is deleted at Flush.
  std::optional<Decimal> RemoveUnitValue(const Indicator& indicator, const Period& period, const std::string& unit);

  // Start-up when the stored aggregates were computed by the same rules (RulesFingerprint): a
  // stored figure, recorded without marking anything dirty, and a stored aggregate version, kept
  // as it is. Otherwise figures go through SetUnitValue and Flush recomputes everything.
  void LoadUnitValue(const Indicator& indicator, const Period& period, const std::string& unit, Decimal value,
                     int64_t applied_at_ms, int64_t observed_at_ms, const FigureVersion& version = {},
                     const BelowCompleteness& below = {});
  // With `recompute` false (a period outside the catalog's years, years.csv, since a narrowing) the
  // version stays as last published and no change marks it dirty again.
  void RestoreAggregate(const tonghop::v1::AggregateUpdate& version, bool recompute);
  // The catalog's fingerprint combined with the version of the rules this code computes by.
  uint64_t RulesFingerprint() const;

  // Recomputes the dirty aggregates. Versions that differ from the held one in anything but
  // seq, prev_seq and time get seqs last_seq+1, +2, ... and replace it in the table; last_seq is
  // advanced. An aggregate no unit has a value of any more (its figures were voided) yields a
  // deletion (AggregateUpdate.deleted) in its place, once.
  std::vector<tonghop::v1::AggregateUpdate> Flush(uint64_t* last_seq, int64_t now_ms);

  void Clear();

  const AggregateTable& table() const { return table_; }
  size_t unit_value_count() const { return store_.figure_count(); }

  // One unit's value for a period: its own figure when it reported that period, else derived
  // from the shorter periods it reported, by the rule of aggregator/unit_values.h.
  std::optional<UnitValue> ValueOfUnit(const Indicator& indicator, const Period& period,
                                       const std::string& unit) const;

  // The province version of (indicator, period) as it would be published now (seq unset); a
  // deletion when no unit has a value of it.
  tonghop::v1::AggregateUpdate Compute(const std::string& indicator, const std::string& period) const;

 private:
  tonghop::v1::AggregateUpdate Compute(const SeriesKey& key) const;
  // Sets out's partial_reason and partial_units: the units whose own figure of the key is a
  // partial total of the level below, in the text BelowCompleteness::Describe says and as fields.
  void SetPartialBelow(const SeriesKey& key, tonghop::v1::AggregateUpdate* out) const;
  // The province value of the units' values of (indicator, period).
  ProvinceValue ValueOf(const Indicator& indicator, const Period& period) const;
  // The province value of the units' year-to-date values through `period` (for a stock: ValueOf).
  ProvinceValue YearToDateOf(const Indicator& indicator, const Period& period) const;
  using UnitValuesOf = const TalliedValues& (FigureStore::*)(const SeriesKey&) const;
  // The province value of the units' values `values_of` gives for (indicator, period): from their
  // tally, or for a weighted average from the values and the weights' values of the same kind.
  ProvinceValue ProvinceValueOf(const Indicator& indicator, const Period& period, UnitValuesOf values_of) const;
  // Marks dirty every aggregate that reads a figure of `changed`: its own indicator's, the total
  // it is a part of, and the indicators it weighs.
  void MarkDirtyAfterChange(const SeriesKey& changed);
  // Marks dirty the aggregates of `indicator` that read a figure of period `changed`.
  void MarkDirty(const Indicator& indicator, const Period& changed);

  // Raise when a change of this class makes stored aggregates differ from what it now computes:
  // the next start then recomputes them all.
  static constexpr uint64_t kRulesVersion = 4;
  // Unit values the figure store memoizes; past this (about 200 MB) Flush empties the memo.
  static constexpr size_t kMaxCachedUnitValues = 2'000'000;
  const Catalog* catalog_;
  FigureStore store_;
  // Every period of each indicator that has a province aggregate: those reported and the longer
  // ones containing them.
  std::map<const Indicator*, std::set<Period>> periods_;
  std::set<SeriesKey> dirty_;
  AggregateTable table_;
};

}  // namespace tonghop
