#include "core/rocksdb_util.h"

#include <fmt/format.h>
#include <random>

namespace tonghop {

Status FromRocksDb(const rocksdb::Status& status, std::string_view doing) {
  if (status.ok()) return Status::OK();
  std::string msg = fmt::format("{}: {}", doing, status.ToString());
  if (status.IsCorruption()) return Status::Corruption(msg);
  return Status::IOError(msg);
}

Status OpenRocksDb(const std::string& dir, const std::vector<std::string>& names, std::unique_ptr<rocksdb::DB>* db,
                   std::vector<rocksdb::ColumnFamilyHandle*>* handles) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  // Small nodes: keep RocksDB's own logs short.
  options.keep_log_file_num = 3;
  options.max_log_file_size = 1 << 20;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {
      {rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions()}};
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, families, &all, &raw);
  if (!s.ok()) {
    return FromRocksDb(s, fmt::format("opening the database in {} (is another process using it, or is the "
                                      "disk full or read-only?)", dir));
  }
  db->reset(raw);
  // The default family's handle is owned by the DB; hand out only the named ones.
  (void)raw->DestroyColumnFamilyHandle(all[0]);
  handles->assign(all.begin() + 1, all.end());
  return Status::OK();
}

std::string EncodeBigEndian64(uint64_t value) {
  std::string out(8, '\0');
  for (int i = 7; i >= 0; --i) {
    out[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  return out;
}

bool DecodeBigEndian64(std::string_view bytes, uint64_t* value) {
  if (bytes.size() != 8) return false;
  uint64_t v = 0;
  for (unsigned char c : bytes) v = (v << 8) | c;
  *value = v;
  return true;
}

uint64_t RandomNonZeroId() {
  std::random_device device;
  std::mt19937_64 generator((static_cast<uint64_t>(device()) << 32) ^ device());
  uint64_t id = 0;
  while (id == 0) id = generator();
  return id;
}

}  // namespace tonghop
