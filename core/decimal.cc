#include "core/decimal.h"

#include <charconv>
#include <cmath>

#include <boost/multiprecision/cpp_int.hpp>
#include <fmt/format.h>

namespace tonghop {
namespace {

using boost::multiprecision::cpp_int;

constexpr __int128 kPowersOfTen[] = {1, 10, 100, 1000, 10000, 100000, 1000000};

// The largest magnitude 128 bits of micro-units may take: 10^38 - 1.
constexpr __int128 MaxMicros() {
  __int128 max = 1;
  for (int i = 0; i < Decimal::kMaxDigits + Decimal::kDecimalPlaces; ++i) max *= 10;
  return max - 1;
}

std::string Uint128Text(unsigned __int128 value) {
  if (value == 0) return "0";
  char digits[40];
  int n = 0;
  while (value != 0) {
    digits[n++] = static_cast<char>('0' + static_cast<int>(value % 10));
    value /= 10;
  }
  std::string text;
  while (n > 0) text += digits[--n];
  return text;
}

// numerator / denominator rounded half to even; none when the denominator is zero or the result
// is beyond what a Decimal holds.
std::optional<__int128> DivideHalfEven(const cpp_int& numerator, const cpp_int& denominator) {
  if (denominator == 0) return std::nullopt;
  cpp_int quotient = numerator / denominator;  // truncated towards zero
  const cpp_int remainder = numerator % denominator;
  if (remainder != 0) {
    const cpp_int twice = abs(remainder) * 2;
    const cpp_int divisor = abs(denominator);
    if (twice > divisor || (twice == divisor && abs(quotient) % 2 == 1)) {
      quotient += (numerator < 0) != (denominator < 0) ? -1 : 1;
    }
  }
  if (abs(quotient) > cpp_int(MaxMicros())) return std::nullopt;
  return static_cast<__int128>(quotient);
}

cpp_int Wide(__int128 value) { return cpp_int(value); }

// Exact decimal text (digits, an optional sign and '.') into micro-units, rounded half to even
// past six decimals when `round` (else more decimals are an error). `why` says what is wrong.
bool ParseDigits(std::string_view text, int max_digits, bool round, __int128* micros, std::string* why) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  unsigned __int128 units = 0;
  int int_digits = 0;
  const size_t integer_start = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    // Leading zeros are no digits of the magnitude.
    if (int_digits > 0 || text[i] != '0') {
      if (++int_digits > max_digits) {
        *why = fmt::format("more than {} digits before the decimal point", max_digits);
        return false;
      }
    }
    units = units * 10 + static_cast<unsigned>(text[i++] - '0');
  }
  bool any_digit = i > integer_start;
  unsigned __int128 fraction = 0;
  int frac_digits = 0;
  bool round_up = false;
  if (i < text.size() && text[i] == '.') {
    ++i;
    char first_dropped = 0;
    bool nonzero_after_first = false;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      any_digit = true;
      if (frac_digits < Decimal::kDecimalPlaces) {
        fraction = fraction * 10 + static_cast<unsigned>(text[i] - '0');
        ++frac_digits;
      } else if (!round) {
        *why = "more than 6 decimal places";
        return false;
      } else if (first_dropped == 0) {
        first_dropped = text[i];
      } else if (text[i] != '0') {
        nonzero_after_first = true;
      }
      ++i;
    }
    if (first_dropped != 0) {
      const bool odd = (fraction % 10) % 2 == 1;
      round_up = first_dropped > '5' || (first_dropped == '5' && (nonzero_after_first || odd));
    }
  }
  if (i != text.size()) {
    *why = "use digits, an optional sign and '.' as the decimal point";
    return false;
  }
  if (!any_digit) {
    *why = "no digits";
    return false;
  }
  for (int d = frac_digits; d < Decimal::kDecimalPlaces; ++d) fraction *= 10;
  unsigned __int128 magnitude = units * Decimal::kMicrosPerUnit + fraction + (round_up ? 1 : 0);
  *micros = negative ? -static_cast<__int128>(magnitude) : static_cast<__int128>(magnitude);
  return true;
}

}  // namespace

Status Decimal::Parse(std::string_view text, Decimal* out, int max_digits) {
  std::string why;
  __int128 micros = 0;
  if (!ParseDigits(text, std::min(max_digits, kMaxDigits), /*round=*/false, &micros, &why)) {
    return Status::InvalidArgument(fmt::format("'{}' is not a decimal number: {}", text, why));
  }
  *out = Decimal(micros);
  return Status::OK();
}

Status Decimal::FromDouble(double value, Decimal* out) {
  if (!std::isfinite(value)) {
    return Status::InvalidArgument(fmt::format("value {} is not a finite number", value));
  }
  if (std::fabs(value) >= 1e18) {
    return Status::InvalidArgument(fmt::format(
        "value {} is beyond the largest magnitude a figure may have (less than 10^{})", value, kMaxFigureDigits));
  }
  // The shortest text that reads back as this double is the decimal its sender meant: the double
  // nearest 17.28 is 17.27999999999999936..., and its shortest text "17.28".
  char text[1100];
  auto [end, ec] = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed);
  std::string why;
  __int128 micros = 0;
  if (ec != std::errc() ||
      !ParseDigits(std::string_view(text, end - text), kMaxFigureDigits, /*round=*/true, &micros, &why)) {
    return Status::InvalidArgument(fmt::format("value {} cannot be read as a decimal: {}", value, why));
  }
  *out = Decimal(micros);
  return Status::OK();
}

double Decimal::ToDouble() const {
  const std::string text = ToString();
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);  // correctly rounded
  return value;
}

std::string Decimal::ToString() const {
  const unsigned __int128 magnitude =
      micros_ < 0 ? -static_cast<unsigned __int128>(micros_) : static_cast<unsigned __int128>(micros_);
  std::string text = (micros_ < 0 ? "-" : "") + Uint128Text(magnitude / kMicrosPerUnit);
  const auto fraction = static_cast<uint64_t>(magnitude % kMicrosPerUnit);
  if (fraction != 0) {
    std::string digits = fmt::format("{:06d}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return text;
}

Decimal Decimal::Rounded(int decimals) const {
  decimals = std::clamp(decimals, 0, kDecimalPlaces);
  const __int128 step = kPowersOfTen[kDecimalPlaces - decimals];
  return Decimal(*DivideHalfEven(Wide(micros_), Wide(step)) * step);
}

std::optional<Decimal> Decimal::Ratio(Decimal numerator, Decimal denominator, int64_t scale) {
  auto micros = DivideHalfEven(Wide(numerator.micros_) * scale * kMicrosPerUnit, Wide(denominator.micros_));
  if (!micros) return std::nullopt;
  return Decimal(*micros);
}

std::optional<Decimal> Decimal::Mean(Decimal sum, uint64_t count) {
  auto micros = DivideHalfEven(Wide(sum.micros_), cpp_int(count));
  if (!micros) return std::nullopt;
  return Decimal(*micros);
}

std::optional<Decimal> Decimal::WeightedMean(const std::vector<std::pair<Decimal, Decimal>>& values_and_weights) {
  // In micro-units squared over micro-units: the quotient is in micro-units.
  cpp_int products = 0, weights = 0;
  for (const auto& [value, weight] : values_and_weights) {
    products += Wide(value.micros_) * Wide(weight.micros_);
    weights += Wide(weight.micros_);
  }
  auto micros = DivideHalfEven(products, weights);
  if (!micros) return std::nullopt;
  return Decimal(*micros);
}

}  // namespace tonghop
