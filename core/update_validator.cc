#include "core/update_validator.h"

#include <algorithm>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <vector>

#include "core/clock.h"
#include "core/wire_protocol.h"

namespace tonghop {

using tonghop::v1::RejectReason;

std::string Refusal::Text() const {
  if (field.empty()) return why;
  // "field 'indicator' is empty", "field 'indicator': unknown indicator 'agri.x' ...".
  return fmt::format("field '{}'{}{}", field, why.starts_with("is ") ? " " : ": ", why);
}

RejectReason UpdateValidator::Validate(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms,
                                       ValidatedUpdate* out, std::string* text) const {
  Refusal refusal = Judge(update, now_ms, out);
  if (refusal.reason != RejectReason::REJECT_REASON_UNSPECIFIED) *text = refusal.Text();
  return refusal.reason;
}

Refusal UpdateValidator::Judge(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms,
                               ValidatedUpdate* out) const {
  auto refuse = [](RejectReason reason, std::string field, std::string why) {
    return Refusal{reason, std::move(field), std::move(why)};
  };
  if (!update.unreadable_reason().empty()) {
    return refuse(RejectReason::REJECT_REASON_MALFORMED, "", std::string(ClipUtf8(update.unreadable_reason(), kMaxReasonLength)));
  }
  if (update.kind() != tonghop::v1::UPDATE_KIND_FIGURE && update.kind() != tonghop::v1::UPDATE_KIND_VOID) {
    return refuse(RejectReason::REJECT_REASON_MALFORMED, "kind",
                  fmt::format("unknown kind {} (1 is a void, 0 a figure)", static_cast<int>(update.kind())));
  }
  for (const auto& [field, value] : {std::pair<const char*, const std::string*>{"reporting_unit", &update.reporting_unit()},
                                     {"indicator", &update.indicator()},
                                     {"period", &update.period()}}) {
    if (value->empty()) return refuse(RejectReason::REJECT_REASON_MALFORMED, field, "is empty");
    if (Status s = CheckId(*value); !s.ok()) return refuse(RejectReason::REJECT_REASON_MALFORMED, field, s.message());
  }
  if (catalog_->FindUnit(update.reporting_unit()) == nullptr) {
    return refuse(RejectReason::REJECT_REASON_UNKNOWN_REPORTING_UNIT, "reporting_unit",
                  fmt::format("unknown reporting unit '{}' (not in the catalog's units.csv)", update.reporting_unit()));
  }
  const Indicator* indicator = catalog_->FindIndicator(update.indicator());
  if (indicator == nullptr) {
    return refuse(RejectReason::REJECT_REASON_UNKNOWN_INDICATOR, "indicator",
                  fmt::format("unknown indicator '{}' (not in the catalog's indicators.csv)", update.indicator()));
  }
  if (!std::binary_search(indicator->reporting_units.begin(), indicator->reporting_units.end(),
                          update.reporting_unit())) {
    return refuse(RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED, "reporting_unit",
                  fmt::format("'{}' does not report '{}' (the catalog expects {} unit(s) to)", update.reporting_unit(),
                              indicator->id, indicator->reporting_units.size()));
  }
  Status s = Period::Parse(update.period(), &out->period);
  if (!s.ok()) return refuse(RejectReason::REJECT_REASON_INVALID_PERIOD, "period", s.message());
  const int current_year = UtcYearOfMs(now_ms);
  if (!catalog_->year_window().Contains(out->period, current_year)) {
    return refuse(RejectReason::REJECT_REASON_INVALID_PERIOD, "period",
                  fmt::format("'{}' is outside the years the catalog accepts figures for, {} (catalog file years.csv)",
                              update.period(), catalog_->year_window().ToString(current_year)));
  }
  if (std::string why = catalog_->ValidityRefusal(*catalog_->FindUnit(update.reporting_unit()), out->period);
      !why.empty()) {
    return refuse(RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED, "reporting_unit", std::move(why));
  }
  if ((indicator->period_types & PeriodTypeBit(out->period.type())) == 0) {
    std::vector<const char*> accepted;
    for (auto type : {Period::Type::kMonth, Period::Type::kQuarter, Period::Type::kHalfYear, Period::Type::kYear}) {
      if (indicator->period_types & PeriodTypeBit(type)) accepted.push_back(PeriodTypeName(type));
    }
    return refuse(RejectReason::REJECT_REASON_PERIOD_TYPE_NOT_ACCEPTED, "period",
                  fmt::format("'{}' is a {}, but '{}' is reported by {} (catalog column period_type); longer periods "
                              "are derived from those",
                              update.period(), PeriodTypeName(out->period.type()), indicator->id,
                              fmt::join(accepted, " or ")));
  }
  out->indicator = indicator;
  if (update.kind() == tonghop::v1::UPDATE_KIND_VOID) return Refusal{};  // names a figure, carries none
  s = FigureValue(update, &out->value);
  if (!s.ok()) return refuse(RejectReason::REJECT_REASON_INVALID_VALUE, "value", s.message());
  if (indicator->non_negative && out->value.negative()) {
    return refuse(RejectReason::REJECT_REASON_NEGATIVE_VALUE, "value",
                  fmt::format("{} is negative, but '{}' cannot be (catalog column non_negative)", out->value.ToString(),
                              indicator->id));
  }
  s = BelowCompletenessOf(update, &out->below);
  if (!s.ok()) return refuse(RejectReason::REJECT_REASON_MALFORMED, "", s.message());
  return Refusal{};
}

}  // namespace tonghop
