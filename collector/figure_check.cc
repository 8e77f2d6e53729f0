#include "collector/figure_check.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <regex>
#include <string>

#include <fmt/format.h>

#include "core/decimal.h"
#include "core/period.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

constexpr int kDefaultOffsetMinutes = 7 * 60;  // Vietnam, no daylight saving time
// How much of a value that is not a number is quoted back.
constexpr size_t kShownValueBytes = 60;

std::string_view Trimmed(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

// "1.234.567,5", "-12.000": '.' between groups of three digits, before any ','.
bool IsGroupedInThrees(const std::string& text) {
  static const std::regex kGrouped(R"([+-]?\d{1,3}(\.\d{3})+(,\d*)?)");
  return std::regex_match(text, kGrouped);
}

// Reads exactly `width` digits at `*pos` into `out`.
bool Digits(std::string_view text, size_t* pos, size_t width, int* out) {
  if (*pos + width > text.size()) return false;
  for (size_t i = *pos; i < *pos + width; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
  }
  std::from_chars(text.data() + *pos, text.data() + *pos + width, *out);
  *pos += width;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

}  // namespace

std::vector<FieldError> CheckFigure(const std::string& own_unit, Language language,
                                    tonghop::v1::IndicatorUpdate* figure) {
  std::vector<FieldError> errors;
  // The wire's rules first: a string that breaks them is not judged (nor quoted) any further.
  bool wire_text_ok[3];
  const std::pair<const char*, const std::string*> strings[3] = {
      {"indicator", &figure->indicator()}, {"period", &figure->period()}, {"reporting_unit", &figure->reporting_unit()}};
  for (int i = 0; i < 3; ++i) {
    const std::string& text = *strings[i].second;
    wire_text_ok[i] = false;
    if (size_t bad = FirstInvalidUtf8Byte(text); bad != std::string::npos) {
      errors.push_back({strings[i].first, Text(language, Msg::kTextNotUtf8, static_cast<unsigned char>(text[bad]), bad)});
    } else if (text.size() > kMaxIdLength) {
      errors.push_back({strings[i].first, Text(language, Msg::kTextTooLong, text.size(), kMaxIdLength)});
    } else {
      wire_text_ok[i] = true;
    }
  }
  if (wire_text_ok[0] && figure->indicator().empty()) {
    errors.push_back({"indicator", Text(language, Msg::kIndicatorEmpty)});
  }
  Period period;
  if (wire_text_ok[1] && !Period::Parse(figure->period(), &period).ok()) {
    errors.push_back({"period", Text(language, Msg::kPeriodInvalid, figure->period())});
  }
  Decimal value;
  // A void names a figure and carries no value.
  if (Status s = figure->kind() == tonghop::v1::UPDATE_KIND_VOID ? Status::OK() : FigureValue(*figure, &value); !s.ok()) {
    // A value given as exact text says what is wrong with it; a double only that it is no number
    // or too large, which the officer reads in their language.
    errors.push_back({"value", !figure->value_decimal().empty()
                                   ? s.message()
                                   : Text(language, std::isnan(figure->value()) ? Msg::kValueNotANumber
                                                                                : Msg::kValueTooLarge,
                                          fmt::format("{}", figure->value()), '.')});
  }
  if (!wire_text_ok[2]) return errors;
  if (figure->reporting_unit().empty()) {
    if (own_unit.empty()) {
      errors.push_back({"reporting_unit", Text(language, Msg::kUnitEmpty)});
    } else {
      figure->set_reporting_unit(own_unit);
    }
  } else if (!own_unit.empty() && figure->reporting_unit() != own_unit) {
    errors.push_back({"reporting_unit", Text(language, Msg::kUnitNotThisCollectors, figure->reporting_unit(), own_unit)});
  }
  return errors;
}

std::vector<FieldError> CheckAgainstCatalog(const UpdateValidator& validator, const tonghop::v1::IndicatorUpdate& figure,
                                            int64_t now_ms) {
  ValidatedUpdate valid;
  const Refusal refusal = validator.Judge(figure, now_ms, &valid);
  if (refusal.reason == tonghop::v1::REJECT_REASON_UNSPECIFIED) return {};
  return {{refusal.field, refusal.why}};
}

Status ParseFigureValue(std::string_view text, DecimalMark mark, Language language, Decimal* out) {
  const char point = mark == DecimalMark::kPoint ? '.' : ',';
  text = Trimmed(text);
  if (text.empty()) return Status::InvalidArgument(Text(language, Msg::kValueEmpty, point));
  const std::string shown = EscapeInvalidUtf8(ClipUtf8(EscapeInvalidUtf8(text), kShownValueBytes));
  // No figure is this long; std::regex would recurse once per character of a long cell.
  if (text.size() > kShownValueBytes) return Status::InvalidArgument(Text(language, Msg::kValueNotANumber, shown, point));
  std::string plain(text);
  const size_t commas = std::count(plain.begin(), plain.end(), ',');
  const size_t points = std::count(plain.begin(), plain.end(), '.');
  const bool comma_decimal = mark == DecimalMark::kComma || (mark == DecimalMark::kEither && commas > 0);
  if (comma_decimal && points > 0) {
    // '.' groups thousands: 1.234.567,5. Anything else with a '.' is a mistake, not a guess.
    if (!IsGroupedInThrees(plain)) return Status::InvalidArgument(Text(language, Msg::kValueGrouping, shown));
    std::erase(plain, '.');
  }
  if (comma_decimal && commas == 1) std::replace(plain.begin(), plain.end(), ',', '.');
  if (Decimal::Parse(plain, out).ok()) return Status::OK();
  // Why not, for the person: a number with too many decimals, or too large, or no number at all.
  static const std::regex kNumber(R"([+-]?(\d+)(\.(\d*))?|[+-]?\.(\d+))");
  std::smatch parts;
  if (std::regex_match(plain, parts, kNumber)) {
    const size_t decimals = parts[3].matched ? parts[3].length() : parts[4].length();
    return Status::InvalidArgument(Text(language, decimals > 6 ? Msg::kValueTooManyDecimals : Msg::kValueTooLarge, shown));
  }
  return Status::InvalidArgument(Text(language, Msg::kValueNotANumber, shown, point));
}

Status ParseObservedAt(std::string_view text, int64_t* ms_since_epoch, Language language) {
  auto bad = [&] {
    return Status::InvalidArgument(Text(language, Msg::kObservedAtInvalid, EscapeInvalidUtf8(ClipUtf8(
                                                                                  EscapeInvalidUtf8(text), kShownValueBytes))));
  };
  size_t pos = 0;
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, millis = 0;
  int offset_minutes = kDefaultOffsetMinutes;
  if (!Digits(text, &pos, 4, &year) || !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &month) ||
      !Expect(text, &pos, '-') || !Digits(text, &pos, 2, &day)) {
    return bad();
  }
  if (pos < text.size()) {
    if (text[pos] != 'T' && text[pos] != ' ') return bad();
    ++pos;
    if (!Digits(text, &pos, 2, &hour) || !Expect(text, &pos, ':') || !Digits(text, &pos, 2, &minute)) {
      return bad();
    }
    if (Expect(text, &pos, ':')) {
      if (!Digits(text, &pos, 2, &second)) return bad();
      if (Expect(text, &pos, '.') || Expect(text, &pos, ',')) {
        size_t start = pos;
        while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') ++pos;
        if (pos == start) return bad();
        std::string fraction(text.substr(start, std::min<size_t>(pos - start, 3)));
        fraction.resize(3, '0');
        millis = std::stoi(fraction);
      }
    }
    if (Expect(text, &pos, 'Z')) {
      offset_minutes = 0;
    } else if (pos < text.size() && (text[pos] == '+' || text[pos] == '-')) {
      int sign = text[pos++] == '-' ? -1 : 1;
      int oh = 0, om = 0;
      if (!Digits(text, &pos, 2, &oh)) return bad();
      Expect(text, &pos, ':');
      if (!Digits(text, &pos, 2, &om) || oh > 14 || om > 59) return bad();
      offset_minutes = sign * (oh * 60 + om);
    }
    if (pos != text.size() || hour > 23 || minute > 59 || second > 60) return bad();
  }
  using namespace std::chrono;
  year_month_day date{std::chrono::year(year), std::chrono::month(month), std::chrono::day(day)};
  if (!date.ok()) return bad();
  auto local = sys_days(date) + hours(hour) + minutes(minute) + seconds(second) + milliseconds(millis);
  *ms_since_epoch = duration_cast<milliseconds>((local - minutes(offset_minutes)).time_since_epoch()).count();
  return Status::OK();
}

}  // namespace tonghop
