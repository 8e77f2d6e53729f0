// Period: the time span a figure covers. Written "2017" (year), "2017-H1" (half-year),
// "2017-Q1" (quarter) or "2017-01" (month), the forms the province's reports use.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop {

class Period {
 public:
  enum class Type { kYear, kHalfYear, kQuarter, kMonth };

  Period() = default;

  // Fails with a message naming the text and the accepted forms.
  static Status Parse(std::string_view text, Period* out);

  Type type() const { return type_; }
  int year() const { return year_; }
  // 1-based position within the year: the month, quarter or half; 1 for a year.
  int index() const { return index_; }

  // The same span one year earlier, for year-on-year comparison.
  Period SameSpanPreviousYear() const { return Period(type_, year_ - 1, index_); }
  std::string ToString() const;

  friend bool operator==(const Period&, const Period&) = default;

 private:
  Period(Type type, int year, int index) : type_(type), year_(year), index_(index) {}
  Type type_ = Type::kYear;
  int year_ = 0;
  int index_ = 1;
};

}  // namespace tonghop
