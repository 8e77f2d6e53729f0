#include "aggregator/ingest_store.h"

#include <fmt/format.h>

#include "core/rocksdb_util.h"

namespace tonghop {
namespace {

constexpr char kStreamIdKey[] = "stream_id";
constexpr char kAggregateSeqKey[] = "aggregate_seq";
constexpr char kAuditSeqKey[] = "audit_seq";
constexpr char kRulesFingerprintKey[] = "rules_fingerprint";

std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  for (std::string_view part : parts) {
    if (!key.empty()) key.push_back('\0');
    key.append(part);
  }
  return key;
}

std::vector<std::string> SplitKey(std::string_view key) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = key.find('\0', start);
    parts.emplace_back(key.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

Status ReadCounter(rocksdb::DB* db, const char* key, uint64_t* value) {
  std::string bytes;
  rocksdb::Status s = db->Get(rocksdb::ReadOptions(), key, &bytes);
  if (s.IsNotFound()) {
    *value = 0;
    return Status::OK();
  }
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(s, fmt::format("reading {}", key)));
  if (!DecodeBigEndian64(bytes, value)) return Status::Corruption(fmt::format("counter {} is not 8 bytes", key));
  return Status::OK();
}

}  // namespace

Status IngestStore::Open(const std::string& dir, Durability durability, std::unique_ptr<IngestStore>* out) {
  std::unique_ptr<IngestStore> store(new IngestStore());
  TONGHOP_RETURN_IF_ERROR(RocksDb::Open(dir, {"values", "audit", "positions", "aggregates"}, &store->db_));
  store->write_options_.sync = durability == Durability::kFsync;

  TONGHOP_RETURN_IF_ERROR(ReadCounter(store->db_->get(), kStreamIdKey, &store->stream_id_));
  if (store->stream_id_ == 0) {
    store->stream_id_ = RandomNonZeroId();
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::WriteBatch batch;
    batch.Put(kStreamIdKey, EncodeBigEndian64(store->stream_id_));
    TONGHOP_RETURN_IF_ERROR(store->db_->Write(sync, &batch, "writing the stream id"));
  }
  *out = std::move(store);
  return Status::OK();
}

IngestStore::~IngestStore() = default;

Status IngestStore::ReadCounters(Counters* counters) const {
  TONGHOP_RETURN_IF_ERROR(ReadCounter(db_->get(), kAggregateSeqKey, &counters->aggregate_seq));
  TONGHOP_RETURN_IF_ERROR(ReadCounter(db_->get(), kRulesFingerprintKey, &counters->rules_fingerprint));
  return ReadCounter(db_->get(), kAuditSeqKey, &counters->audit_seq);
}

Status IngestStore::Load(const Visitor& visitor, Counters* counters) const {
  TONGHOP_RETURN_IF_ERROR(ReadCounters(counters));
  auto scan = [&](rocksdb::ColumnFamilyHandle* family, const char* what,
                  const std::function<Status(std::string_view key, std::string_view value)>& visit) -> Status {
    std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator(rocksdb::ReadOptions(), family));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      TONGHOP_RETURN_IF_ERROR(visit(it->key().ToStringView(), it->value().ToStringView()));
    }
    return FromRocksDb(it->status(), fmt::format("reading {}", what));
  };
  TONGHOP_RETURN_IF_ERROR(scan(family(kValues), "unit values", [&](std::string_view key, std::string_view bytes) {
    auto parts = SplitKey(key);
    tonghop::storage::v1::UnitValue value;
    if (parts.size() != 3 || !value.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::Corruption("a unit value record cannot be read");
    }
    visitor.on_value(parts[0], parts[1], parts[2], value);
    return Status::OK();
  }));
  TONGHOP_RETURN_IF_ERROR(scan(family(kPositions), "outbox positions", [&](std::string_view key, std::string_view bytes) {
    uint64_t outbox_id = 0;
    tonghop::storage::v1::OutboxPosition position;
    if (!DecodeBigEndian64(key, &outbox_id) || !position.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::Corruption("an outbox position record cannot be read");
    }
    visitor.on_position(outbox_id, position);
    return Status::OK();
  }));
  TONGHOP_RETURN_IF_ERROR(scan(family(kAggregates), "aggregates", [&](std::string_view, std::string_view bytes) {
    tonghop::v1::AggregateUpdate version;
    if (!version.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      return Status::Corruption("an aggregate record cannot be read");
    }
    visitor.on_aggregate(version);
    return Status::OK();
  }));
  return Status::OK();
}

std::string IngestStore::ValueKey(std::string_view indicator, std::string_view period, std::string_view unit) {
  return JoinKey({indicator, period, unit});
}

void IngestStore::Batch::PutValue(const std::string& indicator, const std::string& period, const std::string& unit,
                                  const tonghop::storage::v1::UnitValue& value) {
  batch_.Put(store_->family(kValues), ValueKey(indicator, period, unit), value.SerializeAsString());
}

void IngestStore::Batch::PutAudit(uint64_t audit_seq, const tonghop::storage::v1::AuditRecord& record) {
  batch_.Put(store_->family(kAudit), EncodeBigEndian64(audit_seq), record.SerializeAsString());
}

void IngestStore::Batch::PutPosition(uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position) {
  batch_.Put(store_->family(kPositions), EncodeBigEndian64(outbox_id), position.SerializeAsString());
}

void IngestStore::Batch::PutAggregate(const tonghop::v1::AggregateUpdate& version) {
  batch_.Put(store_->family(kAggregates), JoinKey({version.indicator(), version.period()}), version.SerializeAsString());
}

void IngestStore::Batch::PutCounters(const Counters& counters) {
  batch_.Put(kAggregateSeqKey, EncodeBigEndian64(counters.aggregate_seq));
  batch_.Put(kAuditSeqKey, EncodeBigEndian64(counters.audit_seq));
  batch_.Put(kRulesFingerprintKey, EncodeBigEndian64(counters.rules_fingerprint));
}

Status IngestStore::Commit(Batch* batch) {
  return db_->Write(write_options_, &batch->batch_, "writing a batch of updates");
}

Status IngestStore::ReadAudit(
    const std::function<void(uint64_t, const tonghop::storage::v1::AuditRecord&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator(rocksdb::ReadOptions(), family(kAudit)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    uint64_t seq = 0;
    tonghop::storage::v1::AuditRecord record;
    if (!DecodeBigEndian64(it->key().ToStringView(), &seq) ||
        !record.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("an audit record cannot be read");
    }
    visit(seq, record);
  }
  return FromRocksDb(it->status(), "reading the audit log");
}

}  // namespace tonghop
