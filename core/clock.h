// The one time and date module: what time it is, and an instant written as people read it.
// Instants are milliseconds since the Unix epoch (NowMs()). "Local" is the process's time zone
// (TZ, else /etc/localtime): where a district officer or the office reads the text. "Vietnam" is
// UTC+07:00 whatever the machine's zone, for dates that belong to the figures themselves.
// Every function is thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace tonghop {

// Milliseconds since the Unix epoch.
int64_t NowMs();

// Monotonic milliseconds, for timers and timeouts.
int64_t MonotonicMs();

// Vietnam's offset from UTC, all year (no daylight saving).
inline constexpr int64_t kVietnamOffsetMs = 7 * 3'600'000;

// The calendar year and month (1-12), in UTC.
int UtcYearOfMs(int64_t unix_ms);
int UtcMonthOfMs(int64_t unix_ms);

// "2026-12-01T09:20:09Z": the instants of the wire's JSON, exports and backups.
std::string UtcIsoTime(int64_t unix_ms);
// Reads "2026-12-01", "2026-12-01T09:20:09" or "2026-12-01T09:20:09Z" as UTC (DHIS2's lastUpdated).
// False when `text` is none of these or a field is out of range.
bool ParseUtcIsoTime(const std::string& text, int64_t* unix_ms);

// "2026-12-01T16:20:09+07:00": local time with its offset, for files people keep.
std::string LocalIsoTime(int64_t unix_ms);
// "2026-12-01 16:20:09".
std::string LocalDateTime(int64_t unix_ms);
// "16:20:09".
std::string LocalClock(int64_t unix_ms);
// "01/12/2026": a date as Vietnamese documents write it.
std::string LocalDateVi(int64_t unix_ms);
// "20261201T162009.123": sorts as it reads, and is safe in a file name.
std::string LocalFileStamp(int64_t unix_ms);

// "2017-01-01": the date in Vietnam.
std::string VietnamIsoDate(int64_t unix_ms);

}  // namespace tonghop
