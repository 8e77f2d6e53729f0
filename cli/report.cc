#include "cli/report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/aggregator_client.h"
#include "cli/cli_catalog.h"
#include "cli/output.h"
#include "cli/vietnamese_format.h"
#include "cli/warning_text.h"
#include "core/clock.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

std::string GroupOf(const std::string& id) {
  size_t dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(0, dot);
}

// "I" for the first quarter.
const char* RomanQuarter(int index) {
  static const char* kRoman[] = {"I", "II", "III", "IV"};
  return kRoman[std::clamp(index, 1, 4) - 1];
}

// "quý I", "tháng 3": a sub-period of a derived value, as the report names it.
std::string SubPeriodNameVi(const std::string& text) {
  Period period;
  if (!Period::Parse(text, &period).ok()) return text;
  if (period.type() == Period::Type::kQuarter) return fmt::format("quý {}", RomanQuarter(period.index()));
  if (period.type() == Period::Type::kMonth) return fmt::format("tháng {}", period.index());
  return text;
}

// What a partial value is built of: the quarters (or months) it has, and who stands behind each,
// when some are not there yet; else how many units have reported, and which units' own figures
// are partial totals of the level below.
std::string PartialNoteVi(const Catalog& catalog, const tonghop::v1::AggregateUpdate& a) {
  std::vector<std::string> behind;
  for (const auto& sub : a.sub_periods()) {
    if (sub.units_with_figures() == 0) continue;
    behind.push_back(fmt::format("{}: {}/{} đơn vị đã báo cáo", SubPeriodNameVi(sub.period()), sub.units_reported(),
                                 a.units_expected()));
  }
  if (behind.size() < static_cast<size_t>(a.sub_periods_size())) {
    Period first;
    const bool months = Period::Parse(a.sub_periods(0).period(), &first).ok() && first.type() == Period::Type::kMonth;
    return fmt::format(" (số liệu chưa đầy đủ: mới có {}/{} {}; {})", behind.size(), a.sub_periods_size(),
                       months ? "tháng" : "quý", fmt::join(behind, "; "));
  }
  const std::string below = PartialBelowTextVi(&catalog, a);
  return fmt::format(" (số liệu chưa đầy đủ: {}/{} đơn vị đã báo cáo{}{})", a.units_reported(), a.units_expected(),
                     below.empty() ? "" : "; ", below);
}

// One indicator's clause; `full_change` says the change "so với cùng kỳ" in full. % of plan
// follows the year-to-date value it is made of ("lũy kế từ đầu năm") when that is not the value.
std::string Clause(const Catalog& catalog, const Indicator& indicator, const tonghop::v1::AggregateUpdate& a, bool lead,
                   bool* full_change) {
  std::string text;
  if (!indicator.report_vi.empty()) {
    text = indicator.report_vi;
    text.replace(text.find("{value}"), 7, ValueWithUnitVi(a));
    if (!lead) text = LowerFirstLetter(text);
  } else {
    text = lead ? indicator.name : LowerFirstLetter(indicator.name);
    text += lead ? (indicator.time_agg == TimeAggregation::kLast ? " ước có " : " ước đạt ") : " ";
    text += ValueWithUnitVi(a);
  }
  const std::optional<Decimal> ytd = YtdValueOf(a);
  if (ytd && ytd != ValueOf(a)) {
    text += fmt::format(", lũy kế từ đầu năm {} {}", FormatNumberVi(*ytd, 3), a.unit());
    if (a.ytd_units_reported() < a.units_expected()) {
      text += fmt::format(" ({}/{} đơn vị đủ số liệu)", a.ytd_units_reported(), a.units_expected());
    }
  }
  if (auto pct = PctOfPlanOf(a)) {
    text += fmt::format(", {} {} kế hoạch", lead ? "bằng" : "đạt", FormatPercentVi(*pct));
  }
  if (auto yoy = YoyPctOf(a)) {
    text += ", " + ChangePhraseVi(*yoy, *full_change);
    *full_change = false;
  }
  if (a.partial()) text += PartialNoteVi(catalog, a);
  return text;
}

std::string WarningsVi(const Catalog& catalog, const tonghop::v1::AggregateUpdate& a) {
  std::vector<std::string> notes;
  for (const auto& w : a.warnings()) notes.push_back(WarningTextVi(&catalog, a, w));
  if (notes.empty()) return "";
  return " (Cảnh báo: " + fmt::format("{}", fmt::join(notes, "; ")) + ")";
}

