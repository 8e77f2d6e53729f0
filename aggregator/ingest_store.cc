#include "aggregator/ingest_store.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "aggregator/backup_manifest.h"
#include "core/clock.h"
#include "core/period.h"
#include "core/rocksdb_util.h"
#include "core/transport.h"

namespace tonghop {
namespace {

constexpr char kStreamIdKey[] = "stream_id";
constexpr char kAggregateSeqKey[] = "aggregate_seq";
constexpr char kAuditSeqKey[] = "audit_seq";
constexpr char kRulesFingerprintKey[] = "rules_fingerprint";
constexpr char kHistoryIndexedKey[] = "history_indexed_seq";
// Index entries written per batch while indexing an old audit log at Open, and how often its
// progress is logged.
constexpr size_t kIndexBatchRecords = 100'000;
constexpr int64_t kIndexProgressIntervalMs = 5'000;

std::string JoinKey(std::initializer_list<std::string_view> parts) {
  std::string key;
  bool first = true;
  for (std::string_view part : parts) {
    if (!first) key.push_back('\0');
    first = false;
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

// A record's period in the history index: its canonical text when it parses (a query asks by
// canonical period), else as recorded (a rejected record may carry anything).
std::string HistoryPeriod(std::string_view period) {
  Period parsed;
  return Period::Parse(period, &parsed).ok() ? parsed.ToString() : std::string(period);
}

std::string HistoryKeyOf(uint64_t audit_seq, const tonghop::storage::v1::AuditRecord& record) {
  return IngestStore::HistoryKey(record.indicator(), record.period(), record.reporting_unit(), audit_seq);
}

bool ParseAudit(std::string_view key, const rocksdb::Slice& value, uint64_t* seq,
                tonghop::storage::v1::AuditRecord* record) {
  return DecodeBigEndian64(key, seq) && record->ParseFromArray(value.data(), static_cast<int>(value.size()));
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

const std::vector<std::string>& IngestStore::FamilyNames() {
  static const std::vector<std::string> names = {"values", "audit", "positions", "aggregates", "history"};
  return names;
}

Status IngestStore::CheckRestoredBackup(const std::string& dir, bool* restored) {
  BackupManifest manifest;
  Status read = BackupManifest::Read(dir, &manifest);
  *restored = !read.IsNotFound();
  if (!*restored) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(read.WithContext("the backup's manifest cannot be read; copy the backup again"));
  spdlog::info("{} is a restored backup, taken at {} of stream {:016x} (aggregate seq {}, audit record {}, {} "
               "outboxes): checking its {} files", dir, manifest.TakenAt(), manifest.stream_id,
               manifest.aggregate_seq, manifest.audit_seq, manifest.outboxes, manifest.files.size());
  return manifest.Verify(dir);
}

Status IngestStore::Open(const std::string& dir, Durability durability, std::unique_ptr<IngestStore>* out) {
  bool restored = false;
  TONGHOP_RETURN_IF_ERROR(CheckRestoredBackup(dir, &restored));
  std::unique_ptr<IngestStore> store(new IngestStore());
  TONGHOP_RETURN_IF_ERROR(RocksDb::Open(dir, FamilyNames(), &store->db_));
  store->write_options_.sync = durability == Durability::kFsync;

  TONGHOP_RETURN_IF_ERROR(ReadCounter(store->db_->get(), kStreamIdKey, &store->stream_id_));
  if (store->stream_id_ == 0 || restored) {
    const uint64_t before = store->stream_id_;
    store->stream_id_ = RandomNonZeroId();
    rocksdb::WriteOptions sync;
    sync.sync = true;
    rocksdb::WriteBatch batch;
    batch.Put(kStreamIdKey, EncodeBigEndian64(store->stream_id_));
    TONGHOP_RETURN_IF_ERROR(store->db_->Write(sync, &batch, "writing the stream id"));
    if (restored) {
      // After the new stream is stored: a crash between the two only makes another new stream.
      std::error_code error;
      std::filesystem::rename(dir + "/" + BackupManifest::kFileName, dir + "/" + BackupManifest::kRestoredFileName,
                              error);
      if (error) {
        return Status::IOError(fmt::format("cannot rename {}/{}: {}", dir, BackupManifest::kFileName, error.message()));
      }
      spdlog::warn("restored backup: the database starts the new stream {:016x} in place of {:016x}, as its aggregate "
                   "seqs went back; the publisher and every subscriber start over from it. Collectors send again what "
                   "they had settled since the backup, from what they retain", store->stream_id_, before);
    }
  }
  TONGHOP_RETURN_IF_ERROR(store->IndexAuditLog());
  *out = std::move(store);
  return Status::OK();
}

Status IngestStore::CreateCheckpoint(const std::string& dir) const {
  std::shared_lock<std::shared_mutex> lock = LockForReading();
  return db_->CreateCheckpoint(dir);
}

Status IngestStore::Summarize(const std::string& dir, bool verify_checksums, Summary* out) {
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  TONGHOP_RETURN_IF_ERROR(OpenRocksDb(dir, FamilyNames(), &db, &handles, /*read_only=*/true));
  Status status = ReadCounter(db.get(), kStreamIdKey, &out->stream_id);
  if (status.ok()) status = ReadCounter(db.get(), kAggregateSeqKey, &out->aggregate_seq);
  if (status.ok()) status = ReadCounter(db.get(), kAuditSeqKey, &out->audit_seq);
  if (status.ok()) {
    out->outboxes = 0;
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[kPositions]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++out->outboxes;
    status = FromRocksDb(it->status(), "reading outbox positions");
  }
  if (status.ok() && verify_checksums) status = FromRocksDb(db->VerifyChecksum(), "checking the table files' checksums");
  for (auto* handle : handles) (void)db->DestroyColumnFamilyHandle(handle);
  return status.WithContext(dir);
}

IngestStore::~IngestStore() { ReleaseAllHeld(); }

Status IngestStore::IndexAuditLog() {
  uint64_t indexed = 0;
  TONGHOP_RETURN_IF_ERROR(ReadCounter(db_->get(), kHistoryIndexedKey, &indexed));
  std::unique_ptr<rocksdb::Iterator> it(db_->get()->NewIterator(rocksdb::ReadOptions(), family(kAudit)));
  it->SeekToLast();
  uint64_t last = 0;
  if (!it->Valid() || !DecodeBigEndian64(it->key().ToStringView(), &last) || last <= indexed) {
    return FromRocksDb(it->status(), "reading the audit log");
  }
  spdlog::info("indexing audit records {} to {} for history queries (written by a build without the index; "
               "once)", indexed + 1, last);
  const int64_t start = MonotonicMs();
  int64_t next_log = start + kIndexProgressIntervalMs;
  rocksdb::WriteBatch batch;
  size_t done = 0;
  uint64_t seq = indexed;
  auto flush = [&] {
    batch.Put(kHistoryIndexedKey, EncodeBigEndian64(seq));
    Status s = db_->Write(write_options_, &batch, "writing the history index");
    batch.Clear();
    return s;
  };
  for (it->Seek(EncodeBigEndian64(indexed + 1)); it->Valid(); it->Next()) {
    tonghop::storage::v1::AuditRecord record;
    if (!ParseAudit(it->key().ToStringView(), it->value(), &seq, &record)) {
      return Status::Corruption("an audit record cannot be read");
    }
    batch.Put(family(kHistory), HistoryKeyOf(seq, record), rocksdb::Slice());
    if (++done % kIndexBatchRecords != 0) continue;
    TONGHOP_RETURN_IF_ERROR(flush());
    if (MonotonicMs() >= next_log) {
      next_log = MonotonicMs() + kIndexProgressIntervalMs;
      spdlog::info("indexing the audit log: {} of {} records ({:.0f}%)", done, last - indexed,
                   100.0 * static_cast<double>(done) / static_cast<double>(last - indexed));
    }
  }
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(it->status(), "reading the audit log"));
  TONGHOP_RETURN_IF_ERROR(flush());
  spdlog::info("indexed {} audit records in {:.1f} s", done, static_cast<double>(MonotonicMs() - start) / 1000);
  return Status::OK();
}

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

std::string IngestStore::HistoryKey(std::string_view indicator, std::string_view period, std::string_view unit,
                                    uint64_t audit_seq) {
  return JoinKey({indicator, HistoryPeriod(period), unit, EncodeBigEndian64(audit_seq)});
}

void IngestStore::Batch::PutValue(const std::string& indicator, const std::string& period, const std::string& unit,
                                  const tonghop::storage::v1::UnitValue& value) {
  batch_.Put(store_->family(kValues), ValueKey(indicator, period, unit), value.SerializeAsString());
}

void IngestStore::Batch::DeleteValue(const std::string& indicator, const std::string& period,
                                     const std::string& unit) {
  batch_.Delete(store_->family(kValues), ValueKey(indicator, period, unit));
}

void IngestStore::Batch::PutAudit(uint64_t audit_seq, const tonghop::storage::v1::AuditRecord& record) {
  batch_.Put(store_->family(kAudit), EncodeBigEndian64(audit_seq), record.SerializeAsString());
  batch_.Put(store_->family(kHistory), HistoryKeyOf(audit_seq, record), rocksdb::Slice());
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
  batch_.Put(kHistoryIndexedKey, EncodeBigEndian64(counters.audit_seq));
}

Status IngestStore::Commit(Batch* batch, RocksDb::WriteTiming* timing) {
  return db_->Write(write_options_, &batch->batch_, "writing a batch of updates", timing);
}

Status IngestStore::Reopen() {
  std::lock_guard<std::mutex> turnstile(turnstile_);
  reopening_ = true;
  std::unique_lock<std::shared_mutex> lock(reopen_mutex_);
  reopening_ = false;
  ReleaseAllHeld();
  return db_->Reopen();
}

std::shared_lock<std::shared_mutex> IngestStore::LockForReading() const {
  std::lock_guard<std::mutex> turnstile(turnstile_);
  return std::shared_lock<std::shared_mutex>(reopen_mutex_);
}

void IngestStore::ReleaseAllHeld() const {
  std::lock_guard<std::mutex> lock(held_mutex_);
  for (const auto& [id, snapshot] : held_) db_->get()->ReleaseSnapshot(snapshot);
  held_.clear();
}

Status IngestStore::NewReadView(std::unique_ptr<ReadView>* out, const std::atomic<bool>* cancel) const {
  std::shared_lock<std::shared_mutex> lock = LockForReading();
  if (db_->get() == nullptr) return Status::Unavailable("the database is closed after a failed reopen: " + db_->broken_status().message());
  const rocksdb::Snapshot* snapshot = db_->get()->GetSnapshot();
  out->reset(new ReadView(this, std::move(lock), snapshot, /*owned=*/true, cancel));
  return Status::OK();
}

Status IngestStore::HoldSnapshot(uint64_t* id) const {
  std::shared_lock<std::shared_mutex> lock = LockForReading();
  if (db_->get() == nullptr) return Status::Unavailable("the database is closed after a failed reopen: " + db_->broken_status().message());
  std::lock_guard<std::mutex> held_lock(held_mutex_);
  do {
    *id = RandomNonZeroId();
  } while (held_.count(*id));
  held_[*id] = db_->get()->GetSnapshot();
  return Status::OK();
}

Status IngestStore::NewReadViewOfHeld(uint64_t id, std::unique_ptr<ReadView>* out,
                                      const std::atomic<bool>* cancel) const {
  std::shared_lock<std::shared_mutex> lock = LockForReading();
  const rocksdb::Snapshot* snapshot = nullptr;
  {
    std::lock_guard<std::mutex> held_lock(held_mutex_);
    auto it = held_.find(id);
    if (it == held_.end()) return Status::NotFound("no such snapshot (released, or the database was reopened)");
    snapshot = it->second;
  }
  out->reset(new ReadView(this, std::move(lock), snapshot, /*owned=*/false, cancel));
  return Status::OK();
}

void IngestStore::Release(uint64_t id) const {
  std::shared_lock<std::shared_mutex> lock = LockForReading();
  std::lock_guard<std::mutex> held_lock(held_mutex_);
  auto it = held_.find(id);
  if (it == held_.end()) return;
  db_->get()->ReleaseSnapshot(it->second);
  held_.erase(it);
}

size_t IngestStore::held_snapshots() const {
  std::lock_guard<std::mutex> lock(held_mutex_);
  return held_.size();
}

IngestStore::ReadView::ReadView(const IngestStore* store, std::shared_lock<std::shared_mutex> lock,
                                const rocksdb::Snapshot* snapshot, bool owned, const std::atomic<bool>* cancel)
    : store_(store), lock_(std::move(lock)), snapshot_(snapshot), owned_(owned), cancel_(cancel) {}

Status IngestStore::ReadView::Interrupted() const {
  if (store_->reopening_.load(std::memory_order_relaxed) ||
      (cancel_ != nullptr && cancel_->load(std::memory_order_relaxed))) {
    interrupted_ = true;
    return Status::Unavailable("the read was interrupted: the aggregator is reopening its database or stopping; ask again");
  }
  return Status::OK();
}

IngestStore::ReadView::~ReadView() {
  if (owned_) store_->db_->get()->ReleaseSnapshot(snapshot_);
}

rocksdb::ReadOptions IngestStore::ReadView::Options() const {
  rocksdb::ReadOptions options;
  options.snapshot = snapshot_;
  return options;
}

Status IngestStore::ReadView::ReadFigures(
    std::string_view indicator, std::string_view period,
    const std::function<void(const std::string& unit, const tonghop::storage::v1::UnitValue&)>& visit) const {
  const std::string prefix = JoinKey({indicator, period, ""});
  std::unique_ptr<rocksdb::Iterator> it(store_->db_->get()->NewIterator(Options(), store_->family(kValues)));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    TONGHOP_RETURN_IF_ERROR(Interrupted());
    std::string_view unit = it->key().ToStringView().substr(prefix.size());
    if (unit.find('\0') != std::string_view::npos) continue;  // not a key of three parts
    tonghop::storage::v1::UnitValue value;
    if (!value.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("a unit value record cannot be read");
    }
    visit(std::string(unit), value);
  }
  return FromRocksDb(it->status(), "reading unit values");
}

Status IngestStore::ReadView::ScanFigures(
    std::string_view from, std::string_view key_prefix, size_t max_keys,
    const std::function<bool(const std::string&, const std::string&, const std::string&,
                             const tonghop::storage::v1::UnitValue&)>& visit,
    std::string* resume) const {
  rocksdb::ReadOptions options = Options();
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store_->db_->get()->NewIterator(options, store_->family(kValues)));
  resume->clear();
  it->Seek(std::max(from, key_prefix));
  for (size_t keys = 0; it->Valid() && it->key().starts_with(rocksdb::Slice(key_prefix.data(), key_prefix.size())); it->Next()) {
    TONGHOP_RETURN_IF_ERROR(Interrupted());
    if (keys++ == max_keys) {
      *resume = it->key().ToString();
      break;
    }
    auto parts = SplitKey(it->key().ToStringView());
    tonghop::storage::v1::UnitValue value;
    if (parts.size() != 3 || !value.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
      return Status::Corruption("a unit value record cannot be read");
    }
    if (!visit(parts[0], parts[1], parts[2], value)) {
      // The smallest key after this one.
      *resume = it->key().ToString() + '\0';
      break;
    }
  }
  return FromRocksDb(it->status(), "reading unit values");
}

Status IngestStore::ReadView::ReadAggregates(std::string_view indicator_prefix, std::string_view period,
                                             const std::function<void(const tonghop::v1::AggregateUpdate&)>& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(store_->db_->get()->NewIterator(Options(), store_->family(kAggregates)));
  const rocksdb::Slice prefix(indicator_prefix.data(), indicator_prefix.size());
  // One seek to each indicator's version of the period, and one past the indicator's other periods.
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix);) {
    TONGHOP_RETURN_IF_ERROR(Interrupted());
    std::string_view key = it->key().ToStringView();
    const std::string indicator(key.substr(0, key.find('\0')));
    const std::string wanted = JoinKey({indicator, period});
    it->Seek(wanted);
    if (it->Valid() && it->key() == wanted && indicator.starts_with(indicator_prefix)) {
      tonghop::v1::AggregateUpdate version;
      if (!version.ParseFromArray(it->value().data(), static_cast<int>(it->value().size()))) {
        return Status::Corruption("an aggregate record cannot be read");
      }
      if (!version.deleted()) visit(version);
    }
    it->Seek(indicator + '\x01');  // keys of `indicator` are indicator \0 ...
  }
  return FromRocksDb(it->status(), "reading aggregates");
}

