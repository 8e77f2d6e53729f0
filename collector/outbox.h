// Outbox: a collector's durable log of the figures it has accepted. A figure counts as accepted
// only once Append has returned OK: by then it is synced to disk, so neither a crash nor a power
// loss can lose it. It is pending until the aggregator settles it (Settle): acks it, or refuses it
// for good, when it also moves aside to "rejected" for a person. A settled figure is then retained
// for the retention window, like a Kafka topic within its retention, so that an aggregator whose
// database was restored from a backup taken before it had the figure can have it again
// (ReadSettled); PruneRetained drops what is older than the window, by age and by size, from the
// oldest on. A pending record that cannot be read (written by a collector before issue 10 was
// fixed, or damaged on disk) must not block the records after it, since the aggregator applies an
// outbox's seqs strictly in order: ReadPending sets it aside and sends a placeholder for its seq
// instead.
//
// On disk: RocksDB at <data_dir>/outbox with column families
//   default     meta: "outbox_id" (random non-zero uint64 chosen when the outbox is created, kept
//               forever; sequence numbers are scoped to it), "next_seq", "catalog" (the last
//               tonghop.v1.CatalogFiles the aggregator sent, judged by after a restart offline),
//               "settled_seq" (the highest seq the first aggregator has settled), "settled_seq.<i>"
//               (the same for aggregator i >= 1 of a pair), "retained_from_seq"
//               (every seq below it that is not pending was pruned), "retained_count",
//               "retained_bytes", "entered_at_ms" (the last one given, see Append)
//   pending     big-endian seq -> tonghop.v1.IndicatorUpdate (with its seq)
//   retained    big-endian seq -> tonghop.storage.v1.RetainedUpdate (settled, kept for resends)
//   rejected    big-endian seq -> tonghop.storage.v1.RejectedUpdate
//   files       drop-file name -> tonghop.storage.v1.IngestedFile (the file's figures are in here)
//   unreadable  big-endian seq -> tonghop.storage.v1.UnreadableRecord (a pending record that could
//               not be read, its bytes as found; kept for good)
// Seqs are assigned consecutively from 1 and never reused, not even after a failed Append. An
// outbox written before retention existed opens with nothing retained, every settled seq pruned.
//
// Aggregators in pairs (docs/ARCHITECTURE.md, "Aggregators in pairs"): the outbox keeps one
// settled_seq per aggregator it is opened for, each moved by that aggregator's Sender. An
// aggregator applies an outbox's seqs strictly in order, so settling seq N tells that it holds
// every seq up to N. A figure stays pending until every aggregator has settled it, and is retained
// from then on. A refusal is recorded once, by the first aggregator that refuses the figure. An
// aggregator the outbox was not opened for before starts where all the others are, and asks for
// what it lacks with its heartbeat answer, as a restored aggregator does.
//
// Not thread-safe: one thread owns it. RocksDB's lock keeps a second process from opening it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "core/rocks_db.h"

#include "core/status.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

class Outbox {
 public:
  // A final rejection received from the aggregator.
  struct Rejection {
    uint64_t seq = 0;
    tonghop::v1::RejectReason reason = tonghop::v1::REJECT_REASON_UNSPECIFIED;
    std::string text;
  };

  // Opens (creating if needed) the outbox in folder `path`, keeping a position for each of
  // `aggregators` (at least 1). Figures pending only for an aggregator no longer counted move to
  // retained.
  static Status Open(const std::string& path, std::unique_ptr<Outbox>* out, size_t aggregators = 1);
  ~Outbox();

  // Assigns the next seqs to `figures` (in order, written into each figure), and their
  // entered_at_ms (now, never below the last one given: the figures' versions follow their seqs
  // even if the clock goes back; tonghop.proto), and stores them,
  // next_seq and `file` (if given; its first_seq and figures are filled in) in one synced batch.
  // On failure nothing is stored and `figures` keep seq 0.
  Status Append(std::vector<tonghop::v1::IndicatorUpdate>* figures,
                tonghop::storage::v1::IngestedFile* file = nullptr);

