#include "core/crc32c.h"

#include <rocksdb/file_checksum.h>

namespace tonghop {

Crc32c::Crc32c()
    : generator_(rocksdb::GetFileChecksumGenCrc32cFactory()->CreateFileChecksumGenerator(
          rocksdb::FileChecksumGenContext())) {}

Crc32c::~Crc32c() = default;

void Crc32c::Update(std::string_view bytes) { generator_->Update(bytes.data(), bytes.size()); }

uint32_t Crc32c::Finish() {
  generator_->Finalize();
  // RocksDB gives the four bytes big-endian.
  const std::string bytes = generator_->GetChecksum();
  uint32_t value = 0;
  for (unsigned char byte : bytes) value = (value << 8) | byte;
  return value;
}

uint32_t Crc32c::Of(std::string_view bytes) {
  Crc32c crc;
  crc.Update(bytes);
  return crc.Finish();
}

}  // namespace tonghop
