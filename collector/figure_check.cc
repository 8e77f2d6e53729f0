#include "collector/figure_check.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <string>

#include <fmt/format.h>

#include "core/decimal.h"
#include "core/period.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

constexpr int kDefaultOffsetMinutes = 7 * 60;  // Vietnam, no daylight saving time

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

std::vector<FieldError> CheckFigure(const std::string& own_unit, tonghop::v1::IndicatorUpdate* figure) {
  std::vector<FieldError> errors;
  // The wire's rules first: a string that breaks them is not judged (nor quoted) any further.
  bool wire_text_ok[3];
  const std::pair<const char*, const std::string*> strings[3] = {
      {"indicator", &figure->indicator()}, {"period", &figure->period()}, {"reporting_unit", &figure->reporting_unit()}};
  for (int i = 0; i < 3; ++i) {
    Status s = CheckId(*strings[i].second);
    wire_text_ok[i] = s.ok();
    if (s.ok()) continue;
    std::string why = s.message();
    if (!IsValidUtf8(*strings[i].second)) why += "; write it as UTF-8 text (a spreadsheet: save as 'CSV UTF-8')";
    errors.push_back({strings[i].first, why});
  }
  if (wire_text_ok[0] && figure->indicator().empty()) {
    errors.push_back({"indicator", "is empty; write the indicator id from the catalog, e.g. "
                                   "agri.sown_area.total"});
  }
  Period period;
  if (Status s = wire_text_ok[1] ? Period::Parse(figure->period(), &period) : Status::OK(); !s.ok()) {
    errors.push_back({"period", s.message()});
  }
  Decimal value;
  if (Status s = FigureValue(*figure, &value); !s.ok()) {
    errors.push_back({"value", s.message()});
  }
  if (wire_text_ok[2] && figure->reporting_unit().empty()) {
    figure->set_reporting_unit(own_unit);
  } else if (wire_text_ok[2] && figure->reporting_unit() != own_unit) {
    errors.push_back({"reporting_unit", fmt::format(
        "'{}' is not this collector's unit '{}'; leave it empty, or give the figure to the "
        "collector of unit '{}'", figure->reporting_unit(), own_unit, figure->reporting_unit())});
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

Status ParseObservedAt(std::string_view text, int64_t* ms_since_epoch) {
  auto bad = [&] {
    return Status::InvalidArgument(fmt::format(
        "'{}' is not an ISO 8601 date or date-time; write e.g. 2017-03-31, 2017-03-31T14:05 or "
        "2017-03-31T14:05:00+07:00", text));
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
