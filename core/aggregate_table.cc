#include "core/aggregate_table.h"

#include <algorithm>

namespace tonghop {

bool AggregateTable::Apply(const tonghop::v1::AggregateUpdate& update) {
  auto [it, inserted] = entries_.try_emplace(Key(update.indicator(), update.period()), update);
  if (!inserted) {
    if (it->second.seq() >= update.seq()) return false;
    it->second = update;
  }
  max_seq_ = std::max(max_seq_, update.seq());
  return true;
}

const tonghop::v1::AggregateUpdate* AggregateTable::Find(const std::string& indicator,
                                                         const std::string& period) const {
  auto it = entries_.find(Key(indicator, period));
  return it == entries_.end() ? nullptr : &it->second;
}

void AggregateTable::Clear() {
  entries_.clear();
  max_seq_ = 0;
}

}  // namespace tonghop
