// AggregateTable: the current version of every province aggregate, keyed by (indicator, period).
// The state the Clone pattern replicates: the aggregator's is the source, the publisher and every
// subscriber hold a copy. A version replaces the held one only when its seq is higher, so
// snapshots and live updates can be applied in any order and converge to the same state.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <utility>

#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

class AggregateTable {
 public:
  using Key = std::pair<std::string, std::string>;  // (indicator, period)

  // Stores `update` unless the table holds the same key at an equal or higher seq.
  // Returns whether it was stored.
  bool Apply(const tonghop::v1::AggregateUpdate& update);

  // nullptr when the table has no version of (indicator, period).
  const tonghop::v1::AggregateUpdate* Find(const std::string& indicator, const std::string& period) const;

  // Highest seq of any version the table holds (0 when empty).
  uint64_t max_seq() const { return max_seq_; }
  size_t size() const { return entries_.size(); }
  void Clear();

  // Every held version in (indicator, period) order.
  const std::map<Key, tonghop::v1::AggregateUpdate>& entries() const { return entries_; }

 private:
  std::map<Key, tonghop::v1::AggregateUpdate> entries_;
  uint64_t max_seq_ = 0;
};

}  // namespace tonghop
