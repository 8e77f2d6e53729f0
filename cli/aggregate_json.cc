#include "cli/aggregate_json.h"

namespace tonghop::cli {

nlohmann::ordered_json AggregateToJson(const tonghop::v1::AggregateUpdate& update) {
  nlohmann::ordered_json object = {
      {"indicator", update.indicator()},
      {"period", update.period()},
      {"value", update.value()},
      {"unit", update.unit()},
      {"pct_of_plan", nullptr},
      {"yoy_pct", nullptr},
      {"units_reported", update.units_reported()},
      {"units_expected", update.units_expected()},
  };
  if (update.has_pct_of_plan()) object["pct_of_plan"] = update.pct_of_plan();
  if (update.has_yoy_pct()) object["yoy_pct"] = update.yoy_pct();
  object["partial"] = update.partial();
  object["derived"] = update.derived();
  object["ytd_value"] = update.has_ytd_value() ? nlohmann::ordered_json(update.ytd_value()) : nullptr;
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const auto& w : update.warnings()) {
    warnings.push_back({{"rule", w.rule()}, {"units", std::vector<std::string>(w.units().begin(), w.units().end())},
                        {"text", w.text()}});
  }
  object["warnings"] = std::move(warnings);
  return object;
}

std::string AggregatesToJson(const AggregateTable& table, uint64_t seq) {
  nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
  // The table's map is keyed by (indicator, period): its order is the promised order.
  for (const auto& [key, update] : table.entries()) aggregates.push_back(AggregateToJson(update));
  nlohmann::ordered_json document = {{"seq", seq}, {"aggregates", std::move(aggregates)}};
  return document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace tonghop::cli