  // Records that aggregator `aggregator` acked or refused for good these seqs: raises its
  // settled_seq to the highest of them (below next_seq), records each refusal not recorded yet in
  // rejected, and moves every pending seq that all aggregators have now settled to retained
  // (settled at `now_ms`), in one batch (synced when it holds refusals: a resend of a refused
  // update is acked as a duplicate, so losing that record would lose the refusal). `moved` (may be
  // null) receives the records newly added to rejected.
  Status Settle(const std::vector<uint64_t>& acked, const std::vector<Rejection>& rejected,
                int64_t now_ms, std::vector<tonghop::storage::v1::RejectedUpdate>* moved,
                size_t aggregator = 0);

  // Appends to `out` up to `max` pending updates with seq >= from_seq, in seq order. A record that
  // cannot be read is set aside first, in one synced write: its bytes and the reason go to
  // "unreadable", and its pending record becomes a placeholder (seq and unreadable_reason only;
  // the sender adds its unit), which comes out in its place. The aggregator refuses the
  // placeholder MALFORMED, so it ends in "rejected" like any refused figure, and the seqs after it
  // flow. Logged once per record. Fails only when the outbox cannot be read or written.
  Status ReadPending(uint64_t from_seq, size_t max, std::vector<tonghop::v1::IndicatorUpdate>* out);

  // Appends to `out` up to `max` updates of seqs from_seq .. until_seq - 1 that the aggregator has
  // settled, in seq order, to send them again to an aggregator that lost them: each retained one
  // as it was sent, and for each seq no longer retained (pruned) a placeholder (seq and
  // unreadable_reason saying so; the sender adds its unit) that the aggregator refuses MALFORMED,
  // so that its sequence goes on past the loss. Seqs of the range still pending are left out
  // (ReadPending reads them). Fails only when the outbox cannot be read.
  Status ReadSettled(uint64_t from_seq, uint64_t until_seq, size_t max, std::vector<tonghop::v1::IndicatorUpdate>* out);

  // Drops the retained updates settled before `settled_before_ms`, and the oldest further ones
  // while more than `max_bytes` are retained, from the oldest seq on, and at most `max_records` of
  // them (the caller calls again for the rest). *pruned (may be null) gets how many it dropped.
  Status PruneRetained(int64_t settled_before_ms, uint64_t max_bytes, size_t max_records, size_t* pruned);

  // Lowest pending seq (not settled by every aggregator), or next_seq() when nothing is pending.
  uint64_t FirstPendingSeq() const;
  // Lowest seq aggregator `aggregator` has not settled, or next_seq() when it settled them all.
  uint64_t FirstUnsettledSeq(size_t aggregator) const { return settled_seq(aggregator) + 1; }

  // Up to `max` names of the drop files whose figures include a seq of first_seq .. last_seq.
  std::vector<std::string> FilesWithSeqs(uint64_t first_seq, uint64_t last_seq, size_t max) const;

  // When the oldest pending figure was appended, in ms since the epoch; 0 when none is pending.
  // Kept in memory: figures pending when the outbox was opened count from the opening.
  int64_t PendingSinceMs();

  // The record of drop file `name`, if its figures were appended.
  std::optional<tonghop::storage::v1::IngestedFile> FindFile(const std::string& name) const;

  // Whether `seq` is waiting for the aggregator's answer.
  bool IsPending(uint64_t seq) const;
  // The record of `seq` if the aggregator refused it for good.
  std::optional<tonghop::storage::v1::RejectedUpdate> FindRejected(uint64_t seq) const;

  // The catalog the collector judges figures by, kept across restarts (synced).
  Status SaveCatalog(const tonghop::v1::CatalogFiles& catalog);
  // The catalog last saved; none before the first, or when the record cannot be read.
  std::optional<tonghop::v1::CatalogFiles> LoadCatalog() const;

