#include "core/clock.h"

#include <cstdlib>
#include <ctime>
#include <optional>
#include <string>

#include <gtest/gtest.h>

namespace tonghop {
namespace {

constexpr int64_t kDecemberFirst2026 = 1'796'116'809'123;  // 2026-12-01T09:20:09.123Z

// Runs the test in the POSIX zone `tz` (no tzdata needed), and puts the process's zone back.
class ZoneScope {
 public:
  explicit ZoneScope(const char* tz) {
    if (const char* before = std::getenv("TZ")) before_ = before;
    setenv("TZ", tz, 1);
    tzset();
  }
  ~ZoneScope() {
    if (before_) setenv("TZ", before_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }

 private:
  std::optional<std::string> before_;
};

TEST(ClockTest, LocalTextIsInTheProcesssZone) {
  ZoneScope hanoi("ICT-7");
  EXPECT_EQ(LocalIsoTime(kDecemberFirst2026), "2026-12-01T16:20:09+07:00");
  EXPECT_EQ(LocalDateTime(kDecemberFirst2026), "2026-12-01 16:20:09");
  EXPECT_EQ(LocalClock(kDecemberFirst2026), "16:20:09");
  EXPECT_EQ(LocalDateVi(kDecemberFirst2026), "01/12/2026");
  EXPECT_EQ(LocalFileStamp(kDecemberFirst2026), "20261201T162009.123");
}

TEST(ClockTest, AnOffsetWestOfUtcKeepsItsSignAndMinutes) {
  ZoneScope newfoundland("<-0330>3:30");
  EXPECT_EQ(LocalIsoTime(kDecemberFirst2026), "2026-12-01T05:50:09-03:30");
  EXPECT_EQ(LocalDateVi(kDecemberFirst2026 - 6 * 3'600'000), "30/11/2026");
}

TEST(ClockTest, AVietnamDateDoesNotDependOnTheMachinesZone) {
  ZoneScope utc("UTC0");
  constexpr int64_t kNewYear2017InHanoi = 1'483'203'600'000;  // 2016-12-31T17:00:00Z
  EXPECT_EQ(VietnamIsoDate(kNewYear2017InHanoi), "2017-01-01");
  EXPECT_EQ(VietnamIsoDate(kNewYear2017InHanoi - 1), "2016-12-31");
}

TEST(ClockTest, UtcYearAndMonthTurnAtUtcMidnight) {
  constexpr int64_t kNewYear2017Utc = 1'483'228'800'000;  // 2017-01-01T00:00:00Z
  EXPECT_EQ(UtcYearOfMs(kNewYear2017Utc), 2017);
  EXPECT_EQ(UtcMonthOfMs(kNewYear2017Utc), 1);
  EXPECT_EQ(UtcYearOfMs(kNewYear2017Utc - 1), 2016);
  EXPECT_EQ(UtcMonthOfMs(kNewYear2017Utc - 1), 12);
}

TEST(ClockTest, UtcIsoTimeReadsBackWhatItWrites) {
  int64_t ms = 0;
  ASSERT_TRUE(ParseUtcIsoTime("2016-04-05T10:11:12", &ms));
  EXPECT_EQ(ms, 1'459'851'072'000);
  EXPECT_EQ(UtcIsoTime(ms + 999), "2016-04-05T10:11:12Z");
  ASSERT_TRUE(ParseUtcIsoTime("2016-04-05", &ms));
  EXPECT_EQ(UtcIsoTime(ms), "2016-04-05T00:00:00Z");
}

TEST(ClockTest, ParseUtcIsoTimeRefusesWhatIsNoDate) {
  int64_t ms = 42;
  for (const char* text : {"", "yesterday", "2016-13-01", "2016-04-32", "2016-04-05T24:00:00", "2016-04-05T10:61:00",
                           "2016-04-05T10:11", "2016/04/05"}) {
    EXPECT_FALSE(ParseUtcIsoTime(text, &ms)) << text;
  }
  EXPECT_EQ(ms, 42);
}

}  // namespace
}  // namespace tonghop
