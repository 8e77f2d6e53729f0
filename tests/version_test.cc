// Every binary an operator runs answers --version, with exit code 0, before anything else
// (no catalog, no keys, no data folder needed).
#include <cstdio>
#include <string>

#include <gtest/gtest.h>

#include "core/process.h"

namespace tonghop {
namespace {

TEST(VersionTest, EveryBinaryPrintsTheVersionAndExitsZero) {
  for (const char* binary : {"tonghop", "tonghop-aggregator", "tonghop-publisher", "tonghop-collector"}) {
    SCOPED_TRACE(binary);
    const std::string command = std::string(TONGHOP_BIN_DIR) + "/" + binary + " --version 2>&1";
    FILE* pipe = popen(command.c_str(), "r");
    ASSERT_NE(pipe, nullptr);
    std::string out;
    char buffer[256];
    while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
    const int status = pclose(pipe);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, std::string("tonghop ") + Version() + " (wire protocol tonghop.v1)\n");
  }
}

}  // namespace
}  // namespace tonghop
