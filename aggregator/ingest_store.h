// IngestStore: the aggregator's RocksDB database. Everything one batch of updates changes — each
// unit's current figure, the audit record of every applied or rejected update, each outbox's
// position, the new aggregate versions and the counters — goes into one WriteBatch, so after any
// crash the database holds a prefix of the batches, never half of one.
//
// Column families (keys; values are tonghop.storage.v1 / tonghop.v1 protobufs):
//   values      indicator \0 period \0 unit  -> UnitValue
//   audit       big-endian audit counter      -> AuditRecord
//   positions   big-endian outbox_id          -> OutboxPosition
//   aggregates  indicator \0 period           -> tonghop.v1.AggregateUpdate
//   default     "stream_id", "aggregate_seq", "audit_seq", "rules_fingerprint" -> big-endian uint64
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
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
  static Status Open(const std::string& dir, Durability durability, std::unique_ptr<IngestStore>* out);
  ~IngestStore();

  // The key of a unit's value in the values family (indicator \0 period \0 unit).
  static std::string ValueKey(std::string_view indicator, std::string_view period, std::string_view unit);

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
    void PutAudit(uint64_t audit_seq, const tonghop::storage::v1::AuditRecord& record);
    void PutPosition(uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position);
    void PutAggregate(const tonghop::v1::AggregateUpdate& version);
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
  Status Commit(Batch* batch);

  // After a failed Commit every further Commit fails until Reopen() succeeds (see core/rocks_db.h);
  // reads keep working. The last complete batch is what the store then holds: reload from Load().
  bool broken() const { return db_->broken(); }
  Status Reopen() { return db_->Reopen(); }

  // Every audit record in the order written (for tests and `history`).
  Status ReadAudit(const std::function<void(uint64_t, const tonghop::storage::v1::AuditRecord&)>& visit) const;

 private:
  IngestStore() = default;
  // Column families, in the order they are opened (handles change at Reopen: look them up).
  enum Family { kValues, kAudit, kPositions, kAggregates };
  rocksdb::ColumnFamilyHandle* family(Family f) const { return db_->family(f); }

  std::unique_ptr<RocksDb> db_;
  rocksdb::WriteOptions write_options_;
  uint64_t stream_id_ = 0;
};

}  // namespace tonghop
