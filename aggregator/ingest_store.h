// IngestStore: the aggregator's RocksDB database. Everything one batch of updates changes — each
// unit's current figure, the audit record of every applied or rejected update and its history
// index entry, each outbox's position, the new aggregate versions and the counters — goes into one
// WriteBatch, so after any crash the database holds a prefix of the batches, never half of one.
//
// Column families (keys; values are tonghop.storage.v1 / tonghop.v1 protobufs):
//   values      indicator \0 period \0 unit          -> UnitValue (removed by a void)
//   audit       big-endian audit counter              -> AuditRecord
//   history     indicator \0 period \0 unit \0 big-endian audit counter -> "" (the audit log's index:
//               the revisions of one figure are one prefix, those of one indicator and period another)
//   positions   big-endian outbox_id                  -> OutboxPosition
//   aggregates  indicator \0 period                   -> tonghop.v1.AggregateUpdate (or its deletion)
//   default     "stream_id", "aggregate_seq", "audit_seq", "rules_fingerprint", "history_indexed_seq"
//               -> big-endian uint64
// The history index is written with its audit record. A database written by a build without it
// (or by one after it, as a downgrade would) is indexed at Open from "history_indexed_seq" on, the
// audit counter the last batch with its index entries stored.
//
// Threads: one thread (the aggregator's loop) opens, loads, writes and reopens the store. Any
// thread may at the same time read through a ReadView, a RocksDB snapshot: one consistent state,
// whatever is written meanwhile. Reopen() waits for the views in use (each serves one query) and
// releases the snapshots held across requests (a paged export), so no reader ever touches a
// database handle being replaced. A reopen does not wait for a long read to finish: the reads in
// progress give up (Unavailable, "ask again") as soon as one is asked for, and new views wait for
// the reopen.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/write_batch.h>

#include "core/rocks_db.h"
#include "core/status.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

enum class Durability {
  kWal,    // ack once in the write-ahead log: survives a process crash
  kFsync,  // ack once the log is fsynced: survives a power loss
};

class IngestStore {
 public:
  // Opens (creating if needed) the database in `dir`. A new database gets a random stream_id.
  // Audit records not yet in the history index are indexed first (logged as it goes).
  // A folder holding a backup's manifest (BackupManifest::kFileName) is a restored backup: its
  // files are checked against the manifest first (Corruption, saying what to do, when one is not
  // as copied), and it gets a new random stream_id, since its aggregate seqs went back and every
  // copy of the feed must start over; the manifest is then renamed to kRestoredFileName.
  static Status Open(const std::string& dir, Durability durability, std::unique_ptr<IngestStore>* out);
  ~IngestStore();

  const std::string& dir() const { return db_->dir(); }

  // A copy of the database as it is now in `dir` (RocksDb::CreateCheckpoint: it must not exist and
  // must be on the same file system, e.g. under this database's folder), while ingest goes on. Any
  // thread: a reopen waits for it. Unavailable while the database is closed after a failed reopen.
  Status CreateCheckpoint(const std::string& dir) const;

  // What a database folder holds, read without writing to it: a checkpoint, or a backup copy.
  struct Summary {
    uint64_t stream_id = 0;
    uint64_t aggregate_seq = 0;
    uint64_t audit_seq = 0;
    uint64_t outboxes = 0;  // outbox positions stored
  };
  // With verify_checksums, every block of every table file is read and checked too.
  static Status Summarize(const std::string& dir, bool verify_checksums, Summary* out);

  // The key of a unit's value in the values family (indicator \0 period \0 unit).
  static std::string ValueKey(std::string_view indicator, std::string_view period, std::string_view unit);
  // The key of audit record `audit_seq` in the history family, for a record of these ids (a period
  // that parses in its canonical text).
  static std::string HistoryKey(std::string_view indicator, std::string_view period, std::string_view unit,
                                uint64_t audit_seq);

  // Random id of this database, fixed at creation; names the aggregate sequence it issues.
  uint64_t stream_id() const { return stream_id_; }