  uint64_t id() const { return id_; }
  uint64_t next_seq() const { return next_seq_; }
  // Figures not yet settled by every aggregator.
  uint64_t pending_count() const { return pending_count_; }
  // Figures aggregator `aggregator` has not settled yet.
  uint64_t pending_count(size_t aggregator) const { return next_seq_ - 1 - settled_seq(aggregator); }
  size_t aggregators() const { return settled_seqs_.size(); }
  uint64_t rejected_count() const { return rejected_count_; }
  // The highest seq aggregator `aggregator` has settled (acked or refused for good): it holds
  // every seq up to it, since it applies an outbox's seqs in order. 0 before the first.
  uint64_t settled_seq(size_t aggregator = 0) const { return settled_seqs_.at(aggregator); }
  // Every seq below it that is not pending is no longer retained.
  uint64_t retained_from_seq() const { return retained_from_seq_; }
  uint64_t retained_count() const { return retained_count_; }
  uint64_t retained_bytes() const { return retained_bytes_; }
  // When the oldest retained update was settled; 0 when none is retained.
  int64_t oldest_retained_at_ms() const { return oldest_retained_at_ms_; }
  // Records set aside as unreadable, ever, and the last one: "seq 7: field 'indicator' is not
  // valid UTF-8 (figure 3 of drop file agriculture.csv)"; empty when there is none.
  uint64_t unreadable_count() const { return unreadable_count_; }
  const std::string& last_unreadable() const { return last_unreadable_; }
  const std::string& path() const { return path_; }

 private:
  Outbox() = default;
  Status Write(rocksdb::WriteBatch* batch, bool sync, const char* what);
  // Reads id, next_seq, the positions and the counts from the database.
  Status LoadState();
  // Adds to `batch` the move of every pending seq up to `floor` (settled by every aggregator) to
  // retained, settled at `now_ms`; *moved_count and *retained_bytes (in: the current count) grow.
  Status RetainUpTo(uint64_t floor, int64_t now_ms, rocksdb::WriteBatch* batch, uint64_t* moved_count,
                    uint64_t* retained_bytes) const;
  // Writes every aggregator's position, and retains what they have all settled (see Open).
  Status KeepPositions();
  // What every aggregator has settled.
  uint64_t SettledFloor(const std::vector<uint64_t>& positions) const;
  // After a failed write (disk full): reopens the database and reloads the state, or says why not.
  Status Recover();

  // Sets aside the pending record `raw` of `seq`, which did not parse because of `why` (see
  // ReadPending), and fills `placeholder` with what now stands in its place.
  Status SetAside(uint64_t seq, std::string_view raw, const std::string& why,
                  tonghop::v1::IndicatorUpdate* placeholder);
  // "figure 3 of drop file agriculture.csv" for a seq that came from a drop file, else "".
  std::string Origin(uint64_t seq) const;

  // The settled_at_ms of the first retained update, 0 when there is none.
  Status ReadOldestRetainedAt(int64_t* out) const;

  enum Family { kPending, kRejected, kFiles, kUnreadable, kRetained };
  rocksdb::ColumnFamilyHandle* family(Family f) const { return db_->family(f); }
  rocksdb::ColumnFamilyHandle* meta() const { return db_->get()->DefaultColumnFamily(); }

  std::string path_;
  std::unique_ptr<RocksDb> db_;
  uint64_t id_ = 0;
  uint64_t next_seq_ = 1;
  int64_t entered_at_ms_ = 0;
  uint64_t pending_count_ = 0;
  uint64_t rejected_count_ = 0;
  std::vector<uint64_t> settled_seqs_{0};  // one per aggregator
  uint64_t retained_from_seq_ = 1;
  uint64_t retained_count_ = 0;
  uint64_t retained_bytes_ = 0;
  int64_t oldest_retained_at_ms_ = 0;
  uint64_t unreadable_count_ = 0;
  std::string last_unreadable_;
  // When each Append still pending happened, by its first seq (see PendingSinceMs).
  std::map<uint64_t, int64_t> appended_ms_;
};

}  // namespace tonghop
