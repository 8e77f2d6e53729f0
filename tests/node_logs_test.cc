// What the nodes say at start, at an outage and on a command-line mistake, as an operator reads
// it in their logs (docs/OPERATIONS.md, "Every node").
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"
#include "tests/mini_province.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class NodeLogsTest : public ::testing::Test {
 protected:
  NodeLogsTest() : province_(root_.path(), kLangSon) {}
  testing::TempDir root_;
  testing::MiniProvince province_;
};

// Issue 12: the ready: line sat after a timestamp, not at the start of the line.
TEST_F(NodeLogsTest, TheReadyLineStartsALine) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher());
  ASSERT_OK(province_.StartCollector("cao-loc"));
  for (const char* node : {"aggregator", "publisher", "collector-cao-loc"}) {
    const std::string log = province_.LogTail(node, 1000);
    EXPECT_TRUE(log.starts_with("ready: ") || log.find("\nready: ") != std::string::npos) << node << ":\n" << log;
    EXPECT_EQ(Count(log, "ready: "), 1u) << node << ":\n" << log;
    // Issue 12: every first start logged "rocksdb: Error when reading ... NotFound".
    EXPECT_EQ(log.find("NotFound"), std::string::npos) << node << ":\n" << log;
  }
}

const std::vector<std::string> kShortUpstreamTimeouts = {"--upstream_timeout_ms", "1000",
                                                         "--upstream_snapshot_timeout_ms", "500"};

// With the aggregator down: one warning for the outage in six upstream timeouts, then one line
// when it is back.
void ExpectThePublisherLogsTheOutageOnceAndItsEnd(testing::MiniProvince& province) {
  std::this_thread::sleep_for(std::chrono::seconds(6));
  std::string log = province.LogTail("publisher", 1000);
  EXPECT_EQ(Count(log, "nothing from"), 1u) << log;
  EXPECT_EQ(Count(log, "no snapshot from"), 0u) << log;

  ASSERT_OK(province.Restart("aggregator"));
  const int64_t deadline = MonotonicMs() + 30'000;
  while (Count(log, "is heard again after") == 0 && MonotonicMs() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    log = province.LogTail("publisher", 1000);
  }
  EXPECT_EQ(Count(log, "is heard again after"), 1u) << log;
}

// Issue 12: the publisher logged two warnings every 5 s during an outage, and nothing when the
// aggregator came back.
TEST_F(NodeLogsTest, ThePublisherLogsAnOutageOnceAndItsEnd) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.StartPublisher(kShortUpstreamTimeouts));
  ASSERT_OK(province_.Kill("aggregator"));
  ExpectThePublisherLogsTheOutageOnceAndItsEnd(province_);
}

// CI once killed the aggregator before it answered the publisher's first snapshot request: the
// request's timeout, shorter than the silence that declares an outage, warned first, so the one
// outage took two warnings. Here the aggregator is down before the publisher starts.
TEST_F(NodeLogsTest, APublisherStartedDuringAnOutageLogsItOnceAndItsEnd) {
  ASSERT_OK(province_.StartAggregator());
  ASSERT_OK(province_.Kill("aggregator"));
  ASSERT_OK(province_.StartPublisher(kShortUpstreamTimeouts));
  ExpectThePublisherLogsTheOutageOnceAndItsEnd(province_);
}

// Issue 12: without --reporting_unit the collector exited 1, complaining about CURVE keys first.
TEST(CollectorFlagsTest, ReportingUnitIsRequiredBeforeAnythingElse) {
  testing::TempDir dir;
  const std::string command =
      std::string(TONGHOP_BIN_DIR) + "/tonghop-collector --data_dir " + dir.Sub("c") + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  ASSERT_NE(pipe, nullptr);
  std::string out;
  char buffer[512];
  while (fgets(buffer, sizeof buffer, pipe) != nullptr) out += buffer;
  const int status = pclose(pipe);
  ASSERT_TRUE(WIFEXITED(status)) << out;
  EXPECT_EQ(WEXITSTATUS(status), 2) << out;
  EXPECT_NE(out.find("--reporting_unit"), std::string::npos) << out;
  EXPECT_EQ(out.find("CURVE"), std::string::npos) << out;
  EXPECT_EQ(out.find("curve"), std::string::npos) << out;
}

}  // namespace
}  // namespace tonghop
