#include "cli/warning_text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/vietnamese_format.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

std::string PartsSumVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total,
                       const tonghop::v1::ValidationWarning& warning) {
  const Indicator* indicator = catalog ? catalog->FindIndicator(total.indicator()) : nullptr;
  const bool equal_rule = indicator == nullptr || indicator->parts_rule == PartsRule::kEqual;
  const char* verb = equal_rule ? "không khớp với" : "vượt";
  const std::optional<Decimal> parts = PartsSumOf(warning);
  if (!parts) return fmt::format("các thành phần cộng lại {} tổng số {}", verb, ValueWithUnitVi(total));
  return fmt::format("các thành phần cộng lại được {} {}, {} tổng số {}", FormatNumberVi(*parts, 3), total.unit(),
                     verb, ValueWithUnitVi(total));
}

// A unit as people write it ("Cao Lộc"); its code when the catalog is null or does not list it.
const std::string& UnitNameVi(const Catalog* catalog, const std::string& code) {
  const ReportingUnit* unit = catalog ? catalog->FindUnit(code) : nullptr;
  return unit ? unit->name : code;
}

}  // namespace

std::string WarningTextVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total,
                          const tonghop::v1::ValidationWarning& warning) {
  if (warning.rule() == "parts_sum") return PartsSumVi(catalog, total, warning);
  if (warning.rule() == "min_max") {
    std::vector<std::string> names;
    for (const std::string& code : warning.units()) names.push_back(UnitNameVi(catalog, code));
    return fmt::format("số liệu của {} nằm ngoài khoảng giá trị cho phép", fmt::join(names, ", "));
  }
  if (warning.rule() == "yoy_change") return "mức thay đổi so với cùng kỳ vượt ngưỡng kiểm tra, cần xác minh lại";
  return warning.text();
}

std::string PartialBelowTextVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total) {
  if (total.partial_units().empty()) return total.partial_reason();
  std::vector<std::string> units;
  for (const auto& unit : total.partial_units()) {
    units.push_back(fmt::format("{}: {}/{} đơn vị cấp dưới đã báo cáo", UnitNameVi(catalog, unit.unit()),
                                unit.units_reported(), unit.units_expected()));
  }
  return fmt::format("{}", fmt::join(units, "; "));
}

}  // namespace tonghop::cli
