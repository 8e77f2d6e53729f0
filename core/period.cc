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
