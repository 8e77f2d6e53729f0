#include "cli/vietnamese_format.h"

#include <cmath>
#include <fmt/format.h>

#include "core/wire_protocol.h"

namespace tonghop::cli {

std::string FormatNumberVi(Decimal value, int max_decimals) {
  const Decimal rounded = value.Rounded(max_decimals);
  std::string text = (rounded.negative() ? Decimal() - rounded : rounded).ToString();
  std::string fraction;
  if (size_t dot = text.find('.'); dot != std::string::npos) {
    fraction = text.substr(dot + 1);
    text.resize(dot);
    while (!fraction.empty() && fraction.back() == '0') fraction.pop_back();
  }
  std::string grouped;
  for (size_t i = 0; i < text.size(); ++i) {
    if (i > 0 && (text.size() - i) % 3 == 0) grouped += '.';
    grouped += text[i];
  }
  bool zero = grouped.find_first_not_of("0.") == std::string::npos && fraction.empty();
  std::string out = (rounded.negative() && !zero) ? "-" + grouped : grouped;
  if (!fraction.empty()) out += "," + fraction;
  return out;
}

std::string ValueWithUnitVi(const tonghop::v1::AggregateUpdate& aggregate) {
  const std::optional<Decimal> value = ValueOf(aggregate);
  return (value ? FormatNumberVi(*value, 3) : ValueText(aggregate)) + " " + aggregate.unit();
}

std::string FormatPercentVi(Decimal pct) {
  std::string text = FormatNumberVi(pct, 1) + "%";
  return text == "-0%" ? "0%" : text;
}

std::string ChangePhraseVi(Decimal yoy_pct, bool full) {
  const std::string suffix = full ? " so với cùng kỳ" : "";
  std::string magnitude = FormatPercentVi(yoy_pct.negative() ? Decimal() - yoy_pct : yoy_pct);
  if (magnitude == "0%") return "tương đương" + suffix;
  return (yoy_pct.negative() ? "giảm " : "tăng ") + magnitude + suffix;
}

std::string LowerFirstLetter(std::string_view text) {
  std::string out(text);
  if (out.empty()) return out;
  auto c0 = static_cast<unsigned char>(out[0]);
  if (c0 < 0x80) {
    if (c0 >= 'A' && c0 <= 'Z') out[0] = static_cast<char>(c0 + 32);
    return out;
  }
  // Decode the first code point (2 or 3 bytes cover every Vietnamese letter).
  char32_t cp = 0;
  size_t length = 0;
  if ((c0 & 0xE0) == 0xC0 && out.size() >= 2) {
    cp = ((c0 & 0x1F) << 6) | (static_cast<unsigned char>(out[1]) & 0x3F);
    length = 2;
  } else if ((c0 & 0xF0) == 0xE0 && out.size() >= 3) {
    cp = ((c0 & 0x0F) << 12) | ((static_cast<unsigned char>(out[1]) & 0x3F) << 6) | (static_cast<unsigned char>(out[2]) & 0x3F);
    length = 3;
  } else {
    return out;
  }
  char32_t lower = cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) lower = cp + 0x20;                 // Latin-1: Â, Ê, Ô...
  else if (cp >= 0x100 && cp <= 0x17F && cp % 2 == 0) lower = cp + 1;           // Latin Extended-A: Đ, Ă...
  else if (cp == 0x1A0 || cp == 0x1AF) lower = cp + 1;                           // Ơ, Ư
  else if (cp >= 0x1EA0 && cp <= 0x1EF9 && cp % 2 == 0) lower = cp + 1;          // Ạ ... Ỹ
  if (lower == cp) return out;
  std::string encoded;
  if (lower < 0x800) {
    encoded += static_cast<char>(0xC0 | (lower >> 6));
    encoded += static_cast<char>(0x80 | (lower & 0x3F));
  } else {
    encoded += static_cast<char>(0xE0 | (lower >> 12));
    encoded += static_cast<char>(0x80 | ((lower >> 6) & 0x3F));
    encoded += static_cast<char>(0x80 | (lower & 0x3F));
  }
  return encoded + out.substr(length);
}

}  // namespace tonghop::cli
