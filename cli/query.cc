#include "cli/query.h"

#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/aggregate_json.h"
#include "cli/aggregator_client.h"
#include "cli/data_value_set.h"
#include "cli/output.h"
#include "cli/watch_view.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

// A page the aggregator did not answer in time is asked for again: the same token gets the same
// page.
constexpr int kPageAttempts = 3;
constexpr int64_t kProgressIntervalMs = 500;

// "12,345 figures exported (6,789/s)" on stderr, redrawn in place, when stderr is a terminal.
class ExportProgress {
 public:
  ExportProgress() : shown_(isatty(STDERR_FILENO) == 1), start_ms_(MonotonicMs()), next_ms_(start_ms_) {}
  void Update(uint64_t figures, bool done) {
    if (!shown_) return;
    const int64_t now = MonotonicMs();
    if (!done && now < next_ms_) return;
    next_ms_ = now + kProgressIntervalMs;
    const double seconds = static_cast<double>(std::max<int64_t>(now - start_ms_, 1)) / 1000;
    fmt::print(stderr, "\r{} figures exported ({:.0f}/s){}", figures, static_cast<double>(figures) / seconds,
               done ? fmt::format(" in {:.1f} s\n", seconds) : "");
    std::fflush(stderr);
  }

 private:
  const bool shown_;
  const int64_t start_ms_;
  int64_t next_ms_;
};

// The exact text of a number that may be absent, "" when it is.
std::string OptionalText(const std::optional<Decimal>& value) { return value ? value->ToString() : ""; }

std::string Flags(const tonghop::v1::AggregateUpdate& a) {
  std::string flags;
  if (a.partial()) flags += "partial ";
  if (a.derived()) flags += "derived ";
  if (a.warnings_size()) flags += fmt::format("warnings:{} ", a.warnings_size());
  if (!flags.empty()) flags.pop_back();
  return flags;
}

Status Fetch(const AggregatorLink& aggregator, const std::string& period, const std::string& indicator,
             const std::string& by, tonghop::v1::QueryReply* reply) {
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period(period);
  request.mutable_values()->set_indicator_prefix(indicator);
  request.mutable_values()->set_by_unit(by == "unit");
  request.mutable_values()->set_by_group(by == "group");
  return CallAggregator(aggregator, request, reply);
}

std::string Joined(const google::protobuf::RepeatedPtrField<std::string>& units) {
  return fmt::format("{}", fmt::join(units, ","));
}

// The comparable groups' sums (`--by group`) as `format`: JSON beside the province values, CSV a
// row per group, the table a line per group under its indicator's province value.
nlohmann::ordered_json GroupsToJson(const tonghop::v1::ValuesReply& values) {
  nlohmann::ordered_json groups = nlohmann::ordered_json::array();
  for (const auto& g : values.groups()) groups.push_back(GroupToJson(g));
  return groups;
}

std::string GroupsToCsv(const tonghop::v1::ValuesReply& values) {
  std::string out = "indicator,period,units_after,value,units_reported,units_expected,previous_period,units_before,"
                    "previous_value,previous_units_reported,previous_units_expected,change_pct,flags\n";
  for (const auto& g : values.groups()) {
    out += fmt::format("{},{},{},{},{},{},{},{},{},{},{},{},{}\n", CsvEscape(g.indicator()), g.period(),
                       CsvEscape(Joined(g.units_after())), g.value_decimal(), g.units_reported(), g.units_expected(),
                       g.previous_period(), CsvEscape(Joined(g.units_before())), g.previous_value_decimal(),
                       g.previous_units_reported(), g.previous_units_expected(), g.change_pct_decimal(),
                       g.partial() ? "partial" : "");
  }
  return out;
}

std::string GroupLines(const tonghop::v1::ValuesReply& values, const std::string& indicator) {
  std::string out;
  for (const auto& g : values.groups()) {
    if (g.indicator() != indicator) continue;
    if (out.empty()) {
      out = fmt::format("    {:>16} {:>7}  {:>16} {:>7} {:>8}  {}\n", g.period(), "units", g.previous_period(), "units",
                        "change", "units now <- units then");
    }
    const std::string after = Joined(g.units_after()), before = Joined(g.units_before());
    out += fmt::format("    {:>16} {:>7}  {:>16} {:>7} {:>8}  {}{}\n", g.value_decimal().empty() ? "-" : g.value_decimal(),
                       fmt::format("{}/{}", g.units_reported(), g.units_expected()),
                       g.previous_value_decimal().empty() ? "-" : g.previous_value_decimal(),
                       fmt::format("{}/{}", g.previous_units_reported(), g.previous_units_expected()),
                       ChangeCell(GroupNumber(g.change_pct_decimal())), after == before ? after : after + " <- " + before,
                       g.partial() ? "  (partial)" : "");
  }
  return out;
}

