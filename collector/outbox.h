// Outbox: a collector's durable store of the figures it has accepted and the aggregator has not yet
// acknowledged. A figure counts as accepted only once Append has returned OK: by then it is synced
// to disk, so neither a crash nor a power loss can lose it. It leaves the outbox only when the
// aggregator acks it (Settle), or moves aside to "rejected" when the aggregator refuses it for good.
// A pending record that cannot be read (written by a collector before issue 10 was fixed, or
// damaged on disk) must not block the records after it, since the aggregator applies an outbox's
// seqs strictly in order: ReadPending sets it aside and sends a placeholder for its seq instead.
//
// On disk: RocksDB at <data_dir>/outbox with column families
//   default     meta: "outbox_id" (random non-zero uint64 chosen when the outbox is created, kept
//               forever; sequence numbers are scoped to it) and "next_seq"
//   pending     big-endian seq -> tonghop.v1.IndicatorUpdate (with its seq)
//   rejected    big-endian seq -> tonghop.storage.v1.RejectedUpdate
//   files       drop-file name -> tonghop.storage.v1.IngestedFile (the file's figures are in here)
//   unreadable  big-endian seq -> tonghop.storage.v1.UnreadableRecord (a pending record that could
//               not be read, its bytes as found; kept for good)
// Seqs are assigned consecutively from 1 and never reused, not even after a failed Append.
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

  // Opens (creating if needed) the outbox in folder `path`.
  static Status Open(const std::string& path, std::unique_ptr<Outbox>* out);
  ~Outbox();

  // Assigns the next seqs to `figures` (in order, written into each figure) and stores them,
  // next_seq and `file` (if given; its first_seq and figures are filled in) in one synced batch.
  // On failure nothing is stored and `figures` keep seq 0.
  Status Append(std::vector<tonghop::v1::IndicatorUpdate>* figures,
                tonghop::storage::v1::IngestedFile* file = nullptr);

  // Forgets the acked seqs and moves the rejected ones from pending to rejected, in one batch
  // (synced when it holds rejections: a resend of a rejected update is acked as a duplicate, so
  // losing that move would lose the rejection). Seqs no longer pending are skipped; `moved`
  // (may be null) receives the records of the updates that moved to rejected.
  Status Settle(const std::vector<uint64_t>& acked, const std::vector<Rejection>& rejected,
                int64_t now_ms, std::vector<tonghop::storage::v1::RejectedUpdate>* moved);

  // Appends to `out` up to `max` pending updates with seq >= from_seq, in seq order. A record that
  // cannot be read is set aside first, in one synced write: its bytes and the reason go to
  // "unreadable", and its pending record becomes a placeholder (seq and unreadable_reason only;
  // the sender adds its unit), which comes out in its place. The aggregator refuses the
  // placeholder MALFORMED, so it ends in "rejected" like any refused figure, and the seqs after it
  // flow. Logged once per record. Fails only when the outbox cannot be read or written.
  Status ReadPending(uint64_t from_seq, size_t max, std::vector<tonghop::v1::IndicatorUpdate>* out);

  // Lowest pending seq, or next_seq() when nothing is pending.
  uint64_t FirstPendingSeq() const;

  // When the oldest pending figure was appended, in ms since the epoch; 0 when none is pending.
  // Kept in memory: figures pending when the outbox was opened count from the opening.
  int64_t PendingSinceMs();

  // The record of drop file `name`, if its figures were appended.
  std::optional<tonghop::storage::v1::IngestedFile> FindFile(const std::string& name) const;

  uint64_t id() const { return id_; }
  uint64_t next_seq() const { return next_seq_; }
  uint64_t pending_count() const { return pending_count_; }
  uint64_t rejected_count() const { return rejected_count_; }
  // Records set aside as unreadable, ever, and the last one: "seq 7: field 'indicator' is not
  // valid UTF-8 (figure 3 of drop file agriculture.csv)"; empty when there is none.
  uint64_t unreadable_count() const { return unreadable_count_; }
  const std::string& last_unreadable() const { return last_unreadable_; }
  const std::string& path() const { return path_; }

 private:
  Outbox() = default;
  Status Write(rocksdb::WriteBatch* batch, bool sync, const char* what);
  // Reads id, next_seq and the counts from the database.
  Status LoadState();
  // After a failed write (disk full): reopens the database and reloads the state, or says why not.
  Status Recover();

  // Sets aside the pending record `raw` of `seq`, which did not parse because of `why` (see
  // ReadPending), and fills `placeholder` with what now stands in its place.
  Status SetAside(uint64_t seq, std::string_view raw, const std::string& why,
                  tonghop::v1::IndicatorUpdate* placeholder);
  // "figure 3 of drop file agriculture.csv" for a seq that came from a drop file, else "".
  std::string Origin(uint64_t seq) const;

  enum Family { kPending, kRejected, kFiles, kUnreadable };
  rocksdb::ColumnFamilyHandle* family(Family f) const { return db_->family(f); }
  rocksdb::ColumnFamilyHandle* meta() const { return db_->get()->DefaultColumnFamily(); }

  std::string path_;
  std::unique_ptr<RocksDb> db_;
  uint64_t id_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t pending_count_ = 0;
  uint64_t rejected_count_ = 0;
  uint64_t unreadable_count_ = 0;
  std::string last_unreadable_;
  // When each Append still pending happened, by its first seq (see PendingSinceMs).
  std::map<uint64_t, int64_t> appended_ms_;
};

}  // namespace tonghop
