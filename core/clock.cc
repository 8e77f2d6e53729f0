#include "core/clock.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <fmt/chrono.h>
#include <fmt/format.h>

namespace tonghop {
namespace {

std::tm LocalTm(int64_t unix_ms) {
  const std::time_t seconds = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  return tm;
}

std::chrono::year_month_day UtcDateOfMs(int64_t unix_ms) {
  using namespace std::chrono;
  return year_month_day(floor<days>(sys_time<milliseconds>(milliseconds(unix_ms))));
}

}  // namespace

int64_t NowMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

int64_t MonotonicMs() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

int UtcYearOfMs(int64_t unix_ms) { return static_cast<int>(UtcDateOfMs(unix_ms).year()); }

int UtcMonthOfMs(int64_t unix_ms) { return static_cast<int>(static_cast<unsigned>(UtcDateOfMs(unix_ms).month())); }

std::string UtcIsoTime(int64_t unix_ms) {
  using namespace std::chrono;
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", floor<seconds>(sys_time<milliseconds>(milliseconds(unix_ms))));
}

bool ParseUtcIsoTime(const std::string& text, int64_t* unix_ms) {
  int y, mo, d, h = 0, mi = 0, s = 0;
  const int fields = std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d", &y, &mo, &d, &h, &mi, &s);
  if (fields != 3 && fields != 6) return false;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60) return false;
  std::tm tm{};
  tm.tm_year = y - 1900;
  tm.tm_mon = mo - 1;
  tm.tm_mday = d;
  tm.tm_hour = h;
  tm.tm_min = mi;
  tm.tm_sec = s;
  *unix_ms = static_cast<int64_t>(timegm(&tm)) * 1000;
  return true;
}

std::string LocalIsoTime(int64_t unix_ms) {
  const std::tm tm = LocalTm(unix_ms);
  // fmt's %z writes "+0700"; ISO 8601's extended form, which spreadsheets read, has the colon.
  long offset_min = tm.tm_gmtoff / 60;
  const char sign = offset_min < 0 ? '-' : '+';
  if (offset_min < 0) offset_min = -offset_min;
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}{}{:02d}:{:02d}", tm, sign, offset_min / 60, offset_min % 60);
}

std::string LocalDateTime(int64_t unix_ms) { return fmt::format("{:%Y-%m-%d %H:%M:%S}", LocalTm(unix_ms)); }

std::string LocalClock(int64_t unix_ms) { return fmt::format("{:%H:%M:%S}", LocalTm(unix_ms)); }

std::string LocalDateVi(int64_t unix_ms) { return fmt::format("{:%d/%m/%Y}", LocalTm(unix_ms)); }

std::string LocalFileStamp(int64_t unix_ms) {
  return fmt::format("{:%Y%m%dT%H%M%S}.{:03d}", LocalTm(unix_ms), ((unix_ms % 1000) + 1000) % 1000);
}

std::string VietnamIsoDate(int64_t unix_ms) {
  const std::chrono::year_month_day date = UtcDateOfMs(unix_ms + kVietnamOffsetMs);
  return fmt::format("{:04d}-{:02d}-{:02d}", static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                     static_cast<unsigned>(date.day()));
}

}  // namespace tonghop
