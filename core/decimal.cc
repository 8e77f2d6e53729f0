#include "core/decimal.h"

#include <cmath>
#include <fmt/format.h>

namespace tonghop {

Status Decimal::FromDouble(double value, Decimal* out) {
  if (!std::isfinite(value)) {
    return Status::InvalidArgument(fmt::format("value {} is not a finite number", value));
  }
  if (std::fabs(value) > kMaxMagnitude) {
    return Status::InvalidArgument(
        fmt::format("value {} is beyond the largest magnitude a figure may have (1e12)", value));
  }
  *out = Decimal(std::llround(value * kMicrosPerUnit));
  return Status::OK();
}

Status Decimal::Parse(std::string_view text, Decimal* out) {
  auto bad = [&](const char* why) {
    return Status::InvalidArgument(fmt::format("'{}' is not a decimal number: {}", text, why));
  };
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '-' || text[i] == '+')) negative = text[i++] == '-';
  int64_t units = 0;
  int int_digits = 0;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
    if (++int_digits > 12) return bad("more than 12 digits before the decimal point");
    units = units * 10 + (text[i++] - '0');
  }
  int64_t fraction = 0;
  int frac_digits = 0;
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (++frac_digits > 6) return bad("more than 6 decimal places");
      fraction = fraction * 10 + (text[i++] - '0');
    }
  }
  if (i != text.size()) return bad("use digits, an optional sign and '.' as the decimal point");
  if (int_digits + frac_digits == 0) return bad("no digits");
  for (int d = frac_digits; d < 6; ++d) fraction *= 10;
  int64_t micros = units * kMicrosPerUnit + fraction;
  if (units > static_cast<int64_t>(kMaxMagnitude) ||
      (units == static_cast<int64_t>(kMaxMagnitude) && fraction > 0)) {
    return bad("beyond the largest magnitude a figure may have (1e12)");
  }
  *out = Decimal(negative ? -micros : micros);
  return Status::OK();
}

std::string Decimal::ToString() const {
  uint64_t magnitude = micros_ < 0 ? -static_cast<uint64_t>(micros_) : micros_;
  std::string text = fmt::format("{}{}", micros_ < 0 ? "-" : "", magnitude / kMicrosPerUnit);
  uint64_t fraction = magnitude % kMicrosPerUnit;
  if (fraction != 0) {
    std::string digits = fmt::format("{:06d}", fraction);
    digits.erase(digits.find_last_not_of('0') + 1);
    text += "." + digits;
  }
  return text;
}

}  // namespace tonghop
