// RelayMemory: what a relay last enqueued for each aggregate of the level below, (indicator,
// period), kept on disk so that a relay restarted from a fresh snapshot of its publisher enqueues
// only what changed since, not every total again (docs/ARCHITECTURE.md, "Levels").
//
// The outbox (collector/outbox.h) is the truth of what was enqueued; this is its index by
// aggregate. It is written after each Outbox::Append and may lag it: a crash between the two
// leaves the last appends out. Open therefore folds in every figure the outbox holds above the
// seq it last recorded (pending or retained), so the memory never says "not enqueued" of a figure
// the outbox has, and no value is enqueued twice. It stays in a RocksDB of its own
// (<data_dir>/relay) rather than in the outbox's, whose layout belongs to the collector.
//
// On disk: default family, "through_seq" (every outbox seq up to it is folded in) and
// "a/<indicator>\0<period>" -> tonghop.v1.IndicatorUpdate, the last one enqueued for it.
// Not thread-safe: the collector's loop owns it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "collector/outbox.h"
#include "core/rocks_db.h"
#include "core/status.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

class RelayMemory {
 public:
  // Opens (creating if needed) the memory in folder `path` and brings it level with `outbox`,
  // which must stay open while the memory is used.
  static Status Open(const std::string& path, Outbox* outbox, std::unique_ptr<RelayMemory>* out);

  // Whether `figure` differs from the last figure enqueued for its (indicator, period) in what
  // the level above sees: its value and its completeness (not its seq or times). True for an
  // aggregate never enqueued.
  bool Changed(const tonghop::v1::IndicatorUpdate& figure) const;

  // Records `figures`, just appended to the outbox (their seqs set), as the last enqueued for their
  // aggregates. Not synced: Open recovers what a crash loses from the outbox.
  Status Record(const std::vector<tonghop::v1::IndicatorUpdate>& figures);

  size_t size() const { return last_.size(); }
  uint64_t through_seq() const { return through_seq_; }

 private:
  RelayMemory() = default;
  // Folds in the outbox's figures above through_seq_.
  Status CatchUp(Outbox* outbox);
  static std::string KeyOf(const tonghop::v1::IndicatorUpdate& figure);

  std::unique_ptr<RocksDb> db_;
  uint64_t through_seq_ = 0;
  std::map<std::string, tonghop::v1::IndicatorUpdate> last_;  // by KeyOf
};

}  // namespace tonghop
