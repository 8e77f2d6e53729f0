#include "aggregator/aggregate_warnings.h"

#include <string>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/wire_protocol.h"

namespace tonghop {
namespace {

// "+179.0", "-2.6": a percentage with its sign and one decimal.
std::string SignedPercentText(Decimal pct) {
  std::string text = pct.Rounded(1).ToString();
  if (text.find('.') == std::string::npos) text += ".0";
  return pct.negative() ? text : "+" + text;
}

}  // namespace

bool OutsideRange(const Indicator& indicator, const UnitValue& value) {
  if (value.derived) return false;
  return (indicator.min && value.value < *indicator.min) || (indicator.max && value.value > *indicator.max);
}

void AddWarnings(const Catalog& catalog, const Indicator& indicator, const Period& period, const ProvinceValue& value,
                 const std::set<std::string>& outside_range,
                 const std::function<ProvinceValue(const Indicator&)>& value_of, tonghop::v1::AggregateUpdate* out) {
  auto add = [&](const char* rule, std::string text) {
    auto* warning = out->add_warnings();
    warning->set_rule(rule);
    warning->set_indicator(indicator.id);
    warning->set_period(out->period());
    warning->set_text(std::move(text));
    return warning;
  };
  if (indicator.parts_rule != PartsRule::kNone && !out->partial()) {
    std::vector<const Indicator*> parts = catalog.PartsOf(indicator.id);
    Decimal parts_sum;
    bool complete = !parts.empty();
    for (const Indicator* part : parts) {
      ProvinceValue p = value_of(*part);
      complete = complete && p.any && p.reported == catalog.ExpectedUnits(*part, period).size();
      parts_sum += p.value;
    }
    const bool equal_rule = indicator.parts_rule == PartsRule::kEqual;
    const bool broken = equal_rule ? parts_sum != value.value : parts_sum > value.value;
    if (complete && broken) {
      auto* warning = add("parts_sum", fmt::format("the parts add up to {}, {} the total {} ({} in the catalog)",
                                                   parts_sum.ToString(), equal_rule ? "not equal to" : "above",
                                                   value.value.ToString(), equal_rule ? "=" : "<="));
      for (const Indicator* part : parts) warning->add_units(part->id);
      SetPartsSum(parts_sum, warning);
    }
  }
  if (!outside_range.empty()) {
    auto* warning = add("min_max", fmt::format("{} unit(s) reported a figure outside the range [{}, {}]: {}",
                                               outside_range.size(), indicator.min ? indicator.min->ToString() : "-",
                                               indicator.max ? indicator.max->ToString() : "-",
                                               fmt::join(outside_range, ", ")));
    for (const std::string& unit : outside_range) warning->add_units(unit);
  }
  const std::optional<Decimal> yoy = YoyPctOf(*out);
  if (indicator.yoy_threshold_pct && yoy && !out->partial() &&
      (yoy->negative() ? Decimal() - *yoy : *yoy) > *indicator.yoy_threshold_pct) {
    add("yoy_change", fmt::format("changed by {}% against {}, beyond the catalog's threshold of {}%", SignedPercentText(*yoy),
                                  period.SameSpanPreviousYear().ToString(), indicator.yoy_threshold_pct->ToString()));
  }
}

}  // namespace tonghop
