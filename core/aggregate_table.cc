#include "core/aggregate_table.h"

#include <algorithm>

namespace tonghop {

bool AggregateTable::Apply(const tonghop::v1::AggregateUpdate& update) {
  if (SeqOf(update.indicator(), update.period()) >= update.seq()) return false;
  Key key(update.indicator(), update.period());
  if (update.deleted()) {
    entries_.erase(key);
    deletions_.insert_or_assign(std::move(key), update);
  } else {
    deletions_.erase(key);
    entries_.insert_or_assign(std::move(key), update);
  }
  max_seq_ = std::max(max_seq_, update.seq());
  return true;
}

uint64_t AggregateTable::SeqOf(const std::string& indicator, const std::string& period) const {
  if (const auto* held = Find(indicator, period)) return held->seq();
  auto it = deletions_.find(Key(indicator, period));
  return it == deletions_.end() ? 0 : it->second.seq();
}

const tonghop::v1::AggregateUpdate* AggregateTable::Find(const std::string& indicator,
                                                         const std::string& period) const {
  auto it = entries_.find(Key(indicator, period));
  return it == entries_.end() ? nullptr : &it->second;
}

void AggregateTable::Clear() {
  entries_.clear();
  deletions_.clear();
  max_seq_ = 0;
}

}  // namespace tonghop
