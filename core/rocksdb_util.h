// RocksDB helpers shared by the nodes' stores: opening a database with named column families, and
// big-endian integer keys (so RocksDB's byte order is numeric order).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <rocksdb/db.h>

#include "core/status.h"

namespace tonghop {

// Opens (creating if needed) the database in `dir` with the default column family plus `names`.
// `handles` receives one handle per name, in order (the default family's is kept inside `db`'s
// owner). The caller deletes the handles before the database.
// With `read_only` the database is opened for reading only (it writes nothing, so it opens on a
// full disk) and the families must exist. `memtable_bytes` (0: RocksDB's 64 MB) caps each family's
// write buffer.
Status OpenRocksDb(const std::string& dir, const std::vector<std::string>& names, std::unique_ptr<rocksdb::DB>* db,
                   std::vector<rocksdb::ColumnFamilyHandle*>* handles, bool read_only = false,
                   size_t memtable_bytes = 0);

// Turns a RocksDB status into a Status naming what was being done.
Status FromRocksDb(const rocksdb::Status& status, std::string_view doing);

std::string EncodeBigEndian64(uint64_t value);
// false when `bytes` is not 8 bytes long.
bool DecodeBigEndian64(std::string_view bytes, uint64_t* value);

// A random non-zero 64-bit id (for outbox and stream ids).
uint64_t RandomNonZeroId();

}  // namespace tonghop
