#include "cli/query.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/aggregate_json.h"
#include "cli/aggregator_client.h"
#include "cli/data_value_set.h"
#include "cli/output.h"
#include "cli/watch_view.h"
#include "core/csv.h"

namespace tonghop::cli {
namespace {

std::string Flags(const tonghop::v1::AggregateUpdate& a) {
  std::string flags;
  if (a.partial()) flags += "partial ";
  if (a.derived()) flags += "derived ";
  if (a.warnings_size()) flags += fmt::format("warnings:{} ", a.warnings_size());
  if (!flags.empty()) flags.pop_back();
  return flags;
}

Status Fetch(const AggregatorLink& aggregator, const std::string& period, const std::string& indicator, bool by_unit,
             tonghop::v1::QueryReply* reply) {
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period(period);
  request.mutable_values()->set_indicator_prefix(indicator);
  request.mutable_values()->set_by_unit(by_unit);
  return CallAggregator(aggregator, request, reply);
}

// The reply as `format` (table, csv, json); with by_unit, one row per unit figure as well.
std::string FormatValues(const tonghop::v1::ValuesReply& values, bool by_unit, const std::string& format) {
  if (format == "json") {
    nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
    for (const auto& a : values.aggregates()) {
      aggregates.push_back(AggregateToJson(a));
    }
    nlohmann::ordered_json document = {{"aggregates", std::move(aggregates)}};
    if (by_unit) {
      nlohmann::ordered_json figures = nlohmann::ordered_json::array();
      for (const auto& f : values.figures()) {
        figures.push_back({{"indicator", f.indicator()}, {"period", f.period()}, {"reporting_unit", f.reporting_unit()},
                           {"value", f.value()}, {"derived", f.derived()}, {"complete", f.complete()}});
      }
      document["figures"] = std::move(figures);
    }
    return document.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  }
  if (format == "csv") {
    std::string out = "indicator,period,unit_code,value,unit,pct_of_plan,yoy_pct,units_reported,units_expected,flags\n";
    for (const auto& a : values.aggregates()) {
      out += fmt::format("{},{},province,{},{},{},{},{},{},{}\n", CsvEscape(a.indicator()), a.period(), ValueCell(a),
                         CsvEscape(a.unit()), a.has_pct_of_plan() ? fmt::format("{}", a.pct_of_plan()) : "",
                         a.has_yoy_pct() ? fmt::format("{}", a.yoy_pct()) : "", a.units_reported(), a.units_expected(),
                         CsvEscape(Flags(a)));
      if (!by_unit) continue;
      for (const auto& f : values.figures()) {
        if (f.indicator() != a.indicator()) continue;
        out += fmt::format("{},{},{},{},{},,,,,{}\n", CsvEscape(f.indicator()), f.period(), f.reporting_unit(), f.value(),
                           CsvEscape(a.unit()), f.derived() ? (f.complete() ? "derived" : "derived partial") : "");
      }
    }
    return out;
  }
  std::string out = fmt::format("{:<40} {:<8} {:>16} {:>8} {:>8} {:>7}  {}\n", "indicator", "period", "value", "plan", "yoy",
                                "units", "flags");
  for (const auto& a : values.aggregates()) {
    out += fmt::format("{:<40} {:<8} {:>16} {:>8} {:>8} {:>7}  {}\n", a.indicator(), a.period(), ValueCell(a) + " ",
                       PlanCell(a), YoyCell(a), UnitsCell(a), Flags(a));
    for (const auto& w : a.warnings()) out += fmt::format("    ! {}: {}\n", w.rule(), w.text());
    if (!by_unit) continue;
    for (const auto& f : values.figures()) {
      if (f.indicator() != a.indicator()) continue;
      out += fmt::format("    {:<36} {:<8} {:>16}  {}\n", f.reporting_unit(), f.period(), fmt::format("{}", f.value()),
                         f.derived() ? (f.complete() ? "derived" : "derived, incomplete") : "");
    }
  }
  if (values.aggregates_size() == 0) out += "(no province value for this period and indicator yet)\n";
  return out;
}

}  // namespace

CLI::App* AddQueryCommand(CLI::App& app, QueryOptions* options) {
  CLI::App* command = app.add_subcommand("query", "Print the province values of a period, with flags and warnings, "
                                                  "optionally each unit's figure");
  command->add_option("--period", options->period, "period, e.g. 2017-Q1, 2017-03, 2017")->required();
  command->add_option("--indicator", options->indicator, "an indicator id or an id prefix such as agri.");
  command->add_option("--by", options->by, "unit: also each unit's value")->check(CLI::IsMember({"unit"}));
  command->add_option("--format", options->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Example: tonghop query --period 2017-Q1 --indicator invest.executed --by unit");
  return command;
}

Status RunQuery(const QueryOptions& options) {
  tonghop::v1::QueryReply reply;
  const bool by_unit = options.by == "unit";
  TONGHOP_RETURN_IF_ERROR(Fetch(options.aggregator, options.period, options.indicator, by_unit, &reply));
  fmt::print("{}", FormatValues(reply.values(), by_unit, options.format));
  return Status::OK();
}

CLI::App* AddExportCommand(CLI::App& app, ExportOptions* options) {
  CLI::App* command = app.add_subcommand("export", "Write the units' figures of a period as a data value set "
                                                   "(DHIS2 dataValueSets style) that `tonghop import` reads");
  command->add_option("--period", options->period, "period, e.g. 2017-Q1")->required();
  command->add_option("--indicator", options->indicator, "an indicator id or an id prefix");
  command->add_option("--format", options->format, "csv or json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  command->add_option("--output", options->output, "write to this file instead of stdout");
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Example: tonghop export --period 2017-Q1 --format json --output 2017-q1.json");
  return command;
}

Status RunExport(const ExportOptions& options) {
  tonghop::v1::QueryReply reply;
  TONGHOP_RETURN_IF_ERROR(Fetch(options.aggregator, options.period, options.indicator, true, &reply));
  return WriteOutput(WriteDataValueSet(reply.values(), options.format), options.output);
}

}  // namespace tonghop::cli
