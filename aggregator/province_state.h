// ProvinceState: the aggregator's in-memory state. The current figure of every unit for every
// (indicator, period), and the AggregateTable of province values computed from them by the
// catalog's rules. Changes are two-step so that a batch of updates produces one new version per
// aggregate it touched: SetUnitValue() records figures and marks their aggregates dirty; Flush()
// recomputes each dirty aggregate once, gives each version that actually changed the next
// aggregate seq, and returns them for storing and publishing.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop {

class ProvinceState {
 public:
  explicit ProvinceState(const Catalog* catalog) : catalog_(catalog) {}

  // Records `unit`'s figure, replacing any earlier one (a correction, never an addition), and
  // returns the figure it replaced.
  std::optional<Decimal> SetUnitValue(const Indicator& indicator, const Period& period,
                                      const std::string& unit, Decimal value);

  // Restores a stored aggregate version without recomputing it (start-up).
  void RestoreAggregate(const tonghop::v1::AggregateUpdate& version);
  // Marks every aggregate dirty, so that the next Flush() brings stored versions in line with the
  // figures and the current catalog (plans or baselines may have been edited since).
  void MarkAllDirty();

  // Recomputes the dirty aggregates. Versions that differ from the held one (value, percentages,
  // units reported) get seqs last_seq+1, +2, ... and replace it in the table; last_seq is advanced.
  std::vector<tonghop::v1::AggregateUpdate> Flush(uint64_t* last_seq, int64_t now_ms);

  void Clear();

  const AggregateTable& table() const { return table_; }
  size_t unit_value_count() const;

 private:
  using Key = AggregateTable::Key;
  tonghop::v1::AggregateUpdate Compute(const Key& key) const;

  const Catalog* catalog_;
  std::map<Key, std::map<std::string, Decimal>> figures_;
  std::set<Key> dirty_;
  AggregateTable table_;
};

}  // namespace tonghop