Status IngestStore::ReadView::ReadHistory(const std::vector<HistoryScope>& scopes, const AuditVisitor& visit) const {
  rocksdb::DB* db = store_->db_->get();
  std::vector<uint64_t> seqs;
  std::unique_ptr<rocksdb::Iterator> index(db->NewIterator(Options(), store_->family(kHistory)));
  for (const HistoryScope& scope : scopes) {
    const std::string prefix = scope.unit ? JoinKey({scope.indicator, scope.period, *scope.unit, ""})
                                          : JoinKey({scope.indicator, scope.period, ""});
    for (index->Seek(prefix); index->Valid() && index->key().starts_with(prefix); index->Next()) {
      TONGHOP_RETURN_IF_ERROR(Interrupted());
      uint64_t seq = 0;
      std::string_view key = index->key().ToStringView();
      if (key.size() < prefix.size() + 8 || !DecodeBigEndian64(key.substr(key.size() - 8), &seq)) {
        return Status::Corruption("a history index entry cannot be read");
      }
      seqs.push_back(seq);
    }
    TONGHOP_RETURN_IF_ERROR(FromRocksDb(index->status(), "reading the history index"));
  }
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  // A key's parts may contain \0 in a rejected record's ids, so a prefix can hold another scope's
  // entries: each record is checked against the scopes themselves.
  auto in_scope = [&](const tonghop::storage::v1::AuditRecord& record) {
    const std::string period = HistoryPeriod(record.period());
    return std::any_of(scopes.begin(), scopes.end(), [&](const HistoryScope& scope) {
      return record.indicator() == scope.indicator && period == scope.period &&
             (!scope.unit || record.reporting_unit() == *scope.unit);
    });
  };
  std::unique_ptr<rocksdb::Iterator> audit(db->NewIterator(Options(), store_->family(kAudit)));
  for (uint64_t seq : seqs) {
    TONGHOP_RETURN_IF_ERROR(Interrupted());
    const std::string key = EncodeBigEndian64(seq);
    audit->Seek(key);
    if (!audit->Valid() || audit->key() != key) {
      TONGHOP_RETURN_IF_ERROR(FromRocksDb(audit->status(), "reading the audit log"));
      return Status::Corruption(fmt::format("the history index names audit record {}, which is not in the log", seq));
    }
    uint64_t read_seq = 0;
    tonghop::storage::v1::AuditRecord record;
    if (!ParseAudit(audit->key().ToStringView(), audit->value(), &read_seq, &record)) {
      return Status::Corruption("an audit record cannot be read");
    }
    if (in_scope(record)) visit(seq, record);
  }
  return Status::OK();
}

Status IngestStore::ReadView::ReadAudit(const AuditVisitor& visit) const {
  std::unique_ptr<rocksdb::Iterator> it(store_->db_->get()->NewIterator(Options(), store_->family(kAudit)));
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    TONGHOP_RETURN_IF_ERROR(Interrupted());
    uint64_t seq = 0;
    tonghop::storage::v1::AuditRecord record;
    if (!ParseAudit(it->key().ToStringView(), it->value(), &seq, &record)) {
      return Status::Corruption("an audit record cannot be read");
    }
    visit(seq, record);
  }
  return FromRocksDb(it->status(), "reading the audit log");
}

}  // namespace tonghop