  struct Counters {
    uint64_t aggregate_seq = 0;  // last aggregate seq issued
    uint64_t audit_seq = 0;      // last audit record written
    // The rules the stored aggregates were computed by (Aggregator::Restore); 0 before it existed.
    uint64_t rules_fingerprint = 0;
  };

  // Everything stored, for start-up. Each callback is called once per record.
  struct Visitor {
    std::function<void(const std::string& indicator, const std::string& period, const std::string& unit,
                       const tonghop::storage::v1::UnitValue&)> on_value;
    std::function<void(uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition&)> on_position;
    std::function<void(const tonghop::v1::AggregateUpdate&)> on_aggregate;
  };
  Status Load(const Visitor& visitor, Counters* counters) const;
  // The counters alone (Load reads them too).
  Status ReadCounters(Counters* counters) const;

  // Collects the writes of one batch; nothing is visible until Commit.
  class Batch {
   public:
    void PutValue(const std::string& indicator, const std::string& period, const std::string& unit,
                  const tonghop::storage::v1::UnitValue& value);
    // Removes the unit's figure (a void).
    void DeleteValue(const std::string& indicator, const std::string& period, const std::string& unit);
    // The record and its history index entry.
    void PutAudit(uint64_t audit_seq, const tonghop::storage::v1::AuditRecord& record);
    void PutPosition(uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position);
    // A version, or a deletion (kept so that the seq chain of the key goes on after a restart).
    void PutAggregate(const tonghop::v1::AggregateUpdate& version);
    // Also records that every audit record up to counters.audit_seq is indexed.
    void PutCounters(const Counters& counters);
    size_t size() const { return batch_.Count(); }

   private:
    friend class IngestStore;
    explicit Batch(const IngestStore* store) : store_(store) {}
    const IngestStore* store_;
    rocksdb::WriteBatch batch_;
  };
  Batch NewBatch() const { return Batch(this); }
  // Writes the batch atomically with the store's durability. IOError with RocksDB's reason.
  // `timing`, when given, says how long the write and its fsync took.
  Status Commit(Batch* batch, RocksDb::WriteTiming* timing = nullptr);
  // The size of the database's table files, in bytes (metrics).
  uint64_t TableFileBytes() const { return db_->TableFileBytes(); }

  // After a failed Commit every further Commit fails until Reopen() succeeds (see core/rocks_db.h);
  // reads keep working. The last complete batch is what the store then holds: reload from Load().
  bool broken() const { return db_->broken(); }
  // Waits for the read views in use to end, releases every held snapshot, and reopens.
  Status Reopen();

  // The audit records of one history index prefix: those of `indicator` and `period` (a period
  // that parses is matched in its canonical text), and of `unit` when given.
  struct HistoryScope {
    std::string indicator;
    std::string period;
    std::optional<std::string> unit;
  };
  using AuditVisitor = std::function<void(uint64_t seq, const tonghop::storage::v1::AuditRecord&)>;

  // One consistent state of the store, safe to use from any thread (one thread per view). It keeps
  // Reopen() waiting while it lives: hold it for one answer, not across requests, and no more than
  // one at a time on a thread, calling neither HoldSnapshot() nor Release() meanwhile (each would
  // wait for a reopen that waits for the view). Each read fails with Unavailable, from the next
  // record on, once a reopen or the owner's `cancel` asks it to.
  class ReadView {
   public:
    ~ReadView();
    ReadView(const ReadView&) = delete;
    ReadView& operator=(const ReadView&) = delete;

