// AggregateTable: the current version of every province aggregate, keyed by (indicator, period).
// The state the Clone pattern replicates: the aggregator's is the source, the publisher and every
// subscriber hold a copy. A version replaces the held one only when its seq is higher, so
// snapshots and live updates can be applied in any order and converge to the same state.
// A deletion (AggregateUpdate.deleted, the Clone pattern's empty KVPUB) takes the key's version
// out of entries() and is kept, with its seq, among deletions(): an older version arriving later
// cannot bring the key back, the next version chains onto it (prev_seq), and a catch-up snapshot
// can tell a replica that missed it.
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

  // Stores `update` (a version or a deletion) unless the table holds the same key at an equal or
  // higher seq. Returns whether it was stored.
  bool Apply(const tonghop::v1::AggregateUpdate& update);

  // nullptr when the table has no version of (indicator, period), or it was deleted.
  const tonghop::v1::AggregateUpdate* Find(const std::string& indicator, const std::string& period) const;
  // The seq of the latest version or deletion of (indicator, period); 0 when there is none.
  uint64_t SeqOf(const std::string& indicator, const std::string& period) const;

  // Highest seq of any version or deletion the table holds (0 when empty).
  uint64_t max_seq() const { return max_seq_; }
  // Versions held, deletions not counted.
  size_t size() const { return entries_.size(); }
  void Clear();

  // Every held version in (indicator, period) order; deleted keys are not among them.
  const std::map<Key, tonghop::v1::AggregateUpdate>& entries() const { return entries_; }
  // The deletion of every key deleted since its last version, in (indicator, period) order.
  const std::map<Key, tonghop::v1::AggregateUpdate>& deletions() const { return deletions_; }

 private:
  std::map<Key, tonghop::v1::AggregateUpdate> entries_;
  std::map<Key, tonghop::v1::AggregateUpdate> deletions_;
  uint64_t max_seq_ = 0;
};

}  // namespace tonghop
