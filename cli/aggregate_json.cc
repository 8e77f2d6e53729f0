#include "cli/aggregate_json.h"

#include "cli/warning_text.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

// The binary subtype that marks an ExactNumber: its bytes are the decimal's text.
constexpr std::uint64_t kExactNumberSubtype = 0xdec;

}  // namespace

nlohmann::ordered_json ExactNumber(Decimal value) {
  const std::string text = value.ToString();
  return nlohmann::ordered_json::binary(std::vector<std::uint8_t>(text.begin(), text.end()), kExactNumberSubtype);
}

nlohmann::ordered_json ExactNumberOrNull(const std::optional<Decimal>& value) {
  return value ? ExactNumber(*value) : nlohmann::ordered_json(nullptr);
}

std::string DumpJson(const nlohmann::ordered_json& document) {
  using Json = nlohmann::ordered_json;
  auto text = [](const Json& scalar) { return scalar.dump(-1, ' ', false, Json::error_handler_t::replace); };
  switch (document.type()) {
    case Json::value_t::object: {
      std::string out = "{";
      for (auto it = document.begin(); it != document.end(); ++it) {
        if (out.size() > 1) out += ',';
        out += text(Json(it.key())) + ':' + DumpJson(it.value());
      }
      return out + '}';
    }
    case Json::value_t::array: {
      std::string out = "[";
      for (const Json& item : document) {
        if (out.size() > 1) out += ',';
        out += DumpJson(item);
      }
      return out + ']';
    }
    case Json::value_t::binary: {
      const auto& bytes = document.get_binary();
      if (bytes.has_subtype() && bytes.subtype() == kExactNumberSubtype) return std::string(bytes.begin(), bytes.end());
      return text(document);
    }
    default:
      return text(document);
  }
}

std::optional<Decimal> GroupNumber(const std::string& text) {
  Decimal value;
  if (text.empty() || !Decimal::Parse(text, &value, Decimal::kMaxDigits).ok()) return std::nullopt;
  return value;
}

nlohmann::ordered_json GroupToJson(const tonghop::v1::GroupFigure& group) {
  return {{"indicator", group.indicator()},
          {"period", group.period()},
          {"units_after", std::vector<std::string>(group.units_after().begin(), group.units_after().end())},
          {"value", ExactNumberOrNull(GroupNumber(group.value_decimal()))},
          {"units_reported", group.units_reported()},
          {"units_expected", group.units_expected()},
          {"previous_period", group.previous_period()},
          {"units_before", std::vector<std::string>(group.units_before().begin(), group.units_before().end())},
          {"previous_value", ExactNumberOrNull(GroupNumber(group.previous_value_decimal()))},
          {"previous_units_reported", group.previous_units_reported()},
          {"previous_units_expected", group.previous_units_expected()},
          {"change_pct", ExactNumberOrNull(GroupNumber(group.change_pct_decimal()))},
          {"partial", group.partial()}};
}

nlohmann::ordered_json AggregateToJson(const tonghop::v1::AggregateUpdate& update, const Catalog* catalog) {
  nlohmann::ordered_json object = {
      {"indicator", update.indicator()},
      {"period", update.period()},
      {"value", ExactNumberOrNull(ValueOf(update))},
      {"unit", update.unit()},
      {"pct_of_plan", ExactNumberOrNull(PctOfPlanOf(update))},
      {"yoy_pct", ExactNumberOrNull(YoyPctOf(update))},
      {"units_reported", update.units_reported()},
      {"units_expected", update.units_expected()},
  };
  object["partial"] = update.partial();
  // Completeness carried upward: which units' own figures are partial totals of the level below.
  if (!update.partial_reason().empty()) object["partial_reason"] = update.partial_reason();
  nlohmann::ordered_json partial_units = nlohmann::ordered_json::array();
  for (const auto& unit : update.partial_units()) {
    partial_units.push_back({{"unit", unit.unit()},
                             {"units_reported", unit.units_reported()},
                             {"units_expected", unit.units_expected()}});
  }
  object["partial_units"] = std::move(partial_units);
  if (catalog && !update.partial_reason().empty()) object["partial_text_vi"] = PartialBelowTextVi(catalog, update);
  object["derived"] = update.derived();
  object["ytd_value"] = ExactNumberOrNull(YtdValueOf(update));
  object["ytd_units_reported"] = update.ytd_units_reported();
  nlohmann::ordered_json sub_periods = nlohmann::ordered_json::array();
  for (const auto& sub : update.sub_periods()) {
    sub_periods.push_back({{"period", sub.period()},
                           {"units_reported", sub.units_reported()},
                           {"units_with_figures", sub.units_with_figures()}});
  }
  object["sub_periods"] = std::move(sub_periods);
  nlohmann::ordered_json warnings = nlohmann::ordered_json::array();
  for (const auto& w : update.warnings()) {
    nlohmann::ordered_json warning = {{"rule", w.rule()},
                                      {"units", std::vector<std::string>(w.units().begin(), w.units().end())},
                                      {"text", w.text()},
                                      {"parts_sum", ExactNumberOrNull(PartsSumOf(w))}};
    if (catalog) warning["text_vi"] = WarningTextVi(catalog, update, w);
    warnings.push_back(std::move(warning));
  }
  object["warnings"] = std::move(warnings);
  return object;
}

std::string AggregatesToJson(const AggregateTable& table, uint64_t seq, const Catalog* catalog) {
  nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
  // The table's map is keyed by (indicator, period): its order is the promised order.
  for (const auto& [key, update] : table.entries()) aggregates.push_back(AggregateToJson(update, catalog));
  nlohmann::ordered_json document = {{"seq", seq}, {"aggregates", std::move(aggregates)}};
  return DumpJson(document);
}

}  // namespace tonghop::cli
