// Outbox: a collector's durable store of the figures it has accepted and the aggregator has not yet
// acknowledged. A figure counts as accepted only once Append has returned OK: by then it is synced
// to disk, so neither a crash nor a power loss can lose it. It leaves the outbox only when the
// aggregator acks it (Settle), or moves aside to "rejected" when the aggregator refuses it for good.
//
// On disk: RocksDB at <data_dir>/outbox with column families
//   default   meta: "outbox_id" (random non-zero uint64 chosen when the outbox is created, kept
//             forever; sequence numbers are scoped to it) and "next_seq"
//   pending   big-endian seq -> tonghop.v1.IndicatorUpdate (with its seq)
//   rejected  big-endian seq -> tonghop.storage.v1.RejectedUpdate
//   files     drop-file name -> tonghop.storage.v1.IngestedFile (the file's figures are in here)
// Seqs are assigned consecutively from 1 and never reused, not even after a failed Append.
//
// Not thread-safe: one thread owns it. RocksDB's lock keeps a second process from opening it.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
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

  // Appends to `out` up to `max` pending updates with seq >= from_seq, in seq order.
  Status ReadPending(uint64_t from_seq, size_t max, std::vector<tonghop::v1::IndicatorUpdate>* out) const;

  // Lowest pending seq, or next_seq() when nothing is pending.
  uint64_t FirstPendingSeq() const;

  // The record of drop file `name`, if its figures were appended.
  std::optional<tonghop::storage::v1::IngestedFile> FindFile(const std::string& name) const;

  uint64_t id() const { return id_; }
  uint64_t next_seq() const { return next_seq_; }
  uint64_t pending_count() const { return pending_count_; }
  uint64_t rejected_count() const { return rejected_count_; }
  const std::string& path() const { return path_; }

 private:
  Outbox() = default;
  Status Write(rocksdb::WriteBatch* batch, bool sync, const char* what);
  // Reads id, next_seq and the counts from the database.
  Status LoadState();
  // After a failed write (disk full): reopens the database and reloads the state, or says why not.
  Status Recover();

  enum Family { kPending, kRejected, kFiles };
  rocksdb::ColumnFamilyHandle* family(Family f) const { return db_->family(f); }
  rocksdb::ColumnFamilyHandle* meta() const { return db_->get()->DefaultColumnFamily(); }

  std::string path_;
  std::unique_ptr<RocksDb> db_;
  uint64_t id_ = 0;
  uint64_t next_seq_ = 1;
  uint64_t pending_count_ = 0;
  uint64_t rejected_count_ = 0;
};

}  // namespace tonghop
