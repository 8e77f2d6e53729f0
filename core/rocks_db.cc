#include "core/rocks_db.h"

#include <chrono>

#include <rocksdb/iostats_context.h>
#include <rocksdb/perf_level.h>

#include <fmt/format.h>
#include <rocksdb/utilities/checkpoint.h>

#include "core/rocksdb_util.h"

namespace tonghop {

Status RocksDb::Open(std::string dir, std::vector<std::string> families, std::unique_ptr<RocksDb>* out,
                     size_t memtable_bytes) {
  std::unique_ptr<RocksDb> db(new RocksDb(std::move(dir), std::move(families), memtable_bytes));
  TONGHOP_RETURN_IF_ERROR(OpenRocksDb(db->dir_, db->families_, &db->db_, &db->handles_, false, memtable_bytes));
  *out = std::move(db);
  return Status::OK();
}

RocksDb::~RocksDb() { Close(); }

void RocksDb::Close() {
  if (!db_) return;
  for (auto* handle : handles_) (void)db_->DestroyColumnFamilyHandle(handle);
  handles_.clear();
  (void)db_->Close();
  db_.reset();
}

Status RocksDb::Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch, std::string_view doing,
                      WriteTiming* timing) {
  if (broken()) return broken_;
  Status s;
  if (timing == nullptr) {
    s = FromRocksDb(db_->Write(options, batch), doing);
  } else {
    // The I/O statistics time each file operation only at this perf level; it is the thread's own.
    const rocksdb::PerfLevel level = rocksdb::GetPerfLevel();
    rocksdb::SetPerfLevel(rocksdb::PerfLevel::kEnableTimeExceptForMutex);
    const uint64_t fsync_before = rocksdb::get_iostats_context()->fsync_nanos;
    const auto start = std::chrono::steady_clock::now();
    s = FromRocksDb(db_->Write(options, batch), doing);
    timing->seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    timing->fsync_seconds = static_cast<double>(rocksdb::get_iostats_context()->fsync_nanos - fsync_before) / 1e9;
    rocksdb::SetPerfLevel(level);
  }
  if (!s.ok()) broken_ = s;
  return s;
}

Status RocksDb::CreateCheckpoint(const std::string& dir) const {
  if (!db_) return Status::Unavailable("the database is closed after a failed reopen: " + broken_.message());
  rocksdb::Checkpoint* raw = nullptr;
  TONGHOP_RETURN_IF_ERROR(FromRocksDb(rocksdb::Checkpoint::Create(db_.get(), &raw), "preparing a checkpoint"));
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  return FromRocksDb(checkpoint->CreateCheckpoint(dir), fmt::format("making a checkpoint of {} in {}", dir_, dir));
}

uint64_t RocksDb::TableFileBytes() const {
  uint64_t bytes = 0;
  if (db_ == nullptr || !db_->GetAggregatedIntProperty(rocksdb::DB::Properties::kTotalSstFilesSize, &bytes)) return 0;
  return bytes;
}

Status RocksDb::Reopen() {
  Close();
  Status s = OpenRocksDb(dir_, families_, &db_, &handles_, false, memtable_bytes_);
  if (!s.ok()) {
    // Keep reads working (the owner goes on serving what it has) until a writable open succeeds.
    Status read_only = OpenRocksDb(dir_, families_, &db_, &handles_, /*read_only=*/true, memtable_bytes_);
    broken_ = s;
    return read_only.ok() ? s : read_only;
  }
  broken_ = Status::OK();
  return s;
}

}  // namespace tonghop
