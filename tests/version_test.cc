// Every binary an operator runs answers --version, with exit code 0, before anything else
// (no catalog, no keys, no data folder needed); the aggregator alone allocates with jemalloc.
#include <string>

#include <gtest/gtest.h>

#include "core/process.h"
#include "core/testing/command_output.h"

namespace tonghop {
namespace {

using testing::CommandOutput;

constexpr const char* kPrograms[] = {"tonghop", "tonghop-aggregator", "tonghop-publisher", "tonghop-collector",
                                     "tonghop-web"};

TEST(VersionTest, EveryBinaryPrintsTheVersionAndExitsZero) {
  for (const char* binary : kPrograms) {
    SCOPED_TRACE(binary);
    int status = 0;
    const std::string out = CommandOutput(std::string(TONGHOP_BIN_DIR) + "/" + binary + " --version 2>&1", &status);
    EXPECT_EQ(status, 0) << out;
    EXPECT_EQ(out, std::string("tonghop ") + Version() + " (wire protocol tonghop.v1)\n");
  }
}

// glibc's malloc took 12% of the aggregator's ingest thread at 10,000 updates/s; on jemalloc that
// thread spends 15% less time (docs/PERFORMANCE.md, "The allocator"). The publisher and the
// collector keep glibc's: its malloc_trim gives back what a departed peer or an ingested file used
// (docs/SECURITY.md), and jemalloc ignores that call. The proof comes from jemalloc itself: asked by
// MALLOC_CONF to print its statistics at exit, it does so only in a process it allocates for.
// Under the sanitizers ASan owns malloc, and no program may link jemalloc there.
TEST(VersionTest, TheAggregatorAloneAllocatesWithJemalloc) {
  for (const std::string binary : kPrograms) {
    SCOPED_TRACE(binary);
    int status = 0;
    const std::string out =
        CommandOutput(std::string("MALLOC_CONF=stats_print:true ") + TONGHOP_BIN_DIR + "/" + binary + " --version 2>&1",
                      &status);
    EXPECT_EQ(status, 0) << out;
#ifdef TONGHOP_SANITIZED
    const bool jemalloc = false;
#else
    const bool jemalloc = binary == "tonghop-aggregator";
#endif
    EXPECT_EQ(out.find("jemalloc statistics") != std::string::npos, jemalloc) << out.substr(0, 2'000);
  }
}

}  // namespace
}  // namespace tonghop
