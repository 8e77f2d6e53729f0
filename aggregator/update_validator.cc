#include "aggregator/update_validator.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

#include "core/wire_protocol.h"

namespace tonghop {

using tonghop::v1::RejectReason;

RejectReason UpdateValidator::Validate(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms,
                                       ValidatedUpdate* out, std::string* text) const {
  if (!update.unreadable_reason().empty()) {
    *text = ClipUtf8(update.unreadable_reason(), kMaxReasonLength);
    return RejectReason::REJECT_REASON_MALFORMED;
  }
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"reporting_unit", &update.reporting_unit()},
                                     {"indicator", &update.indicator()},
                                     {"period", &update.period()}}) {
    if (value->empty()) {
      *text = fmt::format("field '{}' is empty", field);
      return RejectReason::REJECT_REASON_MALFORMED;
    }
    if (Status s = CheckId(*value); !s.ok()) {
      *text = fmt::format("field '{}' {}", field, s.message());
      return RejectReason::REJECT_REASON_MALFORMED;
    }
  }
  if (catalog_->FindUnit(update.reporting_unit()) == nullptr) {
    *text = fmt::format("field 'reporting_unit': unknown reporting unit '{}' (not in the catalog's units.csv)",
                        update.reporting_unit());
    return RejectReason::REJECT_REASON_UNKNOWN_REPORTING_UNIT;
  }
  const Indicator* indicator = catalog_->FindIndicator(update.indicator());
  if (indicator == nullptr) {
    *text = fmt::format("field 'indicator': unknown indicator '{}' (not in the catalog's indicators.csv)",
                        update.indicator());
    return RejectReason::REJECT_REASON_UNKNOWN_INDICATOR;
  }
  if (!Catalog::Expects(*indicator, update.reporting_unit())) {
    *text = fmt::format("field 'reporting_unit': '{}' does not report '{}' (the catalog expects {} unit(s) to)",
                        update.reporting_unit(), indicator->id, indicator->expected_units.size());
    return RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED;
  }
  Status s = Period::Parse(update.period(), &out->period);
  if (!s.ok()) {
    *text = "field 'period': " + s.message();
    return RejectReason::REJECT_REASON_INVALID_PERIOD;
  }
  const int current_year = UtcYearOfMs(now_ms);
  if (!catalog_->year_window().Contains(out->period, current_year)) {
    *text = fmt::format("field 'period': '{}' is outside the years the catalog accepts figures for, {} "
                        "(catalog file years.csv)",
                        update.period(), catalog_->year_window().ToString(current_year));
    return RejectReason::REJECT_REASON_INVALID_PERIOD;
  }
  if ((indicator->period_types & PeriodTypeBit(out->period.type())) == 0) {
    std::vector<const char*> accepted;
    for (auto type : {Period::Type::kMonth, Period::Type::kQuarter, Period::Type::kHalfYear, Period::Type::kYear}) {
      if (indicator->period_types & PeriodTypeBit(type)) accepted.push_back(PeriodTypeName(type));
    }
    *text = fmt::format("field 'period': '{}' is a {}, but '{}' is reported by {} (catalog column period_type); "
                        "longer periods are derived from those",
                        update.period(), PeriodTypeName(out->period.type()), indicator->id, fmt::join(accepted, " or "));
    return RejectReason::REJECT_REASON_PERIOD_TYPE_NOT_ACCEPTED;
  }
  s = FigureValue(update, &out->value);
  if (!s.ok()) {
    *text = "field 'value': " + s.message();
    return RejectReason::REJECT_REASON_INVALID_VALUE;
  }
  if (indicator->non_negative && out->value.negative()) {
    *text = fmt::format("field 'value': {} is negative, but '{}' cannot be (catalog column non_negative)",
                        out->value.ToString(), indicator->id);
    return RejectReason::REJECT_REASON_NEGATIVE_VALUE;
  }
  out->indicator = indicator;
  return RejectReason::REJECT_REASON_UNSPECIFIED;
}

}  // namespace tonghop
