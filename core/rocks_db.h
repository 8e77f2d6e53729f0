// RocksDb: a RocksDB database with named column families that survives a failed write.
//
// After a write fails (disk full, I/O error) RocksDB refuses every further write, and Debian's
// build of RocksDB 7.8 asserts (aborts the process) when one is tried, or when DB::Resume() tries
// to sync the failed log. So after a failure this class refuses writes itself, with the original
// error, until the owner calls Reopen(): the database is closed and opened again, which recovers
// the last complete write batch from the log (a batch whose write "failed" may turn out to be
// complete: owners reload their in-memory state after a reopen).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/status.h"

namespace tonghop {

class RocksDb {
 public:
  // How long a write took (metrics, core/metrics.h).
  struct WriteTiming {
    double seconds = 0;        // the whole write
    double fsync_seconds = 0;  // of it, syncing the log to disk (0 for a write without sync)
  };

  // Opens (creating if needed) the database in `dir` with the default family plus `families`;
  // `memtable_bytes` as for OpenRocksDb (core/rocksdb_util.h).
  static Status Open(std::string dir, std::vector<std::string> families, std::unique_ptr<RocksDb>* out,
                     size_t memtable_bytes = 0);
  ~RocksDb();

  rocksdb::DB* get() const { return db_.get(); }
  // The i-th family of those named at Open. Changes at Reopen: do not keep it.
  rocksdb::ColumnFamilyHandle* family(size_t i) const { return handles_[i]; }
  const std::string& dir() const { return dir_; }

  // Writes `batch` atomically. Fails without touching RocksDB while the database is broken.
  // `timing`, when given, receives how long it took (measured by RocksDB's I/O statistics of the
  // calling thread, enabled for this write only).
  Status Write(const rocksdb::WriteOptions& options, rocksdb::WriteBatch* batch, std::string_view doing,
               WriteTiming* timing = nullptr);

  // The size of the table files of every column family (RocksDB SST files), in bytes.
  uint64_t TableFileBytes() const;

  // Makes a copy of the database as it is now in `dir`, which must not exist and must be on the same
  // file system: RocksDB's checkpoint, which flushes what is in memory, then hard-links the table
  // files (they never change) and copies the few others. Safe while other threads write; the copy
  // opens as a database of its own.
  Status CreateCheckpoint(const std::string& dir) const;

  // Whether a write failed since the last successful Open/Reopen.
  bool broken() const { return !broken_.ok(); }
  const Status& broken_status() const { return broken_; }
  // Closes and opens the database again; fails (and stays broken, open for reading only) while
  // the cause persists.
  Status Reopen();

 private:
  RocksDb(std::string dir, std::vector<std::string> families, size_t memtable_bytes)
      : dir_(std::move(dir)), families_(std::move(families)), memtable_bytes_(memtable_bytes) {}
  void Close();

  std::string dir_;
  std::vector<std::string> families_;
  size_t memtable_bytes_;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
  Status broken_;
};

}  // namespace tonghop
