#include "cli/data_value_set.h"

#include <algorithm>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "core/clock.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {

std::string NormalizePeriod(const std::string& period) {
  auto digits = [&](size_t from, size_t n) {
    return period.size() >= from + n &&
           std::all_of(period.begin() + from, period.begin() + from + n, [](char c) { return c >= '0' && c <= '9'; });
  };
  if (period.size() == 6 && digits(0, 4) && (period[4] == 'Q' || period[4] == 'S') && digits(5, 1)) {
    return period.substr(0, 4) + (period[4] == 'Q' ? "-Q" : "-H") + period.substr(5);
  }
  if (period.size() == 6 && digits(0, 6)) return period.substr(0, 4) + "-" + period.substr(4);
  return period;
}

Status ParseDataValueSet(const std::string& name, const std::string& text, std::vector<DataValue>* out) {
  size_t start = text.find_first_not_of(" \t\r\n\xEF\xBB\xBF");
  if (start != std::string::npos && text[start] == '{') {
    nlohmann::json document = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (document.is_discarded() || !document.is_object() || !document.contains("dataValues") ||
        !document["dataValues"].is_array()) {
      return Status::InvalidArgument(fmt::format("{}: not a data value set: expected a JSON object with a "
                                                 "\"dataValues\" array (docs/DATA-MODEL.md)", name));
    }
    unsigned position = 0;
    for (const auto& item : document["dataValues"]) {
      ++position;
      DataValue value;
      value.line = position;
      auto field = [&](const char* key, std::string* target, bool required) -> Status {
        if (!item.is_object() || !item.contains(key)) {
          if (!required) return Status::OK();
          return Status::InvalidArgument(fmt::format("{}: dataValues[{}]: field '{}' is missing", name, position - 1, key));
        }
        const auto& v = item[key];
        if (v.is_string()) *target = v.get<std::string>();
        else if (v.is_number()) *target = v.dump();
        else return Status::InvalidArgument(fmt::format("{}: dataValues[{}]: field '{}' is not text", name, position - 1, key));
        return Status::OK();
      };
      TONGHOP_RETURN_IF_ERROR(field("dataElement", &value.data_element, true));
      TONGHOP_RETURN_IF_ERROR(field("period", &value.period, true));
      TONGHOP_RETURN_IF_ERROR(field("orgUnit", &value.org_unit, true));
      TONGHOP_RETURN_IF_ERROR(field("value", &value.value, true));
      TONGHOP_RETURN_IF_ERROR(field("storedBy", &value.stored_by, false));
      TONGHOP_RETURN_IF_ERROR(field("lastUpdated", &value.last_updated, false));
      TONGHOP_RETURN_IF_ERROR(field("comment", &value.comment, false));
      value.period = NormalizePeriod(value.period);
      out->push_back(std::move(value));
    }
    return Status::OK();
  }
  static constexpr std::array<const char*, 7> kColumns = {"dataelement", "period", "orgunit", "value",
                                                          "storedby", "lastupdated", "comment"};
  return ReadCsv<7>(name, text, kColumns, {"dataelement", "period", "orgunit", "value"}, [&](const CsvRow<7>& row) {
    const auto& c = row.cells;
    out->push_back({c[0], NormalizePeriod(c[1]), c[2], c[3], row.separator == ';', c[4], c[5], c[6], row.line});
    return Status::OK();
  });
}

std::string DataValueSetWriter::Begin() const {
  return format_ == "json" ? "{\n  \"dataValues\": [" : "dataelement,period,orgunit,value,storedby,lastupdated,comment\n";
}

std::string DataValueSetWriter::Add(const tonghop::v1::UnitFigure& f) {
  const std::string value = ValueText(f);
  std::string comment;
  if (f.derived()) comment = f.complete() ? "derived from shorter periods" : "derived from shorter periods, some missing";
  const bool first = !any_;
  any_ = true;
  if (format_ != "json") {
    return fmt::format("{},{},{},{},,{},{}\n", CsvEscape(f.indicator()), CsvEscape(f.period()),
                       CsvEscape(f.reporting_unit()), value, UtcIsoTime(f.applied_at_ms()), CsvEscape(comment));
  }
  nlohmann::ordered_json row = {{"dataElement", f.indicator()}, {"period", f.period()}, {"orgUnit", f.reporting_unit()},
                                {"value", value}, {"lastUpdated", UtcIsoTime(f.applied_at_ms())}};
  if (!comment.empty()) row["comment"] = comment;
  // Laid out as a whole document dumped with an indent of 2 would be: the row two levels deep.
  std::string out = first ? "\n    " : ",\n    ";
  for (char c : row.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace)) {
    out += c;
    if (c == '\n') out += "    ";
  }
  return out;
}

std::string DataValueSetWriter::End() const {
  if (format_ != "json") return "";
  return any_ ? "\n  ]\n}\n" : "]\n}\n";
}

std::string WriteDataValueSet(const tonghop::v1::ValuesReply& values, const std::string& format) {
  DataValueSetWriter writer(format);
  std::string out = writer.Begin();
  for (const auto& f : values.figures()) out += writer.Add(f);
  return out + writer.End();
}

}  // namespace tonghop::cli
