// Period: the time span a figure covers. Written "2017" (year), "2017-H1" (half-year),
// "2017-Q1" (quarter) or "2017-01" (month), the forms the province's reports use.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"

namespace tonghop {

class Period {
 public:
  enum class Type { kYear, kHalfYear, kQuarter, kMonth };

  Period() = default;
  // The year `year` (1900..2999 for a period that Parse would accept).
  static Period OfYear(int year) { return Period(Type::kYear, year, 1); }

  // Fails with a message naming the text and the accepted forms.
  static Status Parse(std::string_view text, Period* out);

  Type type() const { return type_; }
  int year() const { return year_; }
  // 1-based position within the year: the month, quarter or half; 1 for a year.
  int index() const { return index_; }

  // The same span one year earlier, for year-on-year comparison.
  Period SameSpanPreviousYear() const { return Period(type_, year_ - 1, index_); }
  std::string ToString() const;

  // The next longer period containing this one (month -> quarter -> half-year -> year); none for
  // a year.
  std::optional<Period> Parent() const;
  // The periods one step shorter that make up this one, in order (a year's two halves, a half's
  // two quarters, a quarter's three months); none for a month.
  std::vector<Period> Children() const;
  // The fewest periods that cover exactly the start of the year to the end of this one, longest
  // first: 2017-05 -> 2017-Q1, 2017-04, 2017-05; 2017-Q3 -> 2017-H1, 2017-Q3; 2017 -> 2017.
  std::vector<Period> YearToDate() const;
  // First and last month (1..12) the period covers.
  int first_month() const;
  int last_month() const;
  // Milliseconds since the epoch of the first instant after the period, UTC (its deadline base).
  int64_t EndMs() const;

  friend bool operator==(const Period&, const Period&) = default;
  // By year, then type (year, half-years, quarters, months), then position: an order for keys.
  friend std::strong_ordering operator<=>(const Period& a, const Period& b) {
    if (auto c = a.year_ <=> b.year_; c != 0) return c;
    if (auto c = a.type_ <=> b.type_; c != 0) return c;
    return a.index_ <=> b.index_;
  }

 private:
  Period(Type type, int year, int index) : type_(type), year_(year), index_(index) {}
  Type type_ = Type::kYear;
  int year_ = 0;
  int index_ = 1;
};

}  // namespace tonghop
