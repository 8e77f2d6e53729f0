#include "collector/relay_memory.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

tonghop::v1::IndicatorUpdate Total(const std::string& indicator, const std::string& value,
                                   BelowCompleteness below = {}) {
  tonghop::v1::IndicatorUpdate u;
  u.set_reporting_unit("lang-son");
  u.set_indicator(indicator);
  u.set_period("2017-Q1");
  Decimal d;
  EXPECT_TRUE(Decimal::Parse(value, &d).ok());
  SetFigureValue(d, &u);
  SetBelowCompleteness(below, &u);
  return u;
}

// What the relay does each turn: append, then record.
void Enqueue(Outbox* outbox, RelayMemory* memory, std::vector<tonghop::v1::IndicatorUpdate> figures) {
  ASSERT_OK(outbox->Append(&figures));
  ASSERT_OK(memory->Record(figures));
}

TEST(RelayMemoryTest, OnlyAChangeOfValueOrCompletenessIsNew) {
  testing::TempDir dir;
  std::unique_ptr<Outbox> outbox;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &outbox));
  std::unique_ptr<RelayMemory> memory;
  ASSERT_OK(RelayMemory::Open(dir.Sub("relay"), outbox.get(), &memory));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.5")));
  Enqueue(outbox.get(), memory.get(), {Total("agri.rice", "10.5", {true, 10, 11, ""})});

  tonghop::v1::IndicatorUpdate again = Total("agri.rice", "10.5", {true, 10, 11, ""});
  again.set_observed_at_ms(12345);  // a newer version of the same total
  EXPECT_FALSE(memory->Changed(again));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.6", {true, 10, 11, ""})));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.5", {true, 11, 12, ""})));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.5")));  // now complete
  EXPECT_TRUE(memory->Changed(Total("agri.maize", "10.5", {true, 10, 11, ""})));
}

TEST(RelayMemoryTest, RemembersAcrossARestart) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> outbox;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &outbox));
    std::unique_ptr<RelayMemory> memory;
    ASSERT_OK(RelayMemory::Open(dir.Sub("relay"), outbox.get(), &memory));
    Enqueue(outbox.get(), memory.get(), {Total("agri.rice", "10.5"), Total("agri.maize", "3")});
    Enqueue(outbox.get(), memory.get(), {Total("agri.rice", "11")});
  }
  std::unique_ptr<Outbox> outbox;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &outbox));
  std::unique_ptr<RelayMemory> memory;
  ASSERT_OK(RelayMemory::Open(dir.Sub("relay"), outbox.get(), &memory));
  EXPECT_EQ(memory->through_seq(), 3u);
  EXPECT_FALSE(memory->Changed(Total("agri.rice", "11")));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.5")));
  EXPECT_FALSE(memory->Changed(Total("agri.maize", "3")));
}

// A crash after the outbox's Append and before Record: the outbox has the figure, the memory not.
// Opened again, the memory must know it, or the restarted relay would enqueue it a second time.
TEST(RelayMemoryTest, FoldsInWhatTheOutboxGotAfterTheLastRecord) {
  testing::TempDir dir;
  {
    std::unique_ptr<Outbox> outbox;
    ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &outbox));
    std::unique_ptr<RelayMemory> memory;
    ASSERT_OK(RelayMemory::Open(dir.Sub("relay"), outbox.get(), &memory));
    Enqueue(outbox.get(), memory.get(), {Total("agri.rice", "10.5")});
    std::vector<tonghop::v1::IndicatorUpdate> unrecorded = {Total("agri.rice", "12", {true, 1, 2, "x: 1 of 3 units"}),
                                                            Total("agri.maize", "4")};
    ASSERT_OK(outbox->Append(&unrecorded));
    // The aggregator settles the first of them: it leaves pending for retained.
    ASSERT_OK(outbox->Settle({1, 2}, {}, 1000, nullptr));
  }
  std::unique_ptr<Outbox> outbox;
  ASSERT_OK(Outbox::Open(dir.Sub("outbox"), &outbox));
  std::unique_ptr<RelayMemory> memory;
  ASSERT_OK(RelayMemory::Open(dir.Sub("relay"), outbox.get(), &memory));
  EXPECT_EQ(memory->through_seq(), 3u);
  EXPECT_FALSE(memory->Changed(Total("agri.rice", "12", {true, 1, 2, "x: 1 of 3 units"})));
  EXPECT_FALSE(memory->Changed(Total("agri.maize", "4")));
  EXPECT_TRUE(memory->Changed(Total("agri.rice", "10.5")));
}

}  // namespace
}  // namespace tonghop
