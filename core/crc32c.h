// CRC-32C (Castagnoli, the checksum of iSCSI and of RocksDB's files), of bytes given piece by
// piece: what an online backup's files are checked by, on the aggregator, in `tonghop backup` and
// when a restored copy is opened (docs/PROTOCOL.md, "Backups"). RocksDB's own implementation
// (hardware-accelerated where the CPU has it). Not thread-safe: one object per stream of bytes.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

namespace rocksdb {
class FileChecksumGenerator;
}

namespace tonghop {

class Crc32c {
 public:
  Crc32c();
  ~Crc32c();
  void Update(std::string_view bytes);
  // The checksum of every byte given so far. Call once.
  uint32_t Finish();

  // The checksum of `bytes` alone.
  static uint32_t Of(std::string_view bytes);

 private:
  std::unique_ptr<rocksdb::FileChecksumGenerator> generator_;
};

}  // namespace tonghop
