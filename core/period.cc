#include "core/period.h"

#include <charconv>
#include <fmt/format.h>

namespace tonghop {
namespace {

bool ParseNumber(std::string_view text, int* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

}  // namespace

Status Period::Parse(std::string_view text, Period* out) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "period '{}' is not one of YYYY, YYYY-H1..H2, YYYY-Q1..Q4, YYYY-01..12", text));
  };
  int year = 0;
  if (text.size() < 4 || !ParseNumber(text.substr(0, 4), &year) || year < 1900 || year > 2999) {
    return bad();
  }
  if (text.size() == 4) {
    *out = Period(Type::kYear, year, 1);
    return Status::OK();
  }
  if (text.size() != 7 || text[4] != '-') return bad();
  std::string_view rest = text.substr(5);
  int index = 0;
  if (rest[0] == 'H' || rest[0] == 'Q') {
    bool half = rest[0] == 'H';
    if (!ParseNumber(rest.substr(1), &index) || index < 1 || index > (half ? 2 : 4)) return bad();
    *out = Period(half ? Type::kHalfYear : Type::kQuarter, year, index);
    return Status::OK();
  }
  if (!ParseNumber(rest, &index) || index < 1 || index > 12) return bad();
  *out = Period(Type::kMonth, year, index);
  return Status::OK();
}

int Period::first_month() const { return last_month() - (type_ == Type::kYear ? 12 : type_ == Type::kHalfYear ? 6 : type_ == Type::kQuarter ? 3 : 1) + 1; }

int Period::last_month() const {
  switch (type_) {
    case Type::kYear: return 12;
    case Type::kHalfYear: return index_ * 6;
    case Type::kQuarter: return index_ * 3;
    case Type::kMonth: return index_;
  }
  return 12;
}

std::optional<Period> Period::Parent() const {
  switch (type_) {
    case Type::kMonth: return Period(Type::kQuarter, year_, (index_ + 2) / 3);
    case Type::kQuarter: return Period(Type::kHalfYear, year_, (index_ + 1) / 2);
    case Type::kHalfYear: return Period(Type::kYear, year_, 1);
    case Type::kYear: return std::nullopt;
  }
  return std::nullopt;
}

std::vector<Period> Period::Children() const {
  switch (type_) {
    case Type::kYear: return {Period(Type::kHalfYear, year_, 1), Period(Type::kHalfYear, year_, 2)};
    case Type::kHalfYear: return {Period(Type::kQuarter, year_, index_ * 2 - 1), Period(Type::kQuarter, year_, index_ * 2)};
    case Type::kQuarter: {
      int first = index_ * 3 - 2;
      return {Period(Type::kMonth, year_, first), Period(Type::kMonth, year_, first + 1), Period(Type::kMonth, year_, first + 2)};
    }
    case Type::kMonth: return {};
  }
  return {};
}

std::vector<Period> Period::YearToDate() const {
  // Greedy from January: the longest period that starts at the cursor and ends by last_month().
  std::vector<Period> out;
  const int end = last_month();
  int month = 1;
  while (month <= end) {
    if (month == 1 && end == 12) out.push_back(Period(Type::kYear, year_, 1));
    else if ((month - 1) % 6 == 0 && month + 5 <= end) out.push_back(Period(Type::kHalfYear, year_, (month + 5) / 6));
    else if ((month - 1) % 3 == 0 && month + 2 <= end) out.push_back(Period(Type::kQuarter, year_, (month + 2) / 3));
    else out.push_back(Period(Type::kMonth, year_, month));
    month = out.back().last_month() + 1;
  }
  return out;
}

int64_t Period::EndMs() const {
  // Days from 1970-01-01 to the first day of the month after the period (H. Hinnant's algorithm).
  int y = year_, m = last_month() + 1;
  if (m == 13) { m = 1; ++y; }
  y -= m <= 2;
  const int era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const int64_t days = static_cast<int64_t>(era) * 146097 + static_cast<int64_t>(doe) - 719468;
  return days * 86'400'000;
}

std::string Period::ToString() const {
  switch (type_) {
    case Type::kYear: return fmt::format("{}", year_);
    case Type::kHalfYear: return fmt::format("{}-H{}", year_, index_);
    case Type::kQuarter: return fmt::format("{}-Q{}", year_, index_);
    case Type::kMonth: return fmt::format("{}-{:02d}", year_, index_);
  }
  return {};
}

}  // namespace tonghop
