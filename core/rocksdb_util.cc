#include "core/rocksdb_util.h"

#include <fmt/format.h>
#include <cstdarg>
#include <cstdio>
#include <filesystem>
#include <random>
#include <spdlog/spdlog.h>

namespace tonghop {
namespace {

// RocksDB's own diagnostics, sent to the node's log instead of a LOG file in the data folder:
// on a full disk that file's failed write makes Debian's RocksDB (assertions on) abort the
// process, and operators look in one log, not two.
class SpdlogRocksLogger : public rocksdb::Logger {
 public:
  SpdlogRocksLogger() : rocksdb::Logger(rocksdb::InfoLogLevel::INFO_LEVEL) {}
  using rocksdb::Logger::Logv;
  void Logv(const char* format, va_list ap) override { Logv(rocksdb::InfoLogLevel::INFO_LEVEL, format, ap); }
  void Logv(const rocksdb::InfoLogLevel level, const char* format, va_list ap) override {
    char buffer[1024];
    vsnprintf(buffer, sizeof buffer, format, ap);
    switch (level) {
      case rocksdb::InfoLogLevel::DEBUG_LEVEL:
      case rocksdb::InfoLogLevel::INFO_LEVEL:
      case rocksdb::InfoLogLevel::HEADER_LEVEL:
      case rocksdb::InfoLogLevel::WARN_LEVEL: spdlog::debug("rocksdb: {}", buffer); break;
      // Its "errors" include routine ones (a folder not there yet on first open); failures that
      // matter come back as a Status and are logged by the node with what to do.
      case rocksdb::InfoLogLevel::ERROR_LEVEL: spdlog::warn("rocksdb: {}", buffer); break;
      default: spdlog::error("rocksdb: {}", buffer); break;
    }
  }
};

}  // namespace

Status FromRocksDb(const rocksdb::Status& status, std::string_view doing) {
  if (status.ok()) return Status::OK();
  std::string msg = fmt::format("{}: {}", doing, status.ToString());
  if (status.IsCorruption()) return Status::Corruption(msg);
  return Status::IOError(msg);
}

Status OpenRocksDb(const std::string& dir, const std::vector<std::string>& names, std::unique_ptr<rocksdb::DB>* db,
                   std::vector<rocksdb::ColumnFamilyHandle*>* handles, bool read_only, size_t memtable_bytes) {
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.info_log = std::make_shared<SpdlogRocksLogger>();
  // Without preallocation a full disk fails the very write that does not fit, so a node refuses
  // new figures at once; with it, writes go on into reserved space and fail at an arbitrary later
  // point.
  options.allow_fallocate = false;
  rocksdb::ColumnFamilyOptions family_options;
  if (memtable_bytes > 0) family_options.write_buffer_size = memtable_bytes;
  std::vector<rocksdb::ColumnFamilyDescriptor> families = {{rocksdb::kDefaultColumnFamilyName, family_options}};
  for (const auto& name : names) families.emplace_back(name, family_options);
  std::vector<rocksdb::ColumnFamilyHandle*> all;
  if (!read_only) {
    // RocksDB reads the folder before it creates it, and logs the folder's absence on every first
    // start as an error; a failure to create it is reported by Open below.
    std::error_code ignored;
    std::filesystem::create_directories(dir, ignored);
  }
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = read_only ? rocksdb::DB::OpenForReadOnly(options, dir, families, &all, &raw)
                                : rocksdb::DB::Open(options, dir, families, &all, &raw);
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
