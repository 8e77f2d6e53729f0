#include "cli/template.h"

#include <filesystem>
#include <map>

#include <fmt/format.h>
#include <xlsxwriter.h>

#include "cli/cli_catalog.h"
#include "cli/client_config.h"
#include "core/decimal.h"
#include "core/period.h"

namespace tonghop::cli {
namespace fs = std::filesystem;
namespace {

// Columns of the sheet; the figure columns carry the names the drop folder reads.
enum Column { kIndicatorColumn, kNameColumn, kUnitColumn, kPeriodColumn, kValueColumn, kReferenceColumn };
constexpr lxw_row_t kTitleRow = 0;
constexpr lxw_row_t kNoteRow = 1;
constexpr lxw_row_t kHeaderRow = 3;
// How long the template waits for the aggregator's previous figures before it writes without.
constexpr int kReferenceTimeoutMs = 3'000;

// The period of the same type just before `period`: 2016-Q4 for 2017-Q1, 2017-02 for 2017-03.
std::string PreviousPeriod(const Period& period) {
  const int index = period.index();
  const int year = period.year();
  switch (period.type()) {
    case Period::Type::kYear: return std::to_string(year - 1);
    case Period::Type::kHalfYear: return index > 1 ? fmt::format("{}-H{}", year, index - 1) : fmt::format("{}-H2", year - 1);
    case Period::Type::kQuarter: return index > 1 ? fmt::format("{}-Q{}", year, index - 1) : fmt::format("{}-Q4", year - 1);
    case Period::Type::kMonth: return index > 1 ? fmt::format("{}-{:02}", year, index - 1) : fmt::format("{}-12", year - 1);
  }
  return "";
}

// The unit's figures of `period` from the aggregator, indicator -> exact decimal text.
Status ReferenceFigures(const AggregatorLink& aggregator, const std::string& unit, const std::string& period,
                        std::map<std::string, std::string>* out) {
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period(period);
  request.mutable_values()->set_by_unit(true);
  tonghop::v1::QueryReply reply;
  AggregatorLink link = aggregator;
  link.timeout_ms = std::min(link.timeout_ms, kReferenceTimeoutMs);
  TONGHOP_RETURN_IF_ERROR(CallAggregator(link, request, &reply));
  for (const auto& figure : reply.values().figures()) {
    Decimal value;
    if (figure.reporting_unit() == unit && Decimal::FromDouble(figure.value(), &value).ok()) {
      (*out)[figure.indicator()] = value.ToString();
    }
  }
  return Status::OK();
}

}  // namespace

Status TemplateRows(const Catalog& catalog, const std::string& unit, const std::string& period_text,
                    std::vector<TemplateRow>* out) {
  out->clear();
  if (catalog.FindUnit(unit) == nullptr) {
    std::string units;
    for (const auto& u : catalog.units()) units += (units.empty() ? "" : ", ") + u.code;
    return Status::InvalidArgument(fmt::format("--unit: '{}' is not a unit of the catalog; it has {}", unit, units));
  }
  Period period;
  if (Status s = Period::Parse(period_text, &period); !s.ok()) return s.WithContext("--period");
  if (std::string why = catalog.ValidityRefusal(*catalog.FindUnit(unit), period); !why.empty()) {
    return Status::InvalidArgument("--unit: " + why);
  }
  for (const Indicator& indicator : catalog.indicators()) {
    if (!catalog.Expects(indicator, unit, period) || !(indicator.period_types & PeriodTypeBit(period.type()))) continue;
    out->push_back({&indicator, ""});
  }
  if (out->empty()) {
    return Status::InvalidArgument(fmt::format("the catalog expects nothing from '{}' for a period such as {}; choose "
                                               "another --period (a quarter, a month...)", unit, period_text));
  }
  return Status::OK();
}

Status WriteTemplate(const std::string& path, const Catalog& catalog, const std::string& unit,
                     const std::string& period, const std::string& reference_period,
                     const std::vector<TemplateRow>& rows, const std::string& note, Language language) {
  // Written beside the target under a hidden name, then renamed: a drop folder never sees half a
  // workbook.
  const fs::path target(path);
  const std::string part = (target.parent_path() / ("." + target.filename().string() + ".part")).string();
  lxw_workbook* workbook = workbook_new(part.c_str());
  if (workbook == nullptr) return Status::IOError(fmt::format("cannot write {}: check the folder exists and is writable", path));
  const std::string sheet_name = Text(language, Msg::kTemplateSheetName);
  lxw_worksheet* sheet = workbook_add_worksheet(workbook, sheet_name.c_str());

  lxw_format* title = workbook_add_format(workbook);
  format_set_bold(title);
  format_set_font_size(title, 13);
  lxw_format* header = workbook_add_format(workbook);
  format_set_bold(header);
  format_set_bg_color(header, 0xDDEBF7);
  format_set_border(header, LXW_BORDER_THIN);
  format_set_text_wrap(header);
  lxw_format* text = workbook_add_format(workbook);
  format_set_num_format(text, "@");  // the ids and periods stay text
  lxw_format* value = workbook_add_format(workbook);
  format_set_unlocked(value);  // the only cells an officer types into
  format_set_bg_color(value, 0xFFF2CC);
  format_set_border(value, LXW_BORDER_THIN);
  lxw_format* reference = workbook_add_format(workbook);
  format_set_font_color(reference, 0x595959);

  const ReportingUnit* reporting_unit = catalog.FindUnit(unit);
  worksheet_write_string(sheet, kTitleRow, 0,
                         Text(language, Msg::kTemplateTitle, reporting_unit->name, unit, period).c_str(), title);
  const std::string help = Text(language, Msg::kTemplateHelp, Text(language, Msg::kTemplateValue)) +
                           (note.empty() ? "" : " " + note);
  worksheet_write_string(sheet, kNoteRow, 0, help.c_str(), nullptr);

  const std::pair<Column, std::string> headings[] = {
      {kIndicatorColumn, Text(language, Msg::kTemplateIndicator)},
      {kNameColumn, Text(language, Msg::kTemplateName)},
      {kUnitColumn, Text(language, Msg::kTemplateUnit)},
      {kPeriodColumn, Text(language, Msg::kTemplatePeriod)},
      {kValueColumn, Text(language, Msg::kTemplateValue)},
      {kReferenceColumn, Text(language, Msg::kTemplateReference, reference_period)},
  };
  for (const auto& [column, name] : headings) worksheet_write_string(sheet, kHeaderRow, column, name.c_str(), header);
  lxw_row_t row = kHeaderRow + 1;
  for (const TemplateRow& r : rows) {
    worksheet_write_string(sheet, row, kIndicatorColumn, r.indicator->id.c_str(), text);
    worksheet_write_string(sheet, row, kNameColumn, r.indicator->name.c_str(), nullptr);
    worksheet_write_string(sheet, row, kUnitColumn, r.indicator->unit.c_str(), nullptr);
    worksheet_write_string(sheet, row, kPeriodColumn, period.c_str(), text);
    worksheet_write_blank(sheet, row, kValueColumn, value);
    Decimal figure;
    if (!r.reference.empty() && Decimal::Parse(r.reference, &figure).ok()) {
      worksheet_write_number(sheet, row, kReferenceColumn, figure.ToDouble(), reference);
    }
    ++row;
  }
  worksheet_set_column(sheet, kIndicatorColumn, kIndicatorColumn, 32, nullptr);
  worksheet_set_column(sheet, kNameColumn, kNameColumn, 48, nullptr);
  worksheet_set_column(sheet, kUnitColumn, kPeriodColumn, 12, nullptr);
  worksheet_set_column(sheet, kValueColumn, kReferenceColumn, 18, nullptr);
  worksheet_freeze_panes(sheet, kHeaderRow + 1, 0);
  lxw_protection protection{};
  protection.format_columns = 1;  // the officer may still widen a column
  worksheet_protect(sheet, nullptr, &protection);
  worksheet_activate(sheet);
  const lxw_error closed = workbook_close(workbook);
  std::error_code error;
  if (closed != LXW_NO_ERROR) {
    fs::remove(part, error);
    return Status::IOError(fmt::format("cannot write {}: {}", path, lxw_strerror(closed)));
  }
  fs::rename(part, target, error);
  if (error) return Status::IOError(fmt::format("cannot write {}: {}", path, error.message()));
  return Status::OK();
}

CLI::App* AddTemplateCommand(CLI::App& app, TemplateOptions* options) {
  CLI::App* command = app.add_subcommand(
      "template", "Write an Excel workbook (.xlsx) for a unit's figures of a period, ready to fill in and drop into "
                  "its collector's folder");
  command->add_option("--unit", options->unit, "the reporting unit's code, e.g. cao-loc")->required();
  command->add_option("--period", options->period, "the period: 2017-Q1, 2017-03, 2017-H1 or 2017")->required();
  command->add_option("--output", options->output, "the workbook to write (default: <unit>-<period>.xlsx here)");
  command->add_option("--catalog_dir", options->catalog_dir,
                      "the catalog (default: the configuration file's catalog_dir, else the local province's)");
  AddAggregatorFlags(command, &options->aggregator);
  command->footer(
      "Example:\n"
      "  tonghop template --unit cao-loc --period 2017-Q1 --output cao-loc-2017-q1.xlsx\n"
      "One row per indicator the catalog expects from the unit, with its Vietnamese name and unit; only the\n"
      "'Giá trị' cells can be typed into. The previous period's figures, when the aggregator answers the office's\n"
      "key, fill a reference column. Fill in the figures, save, and move the file into the collector's drop folder.");
  return command;
}

Status RunTemplate(const TemplateOptions& options) {
  const Language language = ChooseLanguage(ResolveLanguageCode(options.lang));
  Catalog catalog;
  TONGHOP_RETURN_IF_ERROR(LoadCliCatalog(options.catalog_dir, &catalog));
  std::vector<TemplateRow> rows;
  TONGHOP_RETURN_IF_ERROR(TemplateRows(catalog, options.unit, options.period, &rows));
  Period period;
  TONGHOP_RETURN_IF_ERROR(Period::Parse(options.period, &period));
  const std::string previous = PreviousPeriod(period);
  std::map<std::string, std::string> figures;
  std::string note;
  if (Status s = ReferenceFigures(options.aggregator, options.unit, previous, &figures); !s.ok()) {
    // The gist only: what to check is the business of the office commands' own messages.
    const std::string& why = s.message();
    note = Text(language, Msg::kTemplateNoReference, why.substr(0, std::min(why.find(": "), why.find("; "))));
  }
  for (TemplateRow& row : rows) {
    auto figure = figures.find(row.indicator->id);
    if (figure != figures.end()) row.reference = figure->second;
  }
  const std::string output = options.output.empty() ? fmt::format("{}-{}.xlsx", options.unit, options.period) : options.output;
  TONGHOP_RETURN_IF_ERROR(WriteTemplate(output, catalog, options.unit, options.period, previous, rows, note, language));
  fmt::print("{}\n", Text(language, Msg::kTemplateWritten, output, rows.size(), options.unit, options.period));
  if (!note.empty()) fmt::print("{}\n", note);
  return Status::OK();
}

}  // namespace tonghop::cli