std::string HtmlEscape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// "quý I năm 2017", "tháng 3 năm 2017", "6 tháng đầu năm 2017", "năm 2017".
std::string PeriodNameVi(const Period& period) {
  switch (period.type()) {
    case Period::Type::kMonth: return fmt::format("tháng {} năm {}", period.index(), period.year());
    case Period::Type::kQuarter: return fmt::format("quý {} năm {}", RomanQuarter(period.index()), period.year());
    case Period::Type::kHalfYear:
      return period.index() == 1 ? fmt::format("6 tháng đầu năm {}", period.year())
                                 : fmt::format("6 tháng cuối năm {}", period.year());
    case Period::Type::kYear: return fmt::format("năm {}", period.year());
  }
  return period.ToString();
}

// The paragraphs of one sector, one sentence per indicator group, as plain text.
std::vector<std::string> SectorSentences(const Catalog& catalog, const std::string& sector,
                                         const std::vector<tonghop::v1::AggregateUpdate>& aggregates, bool draft) {
  std::map<std::string, const tonghop::v1::AggregateUpdate*> by_id;
  for (const auto& a : aggregates) by_id[a.indicator()] = &a;
  // Groups of consecutive catalog indicators sharing an id prefix, in catalog order.
  std::vector<std::vector<const Indicator*>> groups;
  for (const Indicator& indicator : catalog.indicators()) {
    if (indicator.sector != sector || !by_id.count(indicator.id)) continue;
    if (groups.empty() || GroupOf(groups.back().front()->id) != GroupOf(indicator.id)) groups.emplace_back();
    groups.back().push_back(&indicator);
  }
  std::vector<std::string> sentences;
  for (const auto& group : groups) {
    const Indicator* lead = group.front();
    const auto& lead_value = *by_id[lead->id];
    bool full = true;
    auto warnings = [&](const tonghop::v1::AggregateUpdate& value) {
      return draft ? WarningsVi(catalog, value) : std::string();
    };
    std::string sentence = Clause(catalog, *lead, lead_value, true, &full) + warnings(lead_value);
    std::vector<std::string> parts, siblings;
    bool parts_full = true;
    for (size_t i = 1; i < group.size(); ++i) {
      const auto& value = *by_id[group[i]->id];
      if (group[i]->part_of == lead->id) parts.push_back(Clause(catalog, *group[i], value, false, &parts_full) + warnings(value));
      else siblings.push_back(Clause(catalog, *group[i], value, false, &full) + warnings(value));
    }
    for (const auto& sibling : siblings) sentence += "; " + sibling;
    sentence += ".";
    if (!parts.empty()) sentence += fmt::format(" Trong đó: {}.", fmt::join(parts, "; "));
    sentences.push_back(std::move(sentence));
  }
  return sentences;
}

// A4 on paper: the margins of an official document, no colour that a printer would lose.
constexpr char kHtmlStyle[] = R"(<style>
body { font-family: "Times New Roman", serif; font-size: 13pt; line-height: 1.4; max-width: 48em; margin: 2em auto; }
header { text-align: center; margin-bottom: 1.5em; }
header .issuer { font-weight: bold; text-transform: uppercase; }
header .period, header .issued { font-style: italic; }
h2 { font-size: 14pt; text-align: center; }
h3 { font-size: 13pt; margin-top: 1.2em; }
p { text-align: justify; text-indent: 1.5em; margin: 0.4em 0; }
table { border-collapse: collapse; width: 100%; margin: 0.6em 0 1em; font-size: 11pt; }
th, td { border: 1px solid #000; padding: 2px 6px; vertical-align: top; }
th { background: #eee; }
td.number { text-align: right; white-space: nowrap; }
@page { size: A4; margin: 20mm 15mm 20mm 30mm; }
@media print {
  body { margin: 0; max-width: none; }
  h3 { break-after: avoid; }
  table, tr { break-inside: avoid; }
  th { background: none; }
}
</style>
)";

// One sector's figures as a table: indicator, value, unit, % of plan, change against last year.
std::string SectorTableHtml(const Catalog& catalog, const std::string& sector,
                            const std::vector<tonghop::v1::AggregateUpdate>& aggregates) {
  std::map<std::string, const tonghop::v1::AggregateUpdate*> by_id;
  for (const auto& a : aggregates) by_id[a.indicator()] = &a;
  std::string rows;
  for (const Indicator& indicator : catalog.indicators()) {
    auto it = by_id.find(indicator.id);
    if (indicator.sector != sector || it == by_id.end()) continue;
    const auto& a = *it->second;
    const std::optional<Decimal> value = ValueOf(a);
    const std::optional<Decimal> pct = PctOfPlanOf(a), yoy = YoyPctOf(a);
    rows += fmt::format(
        "<tr><td>{}</td><td class=\"number\">{}</td><td>{}</td><td class=\"number\">{}</td>"
        "<td class=\"number\">{}</td></tr>\n",
        HtmlEscape(indicator.name), HtmlEscape(value ? FormatNumberVi(*value, 3) : ValueText(a)), HtmlEscape(a.unit()),
        pct ? FormatPercentVi(*pct) : "", yoy ? FormatPercentVi(*yoy) : "");
  }
  return "<table>\n<tr><th>Chỉ tiêu</th><th>Ước thực hiện</th><th>Đơn vị tính</th><th>So với kế hoạch</th>"
         "<th>So với cùng kỳ</th></tr>\n" +
         rows + "</table>\n";
}

}  // namespace