// The reply as `format` (table, csv, json); by "unit", one row per unit figure as well; by
// "group", the comparable groups' sums.
std::string FormatValues(const tonghop::v1::ValuesReply& values, const std::string& by, const std::string& format) {
  const bool by_unit = by == "unit";
  if (format == "csv" && by == "group") return GroupsToCsv(values);
  if (format == "json") {
    nlohmann::ordered_json aggregates = nlohmann::ordered_json::array();
    for (const auto& a : values.aggregates()) {
      aggregates.push_back(AggregateToJson(a, nullptr));
    }
    nlohmann::ordered_json document = {{"aggregates", std::move(aggregates)}};
    if (by_unit) {
      nlohmann::ordered_json figures = nlohmann::ordered_json::array();
      for (const auto& f : values.figures()) {
        figures.push_back({{"indicator", f.indicator()}, {"period", f.period()}, {"reporting_unit", f.reporting_unit()},
                           {"value", ExactNumberOrNull(ValueOf(f))}, {"derived", f.derived()}, {"complete", f.complete()}});
      }
      document["figures"] = std::move(figures);
    }
    if (by == "group") document["groups"] = GroupsToJson(values);
    return DumpJson(document) + "\n";
  }
  if (format == "csv") {
    std::string out =
        "indicator,period,unit_code,value,unit,pct_of_plan,yoy_pct,units_reported,units_expected,flags,ytd_value\n";
    for (const auto& a : values.aggregates()) {
      out += fmt::format("{},{},province,{},{},{},{},{},{},{},{}\n", CsvEscape(a.indicator()), a.period(), ValueCell(a),
                         CsvEscape(a.unit()), OptionalText(PctOfPlanOf(a)), OptionalText(YoyPctOf(a)), a.units_reported(),
                         a.units_expected(), CsvEscape(Flags(a)), OptionalText(YtdValueOf(a)));
      if (!by_unit) continue;
      for (const auto& f : values.figures()) {
        if (f.indicator() != a.indicator()) continue;
        out += fmt::format("{},{},{},{},{},,,,,{},\n", CsvEscape(f.indicator()), f.period(), f.reporting_unit(), ValueText(f),
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
    if (by == "group") out += GroupLines(values, a.indicator());
    if (!by_unit) continue;
    for (const auto& f : values.figures()) {
      if (f.indicator() != a.indicator()) continue;
      out += fmt::format("    {:<36} {:<8} {:>16}  {}\n", f.reporting_unit(), f.period(), ValueText(f),
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
  command->add_option("--by", options->by, "unit: also each unit's value; group: also, for indicators summed over "
                      "units, each comparable group's sum against the same span a year earlier (the units a "
                      "reorganization replaced against those that replaced them, an untouched unit against itself); "
                      "with --format csv, only those")
      ->check(CLI::IsMember({"unit", "group"}));
  command->add_option("--format", options->format, "table, csv or json")->check(CLI::IsMember({"table", "csv", "json"}))->capture_default_str();
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Examples:\n  tonghop query --period 2017-Q1 --indicator invest.executed --by unit\n"
                  "  tonghop query --period 2026-Q1 --indicator agri.sown_area.total --by group");
  return command;
}

Status RunQuery(const QueryOptions& options) {
  tonghop::v1::QueryReply reply;
  TONGHOP_RETURN_IF_ERROR(Fetch(options.aggregator, options.period, options.indicator, options.by, &reply));
  fmt::print("{}", FormatValues(reply.values(), options.by, options.format));
  return Status::OK();
}

CLI::App* AddExportCommand(CLI::App& app, ExportOptions* options) {
  CLI::App* command = app.add_subcommand("export", "Write the units' figures as a data value set (DHIS2 dataValueSets "
                                                   "style) that `tonghop import` reads: each unit's value for a period, "
                                                   "or with --stored every figure stored");
  command->add_option("--period", options->period, "the period whose unit values to write, e.g. 2017-Q1; with --stored, "
                      "the figures of every period within it (2017: its months, quarters, halves and the year), and "
                      "all periods without it");
  command->add_option("--indicator", options->indicator, "an indicator id or an id prefix");
  command->add_flag("--stored", options->stored, "every figure as the units reported it (none derived), all of them "
                    "with no --period: a copy `tonghop import` loads back (without the audit log)");
  command->add_option("--format", options->format, "csv or json")->check(CLI::IsMember({"csv", "json"}))->capture_default_str();
  command->add_option("--output", options->output, "write to this file (through FILE.part, renamed when complete) "
                      "instead of stdout");
  command->add_option("--page_figures", options->page_figures, "figures asked for per page; 0: the aggregator's "
                      "--query_export_page_figures")->check(CLI::Range(0, 100000))->capture_default_str();
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Examples:\n  tonghop export --period 2017-Q1 --format json --output 2017-q1.json\n"
                  "  tonghop export --stored --output figures.csv          # every figure stored, page by page");
  return command;
}

Status RunExport(const ExportOptions& options) {
  if (options.period.empty() && !options.stored) {
    return Status::InvalidArgument("--period is required: the period whose unit values to export (or --stored for "
                                   "the figures as stored, of every period)");
  }
  std::unique_ptr<OutputStream> out;
  TONGHOP_RETURN_IF_ERROR(OutputStream::Open(options.output, &out));
  DataValueSetWriter writer(options.format);
  TONGHOP_RETURN_IF_ERROR(out->Write(writer.Begin()));
  tonghop::v1::QueryRequest request;
  auto* page = request.mutable_export_figures();
  page->set_period(options.period);
  page->set_indicator_prefix(options.indicator);
  page->set_stored(options.stored);
  page->set_max_figures(static_cast<uint32_t>(options.page_figures));
  ExportProgress progress;
  uint64_t figures = 0;
  do {
    tonghop::v1::QueryReply reply;
    Status called;
    for (int attempt = 0; attempt < kPageAttempts; ++attempt) {
      called = CallAggregator(options.aggregator, request, &reply);
      if (!called.IsUnavailable()) break;
    }
    TONGHOP_RETURN_IF_ERROR(called);
    std::string text;
    for (const auto& figure : reply.export_figures().figures()) text += writer.Add(figure);
    TONGHOP_RETURN_IF_ERROR(out->Write(text));
    figures += reply.export_figures().figures_size();
    progress.Update(figures, false);
    page->set_page_token(reply.export_figures().next_page_token());
  } while (!page->page_token().empty());
  TONGHOP_RETURN_IF_ERROR(out->Write(writer.End()));
  progress.Update(figures, true);
  return out->Finish();
}

}  // namespace tonghop::cli
