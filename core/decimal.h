// Decimal: an exact fixed-point number with six decimal places, held as a count of micro-units.
// Official figures are decimal (17.28 ha, 4325.9 thousand head); adding them as doubles drifts
// (0.1 + 0.2 != 0.3), so every stored figure, plan and baseline is a Decimal and province totals
// are exact sums of them.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop {

class Decimal {
 public:
  static constexpr int64_t kMicrosPerUnit = 1'000'000;
  // Largest magnitude a single figure may have: 1e12 units (1e18 micro-units fits in int64).
  static constexpr double kMaxMagnitude = 1e12;

  Decimal() = default;
  static Decimal FromMicros(int64_t micros) { return Decimal(micros); }

  // Rounds to the nearest micro-unit (half away from zero). Fails on NaN, infinities and
  // magnitudes above kMaxMagnitude, with a message naming the value.
  static Status FromDouble(double value, Decimal* out);
  // Parses plain decimal text ("23134", "-17.28", "0.000001") exactly. At most six decimals,
  // no exponent, no thousands separators: anything else fails with a message naming the text.
  static Status Parse(std::string_view text, Decimal* out);

  int64_t micros() const { return micros_; }
  double ToDouble() const { return static_cast<double>(micros_) / kMicrosPerUnit; }
  // Shortest exact text: "23134", "17.28", "-0.5".
  std::string ToString() const;

  friend bool operator==(Decimal a, Decimal b) { return a.micros_ == b.micros_; }
  friend auto operator<=>(Decimal a, Decimal b) { return a.micros_ <=> b.micros_; }

 private:
  explicit Decimal(int64_t micros) : micros_(micros) {}
  int64_t micros_ = 0;
};

}  // namespace tonghop