std::string WriteReport(const Catalog& catalog, const std::string& period_text,
                        const std::vector<tonghop::v1::AggregateUpdate>& aggregates, const std::string& format,
                        bool draft) {
  Period period;
  std::string period_name = Period::Parse(period_text, &period).ok() ? PeriodNameVi(period) : period_text;
  const bool html = format == "html", md = format == "md";
  std::string out;
  std::string title = "II. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN " + period_name;
  if (html) {
    out += "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>" + HtmlEscape(title) +
           "</title>\n" + kHtmlStyle + "</head><body>\n";
    out += fmt::format(
        "<header>\n<div class=\"issuer\">Ủy ban nhân dân tỉnh</div>\n<div class=\"kind\">BÁO CÁO{}</div>\n"
        "<div class=\"period\">Tình hình thực hiện kế hoạch phát triển kinh tế - xã hội {}</div>\n"
        "<div class=\"issued\">Số liệu tổng hợp ngày {}</div>\n</header>\n<h2>{}</h2>\n",
        draft ? " (DỰ THẢO)" : "", HtmlEscape(period_name), LocalDateVi(NowMs()), HtmlEscape(title));
  } else if (md) {
    out += "## " + title + "\n\n";
  } else {
    out += title + "\n\n";
  }
  std::vector<std::string> sectors;
  for (const Indicator& indicator : catalog.indicators()) {
    if (std::find(sectors.begin(), sectors.end(), indicator.sector) == sectors.end()) sectors.push_back(indicator.sector);
  }
  int number = 0;
  for (const std::string& sector : sectors) {
    std::vector<std::string> sentences = SectorSentences(catalog, sector, aggregates, draft);
    if (sentences.empty()) continue;
    std::string heading = fmt::format("{}. {}", ++number, catalog.SectorTitle(sector));
    if (html) {
      out += "<h3>" + HtmlEscape(heading) + "</h3>\n";
      for (const auto& s : sentences) out += "<p>" + HtmlEscape(s) + "</p>\n";
      out += SectorTableHtml(catalog, sector, aggregates);
    } else {
      out += (md ? "### " : "") + heading + "\n\n";
      for (const auto& s : sentences) out += s + "\n\n";
    }
  }
  if (number == 0) out += html ? "<p>Chưa có số liệu của kỳ này.</p>\n" : "Chưa có số liệu của kỳ này.\n";
  if (html) out += "</body></html>\n";
  return out;
}

CLI::App* AddReportCommand(CLI::App& app, ReportOptions* options) {
  CLI::App* command = app.add_subcommand(
      "report", "Write section II of the period's report (Vietnamese), sector by sector, from the current province values");
  command->add_option("--period", options->period, "period, e.g. 2017-Q1, 2017-03, 2017-H1, 2017")->required();
  command->add_option("--format", options->format, "md, html or txt")->check(CLI::IsMember({"md", "html", "txt"}))->capture_default_str();
  command->add_option("--output", options->output, "write to this file instead of stdout");
  command->add_flag("--draft", options->draft,
                    "A draft for checking: each value that breaks a validation rule is followed by the warning "
                    "(Cảnh báo: ...); the official text, without --draft, has none");
  command->add_option("--catalog_dir", options->catalog_dir, "catalog for names and structure (default: the configuration file's catalog_dir, else the local province's deploy/lang-son)");
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Example: tonghop report --period 2017-Q1 --format html --output quy1-2017.html");
  return command;
}

Status RunReport(const ReportOptions& options) {
  Catalog catalog;
  TONGHOP_RETURN_IF_ERROR(LoadCliCatalog(options.catalog_dir, &catalog));
  tonghop::v1::QueryRequest request;
  request.mutable_values()->set_period(options.period);
  tonghop::v1::QueryReply reply;
  TONGHOP_RETURN_IF_ERROR(CallAggregator(options.aggregator, request, &reply));
  std::vector<tonghop::v1::AggregateUpdate> aggregates(reply.values().aggregates().begin(), reply.values().aggregates().end());
  return WriteOutput(WriteReport(catalog, options.period, aggregates, options.format, options.draft), options.output);
}

}  // namespace tonghop::cli
