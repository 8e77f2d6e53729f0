// WritePendingRecord: puts bytes straight into a stopped collector's outbox as the pending record
// of a seq, with RocksDB, as a collector before the fix of issue 10 stored a figure with a cell
// that was not UTF-8, or as a damaged disk could leave it. For the tests of unreadable records.
// Header-only test helper.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "core/rocksdb_util.h"
#include "core/status.h"

namespace tonghop::testing {

// Writes `bytes` as the pending record of `seq` in the outbox at `path` (no collector may have it
// open); when `seq` is at or past the outbox's next_seq, next_seq moves past it, so that `seq`
// counts as stored.
inline Status WritePendingRecord(const std::string& path, uint64_t seq, const std::string& bytes) {
  std::vector<std::string> names;
  if (auto s = rocksdb::DB::ListColumnFamilies({}, path, &names); !s.ok()) return Status::IOError(s.ToString());
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* opened = nullptr;
  if (auto s = rocksdb::DB::Open({}, path, families, &handles, &opened); !s.ok()) return Status::IOError(s.ToString());
  std::unique_ptr<rocksdb::DB> db(opened);
  const size_t pending = std::find(names.begin(), names.end(), "pending") - names.begin();
  Status result;
  std::string value;
  uint64_t next_seq = 0;
  if (pending == names.size()) {
    result = Status::NotFound(fmt::format("{} has no pending family", path));
  } else if (!db->Get({}, "next_seq", &value).ok() || !DecodeBigEndian64(value, &next_seq)) {
    result = Status::Corruption(fmt::format("{} has no next_seq", path));
  } else {
    rocksdb::WriteBatch batch;
    batch.Put(handles[pending], EncodeBigEndian64(seq), bytes);
    if (seq >= next_seq) batch.Put("next_seq", EncodeBigEndian64(seq + 1));
    rocksdb::WriteOptions sync;
    sync.sync = true;
    if (auto s = db->Write(sync, &batch); !s.ok()) result = Status::IOError(s.ToString());
  }
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  return result;
}

}  // namespace tonghop::testing