    // The figures of exactly (indicator, period), in unit order.
    Status ReadFigures(std::string_view indicator, std::string_view period,
                       const std::function<void(const std::string& unit, const tonghop::storage::v1::UnitValue&)>& visit) const;
    // Stored figures in key order (ValueKey), from the first key at or after `from` whose key
    // starts with `key_prefix`, for at most `max_keys` keys or until `visit` returns false (after
    // the figure it was given). *resume is where to go on from (the key after the last one
    // visited), "" when no key of the prefix is left. Reads bypass the block cache: an export
    // streams the whole family without evicting what ingest reads.
    Status ScanFigures(std::string_view from, std::string_view key_prefix, size_t max_keys,
                       const std::function<bool(const std::string& indicator, const std::string& period,
                                                const std::string& unit, const tonghop::storage::v1::UnitValue&)>& visit,
                       std::string* resume) const;
    // The stored aggregate version of `period` of every indicator whose id starts with
    // `indicator_prefix`, in indicator order; deleted aggregates are left out.
    Status ReadAggregates(std::string_view indicator_prefix, std::string_view period,
                          const std::function<void(const tonghop::v1::AggregateUpdate&)>& visit) const;
    // Every audit record of any of `scopes`, once each, in the order written, through the history
    // index: only those records are read.
    Status ReadHistory(const std::vector<HistoryScope>& scopes, const AuditVisitor& visit) const;
    // Every audit record in the order written: the whole log.
    Status ReadAudit(const AuditVisitor& visit) const;
    // Whether a read gave up because of a reopen or the owner's cancel (it may be asked again).
    bool interrupted() const { return interrupted_; }

   private:
    friend class IngestStore;
    ReadView(const IngestStore* store, std::shared_lock<std::shared_mutex> lock, const rocksdb::Snapshot* snapshot,
             bool owned, const std::atomic<bool>* cancel);
    rocksdb::ReadOptions Options() const;
    // Unavailable when a reopen is waiting or the owner cancels.
    Status Interrupted() const;
    const IngestStore* store_;
    std::shared_lock<std::shared_mutex> lock_;
    const rocksdb::Snapshot* snapshot_;
    bool owned_;  // released with the view; else a held snapshot
    const std::atomic<bool>* cancel_;
    mutable bool interrupted_ = false;
  };

  // A view of the store as it is now; its reads give up once `cancel` (may be null) is true.
  // Unavailable while the database is closed (a reopen failed).
  Status NewReadView(std::unique_ptr<ReadView>* out, const std::atomic<bool>* cancel = nullptr) const;

  // Snapshots held across requests, named by a random non-zero id: the pages of an export read
  // one state. The holder bounds them and releases each; Reopen() releases them all.
  Status HoldSnapshot(uint64_t* id) const;
  // A view of held snapshot `id`; NotFound when it was released. Release() must not be called
  // while the view lives.
  Status NewReadViewOfHeld(uint64_t id, std::unique_ptr<ReadView>* out, const std::atomic<bool>* cancel = nullptr) const;
  void Release(uint64_t id) const;
  size_t held_snapshots() const;

 private:
  IngestStore() = default;
  // Column families, in the order they are opened (handles change at Reopen: look them up).
  enum Family { kValues, kAudit, kPositions, kAggregates, kHistory };
  static const std::vector<std::string>& FamilyNames();
  // The restore of a backup copy in `dir` (Open): checks its files; *restored tells whether it is one.
  static Status CheckRestoredBackup(const std::string& dir, bool* restored);
  rocksdb::ColumnFamilyHandle* family(Family f) const { return db_->family(f); }
  // Indexes the audit records after "history_indexed_seq" (see above).
  Status IndexAuditLog();
  void ReleaseAllHeld() const;
  // The shared lock of a new view, taken after any reopen that is waiting.
  std::shared_lock<std::shared_mutex> LockForReading() const;

  std::unique_ptr<RocksDb> db_;
  rocksdb::WriteOptions write_options_;
  uint64_t stream_id_ = 0;
  // Shared by every read view, exclusive for Reopen(). A reopen holds the turnstile while it waits
  // for the lock, so that new views wait behind it instead of keeping it out; `reopening_` tells
  // the reads in progress to give up.
  mutable std::shared_mutex reopen_mutex_;
  mutable std::mutex turnstile_;
  std::atomic<bool> reopening_{false};
  mutable std::mutex held_mutex_;
  mutable std::map<uint64_t, const rocksdb::Snapshot*> held_;
};

}  // namespace tonghop
