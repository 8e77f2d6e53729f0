#include "cli/report.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "cli/aggregator_client.h"
#include "cli/cli_catalog.h"
#include "cli/output.h"
#include "cli/vietnamese_format.h"

namespace tonghop::cli {
namespace {

// The report's sector headings; a sector not listed is titled by its code.
const std::map<std::string, std::string>& SectorTitles() {
  static const std::map<std::string, std::string> titles = {
      {"agriculture", "Sản xuất nông nghiệp"},
      {"forestry", "Lâm nghiệp"},
      {"rural", "Xây dựng nông thôn mới"},
      {"industry", "Sản xuất công nghiệp"},
      {"trade", "Hoạt động thương mại, dịch vụ"},
      {"tourism", "Du lịch"},
      {"transport", "Vận tải"},
      {"investment", "Hoạt động đầu tư xây dựng kết cấu hạ tầng"},
      {"enterprise", "Phát triển doanh nghiệp, hợp tác xã"},
      {"budget", "Thu, chi ngân sách"},
      {"credit", "Hoạt động tín dụng, ngân hàng"},
      {"education", "Giáo dục và đào tạo"},
      {"health", "Y tế"},
      {"inspection", "Thanh tra, giải quyết khiếu nại tố cáo"},
      {"security", "Quốc phòng, an ninh, trật tự an toàn xã hội"},
  };
  return titles;
}

std::string GroupOf(const std::string& id) {
  size_t dot = id.rfind('.');
  return dot == std::string::npos ? id : id.substr(0, dot);
}

std::string Value(const tonghop::v1::AggregateUpdate& a) { return FormatNumberVi(a.value(), 3) + " " + a.unit(); }

// One indicator's clause; `full_change` says the change "so với cùng kỳ" in full.
std::string Clause(const Indicator& indicator, const tonghop::v1::AggregateUpdate& a, bool lead, bool* full_change) {
  std::string text = lead ? indicator.name : LowerFirstLetter(indicator.name);
  text += lead ? (indicator.time_agg == TimeAggregation::kLast ? " ước có " : " ước đạt ") : " ";
  text += Value(a);
  if (a.has_pct_of_plan()) {
    text += fmt::format(", {} {}% kế hoạch", lead ? "bằng" : "đạt", FormatNumberVi(a.pct_of_plan(), 2));
  }
  if (a.has_yoy_pct()) {
    text += ", " + ChangePhraseVi(a.yoy_pct(), *full_change);
    *full_change = false;
  }
  if (a.partial()) {
    text += fmt::format(" (số liệu chưa đầy đủ: {}/{} đơn vị đã báo cáo)", a.units_reported(), a.units_expected());
  }
  return text;
}

std::string WarningsVi(const Catalog& catalog, const tonghop::v1::AggregateUpdate& a,
                       const std::map<std::string, const tonghop::v1::AggregateUpdate*>& by_id) {
  std::vector<std::string> notes;
  for (const auto& w : a.warnings()) {
    if (w.rule() == "parts_sum") {
      double parts = 0;
      for (const std::string& part : w.units()) {
        if (auto it = by_id.find(part); it != by_id.end()) parts += it->second->value();
      }
      const Indicator* total = catalog.FindIndicator(a.indicator());
      bool equal_rule = total == nullptr || total->parts_rule == PartsRule::kEqual;
      notes.push_back(fmt::format("các thành phần cộng lại được {} {}, {} tổng số {}", FormatNumberVi(parts, 3), a.unit(),
                                  equal_rule ? "không khớp với" : "vượt", Value(a)));
    } else if (w.rule() == "min_max") {
      std::vector<std::string> names;
      for (const std::string& code : w.units()) {
        const ReportingUnit* unit = catalog.FindUnit(code);
        names.push_back(unit ? unit->name : code);
      }
      notes.push_back(fmt::format("số liệu của {} nằm ngoài khoảng giá trị cho phép", fmt::join(names, ", ")));
    } else if (w.rule() == "yoy_change") {
      notes.push_back("mức thay đổi so với cùng kỳ vượt ngưỡng kiểm tra, cần xác minh lại");
    } else {
      notes.push_back(w.text());
    }
  }
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
  static const char* kRoman[] = {"I", "II", "III", "IV"};
  switch (period.type()) {
    case Period::Type::kMonth: return fmt::format("tháng {} năm {}", period.index(), period.year());
    case Period::Type::kQuarter: return fmt::format("quý {} năm {}", kRoman[period.index() - 1], period.year());
    case Period::Type::kHalfYear:
      return period.index() == 1 ? fmt::format("6 tháng đầu năm {}", period.year())
                                 : fmt::format("6 tháng cuối năm {}", period.year());
    case Period::Type::kYear: return fmt::format("năm {}", period.year());
  }
  return period.ToString();
}

// The paragraphs of one sector, one sentence per indicator group, as plain text.
std::vector<std::string> SectorSentences(const Catalog& catalog, const std::string& sector,
                                         const std::vector<tonghop::v1::AggregateUpdate>& aggregates) {
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
    std::string sentence = Clause(*lead, lead_value, true, &full) + WarningsVi(catalog, lead_value, by_id);
    std::vector<std::string> parts, siblings;
    bool parts_full = true;
    for (size_t i = 1; i < group.size(); ++i) {
      const auto& value = *by_id[group[i]->id];
      if (group[i]->part_of == lead->id) parts.push_back(Clause(*group[i], value, false, &parts_full) + WarningsVi(catalog, value, by_id));
      else siblings.push_back(Clause(*group[i], value, false, &full) + WarningsVi(catalog, value, by_id));
    }
    for (const auto& sibling : siblings) sentence += "; " + sibling;
    sentence += ".";
    if (!parts.empty()) sentence += fmt::format(" Trong đó: {}.", fmt::join(parts, "; "));
    sentences.push_back(std::move(sentence));
  }
  return sentences;
}

}  // namespace

std::string SectorTitle(const std::string& sector) {
  auto it = SectorTitles().find(sector);
  return it == SectorTitles().end() ? sector : it->second;
}

std::string WriteReport(const Catalog& catalog, const std::string& period_text,
                        const std::vector<tonghop::v1::AggregateUpdate>& aggregates, const std::string& format) {
  Period period;
  std::string period_name = Period::Parse(period_text, &period).ok() ? PeriodNameVi(period) : period_text;
  const bool html = format == "html", md = format == "md";
  std::string out;
  std::string title = "II. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN " + period_name;
  if (html) out += "<!DOCTYPE html>\n<html lang=\"vi\"><head><meta charset=\"utf-8\"><title>" + HtmlEscape(title) + "</title></head><body>\n<h2>" + HtmlEscape(title) + "</h2>\n";
  else if (md) out += "## " + title + "\n\n";
  else out += title + "\n\n";
  std::vector<std::string> sectors;
  for (const Indicator& indicator : catalog.indicators()) {
    if (std::find(sectors.begin(), sectors.end(), indicator.sector) == sectors.end()) sectors.push_back(indicator.sector);
  }
  int number = 0;
  for (const std::string& sector : sectors) {
    std::vector<std::string> sentences = SectorSentences(catalog, sector, aggregates);
    if (sentences.empty()) continue;
    std::string heading = fmt::format("{}. {}", ++number, SectorTitle(sector));
    if (html) {
      out += "<h3>" + HtmlEscape(heading) + "</h3>\n";
      for (const auto& s : sentences) out += "<p>" + HtmlEscape(s) + "</p>\n";
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
  return WriteOutput(WriteReport(catalog, options.period, aggregates, options.format), options.output);
}

}  // namespace tonghop::cli
