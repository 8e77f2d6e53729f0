// Decimal: an exact fixed-point number with six decimal places, held as a count of micro-units in
// 128 bits. Official figures are decimal (17.28 ha, 4325.9 thousand head, a budget of
// 1,282,902,829,000 đồng); adding them as doubles drifts (0.1 + 0.2 != 0.3) and a double holds only
// 15 significant digits, so every stored figure, plan, baseline, total and percentage is a Decimal,
// and each travels and prints as its exact text (docs/DATA-MODEL.md, "Exact figures").
//
// Range: a figure (what a unit reports, a plan, a baseline) has at most kMaxFigureDigits digits
// before the point, so |figure| < 10^18, 24 significant digits with the six decimals. Totals are
// sums of figures and may be larger; 128 bits hold about 1.7e32 units, so a sum of 10^14 figures
// of the largest size still fits. Sums and differences are exact; a quotient (a mean, a percentage)
// is computed exactly and rounded once, half to even, to six decimals.
// Thread-safe: a value type.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tonghop {

class Decimal {
 public:
  static constexpr int64_t kMicrosPerUnit = 1'000'000;
  static constexpr int kDecimalPlaces = 6;
  // Digits a figure may have before the decimal point: 18, so 10^15 đồng (a national budget)
  // with six decimals is exact, and a product of two figures' micro-units fits in 256 bits.
  static constexpr int kMaxFigureDigits = 18;
  // Digits any Decimal (a total) may have before the point: what 128 bits of micro-units hold.
  static constexpr int kMaxDigits = 32;

  Decimal() = default;
  static constexpr Decimal FromMicros(__int128 micros) { return Decimal(micros); }
  static constexpr Decimal FromUnits(int64_t units) { return Decimal(__int128{units} * kMicrosPerUnit); }

  // Parses plain decimal text ("23134", "-17.28", "0.000001", "1000000000000") exactly. At most
  // six decimals and `max_digits` digits before the point (a figure's kMaxFigureDigits unless the
  // caller reads a total); no exponent, no thousands separators: anything else fails with a
  // message naming the text and what is wrong with it.
  static Status Parse(std::string_view text, Decimal* out, int max_digits = kMaxFigureDigits);
  // The decimal a double stands for: its shortest round-trip text ("17.28" for the double nearest
  // 17.28), rounded half to even to six decimals. For values from peers that send only doubles.
  // Fails on NaN, infinities and magnitudes of 10^kMaxFigureDigits or more, naming the value.
  static Status FromDouble(double value, Decimal* out);

  __int128 micros() const { return micros_; }
  // Whether the micro-units fit in 64 bits (|value| < 9.2e12), the storage form of older records.
  bool FitsInt64Micros() const { return micros_ >= INT64_MIN && micros_ <= INT64_MAX; }
  // The double nearest the exact value (correctly rounded), for peers that read only doubles.
  double ToDouble() const;
  // Shortest exact text: "23134", "17.28", "-0.5", "123456789012345.123456".
  std::string ToString() const;
  // Rounded half to even to `decimals` (0..6) places.
  Decimal Rounded(int decimals) const;
  bool negative() const { return micros_ < 0; }
  bool zero() const { return micros_ == 0; }

  friend Decimal operator+(Decimal a, Decimal b) { return Decimal(a.micros_ + b.micros_); }
  friend Decimal operator-(Decimal a, Decimal b) { return Decimal(a.micros_ - b.micros_); }
  Decimal& operator+=(Decimal other) {
    micros_ += other.micros_;
    return *this;
  }
  friend bool operator==(Decimal a, Decimal b) { return a.micros_ == b.micros_; }
  friend std::strong_ordering operator<=>(Decimal a, Decimal b) { return a.micros_ <=> b.micros_; }

  // numerator / denominator * scale, rounded half to even to six decimals; none when the
  // denominator is zero. Percentages: Ratio(ytd, plan, 100), Ratio(value - before, before, 100).
  static std::optional<Decimal> Ratio(Decimal numerator, Decimal denominator, int64_t scale);
  // sum / count, rounded half to even; none when count is zero.
  static std::optional<Decimal> Mean(Decimal sum, uint64_t count);
  // Σ value × weight / Σ weight over (value, weight) pairs, exactly, rounded half to even; none
  // when the weights add up to zero.
  static std::optional<Decimal> WeightedMean(const std::vector<std::pair<Decimal, Decimal>>& values_and_weights);

 private:
  explicit constexpr Decimal(__int128 micros) : micros_(micros) {}
  __int128 micros_ = 0;
};

}  // namespace tonghop
