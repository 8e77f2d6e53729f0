#include "core/crc32c.h"

#include <gtest/gtest.h>

namespace tonghop {
namespace {

// The check value of CRC-32C (RFC 3720, B.4), so a client in another language computes the same.
TEST(Crc32cTest, IsTheStandardCastagnoliChecksum) {
  EXPECT_EQ(Crc32c::Of("123456789"), 0xE3069283u);
  EXPECT_EQ(Crc32c::Of(""), 0u);
  EXPECT_EQ(Crc32c::Of(std::string(32, '\0')), 0x8A9136AAu);
}

TEST(Crc32cTest, PieceByPieceEqualsWhole) {
  Crc32c crc;
  crc.Update("1234");
  crc.Update("");
  crc.Update("56789");
  EXPECT_EQ(crc.Finish(), 0xE3069283u);
}

}  // namespace
}  // namespace tonghop
