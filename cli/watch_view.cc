#include "cli/watch_view.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include <fmt/format.h>

#include "cli/warning_text.h"
#include "core/clock.h"
#include "core/decimal.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

constexpr size_t kMaxNameWidth = 40;
constexpr int64_t kQuietBeforeHintMs = 3'000;

bool IsContinuationByte(unsigned char c) { return (c & 0xC0) == 0x80; }

// Combining diacritical marks U+0300..U+036F: UTF-8 0xCC 0x80 .. 0xCD 0xAF.
bool IsCombiningMark(std::string_view text, size_t i) {
  auto b0 = static_cast<unsigned char>(text[i]);
  if (i + 1 >= text.size()) return false;
  auto b1 = static_cast<unsigned char>(text[i + 1]);
  return (b0 == 0xCC && b1 >= 0x80) || (b0 == 0xCD && b1 <= 0xAF);
}

// Cuts `text` to at most `width` columns, ending in "…" when something was cut.
std::string Fit(std::string_view text, size_t width) {
  if (width == std::string::npos || DisplayWidth(text) <= width) return std::string(text);
  if (width == 0) return "";
  std::string out;
  size_t used = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    bool takes_column = !IsContinuationByte(c) && !IsCombiningMark(text, i);
    if (takes_column && used == width - 1) break;
    if (takes_column) ++used;
    out += text[i];
  }
  return out + "…";
}

std::string PadRight(std::string_view text, size_t width) {
  std::string out = Fit(text, width);
  out.append(width - DisplayWidth(out), ' ');
  return out;
}

std::string PadLeft(std::string_view text, size_t width) {
  std::string fitted = Fit(text, width);
  return std::string(width - DisplayWidth(fitted), ' ') + fitted;
}

// Rounded half to even to one decimal, which is always written: "22.6", "-2.6", "134.0".
std::string OneDecimal(Decimal value) {
  std::string text = value.Rounded(1).ToString();
  if (text.find('.') == std::string::npos) text += ".0";
  return text;
}

struct Row {
  std::string indent_id, name, period, value, unit, ytd, plan, yoy, units;
};

}  // namespace

std::string_view SectorOf(std::string_view indicator) {
  return indicator.substr(0, indicator.find('.'));
}

// Values off the network may be NaN or huge; ValueText shows them as they came rather than fail.
std::string ValueCell(const tonghop::v1::AggregateUpdate& update) { return ValueText(update); }

std::string YtdCell(const tonghop::v1::AggregateUpdate& update) {
  const std::optional<Decimal> ytd = YtdValueOf(update);
  if (!ytd || ytd == ValueOf(update)) return "";
  return ytd->ToString() + (update.ytd_units_reported() < update.units_expected() ? "*" : "");
}

std::string PlanCell(const tonghop::v1::AggregateUpdate& update) {
  const std::optional<Decimal> pct = PctOfPlanOf(update);
  if (!pct) return "-";
  return OneDecimal(*pct) + "%";
}

std::string YoyCell(const tonghop::v1::AggregateUpdate& update) { return ChangeCell(YoyPctOf(update)); }

std::string ChangeCell(const std::optional<Decimal>& yoy) {
  if (!yoy) return "-";
  const std::string text = OneDecimal(*yoy);
  // -0.04 rounds to no change; "-0.0%" would suggest a fall that is not there.
  if (text == "0.0" || text == "-0.0") return "0.0%";
  return (yoy->negative() ? "" : "+") + text + "%";
}

std::string ShortPeriod(std::string_view period) {
  size_t dash = period.find('-');
  return std::string(dash == std::string_view::npos ? period : period.substr(dash + 1));
}

std::string UnitsCell(const tonghop::v1::AggregateUpdate& update) {
  size_t present = 0;
  std::string behind;
  for (const auto& sub : update.sub_periods()) {
    if (sub.units_with_figures() == 0) continue;
    ++present;
    behind += fmt::format("{}{} {}/{}", behind.empty() ? "" : ", ", ShortPeriod(sub.period()), sub.units_reported(),
                          update.units_expected());
  }
  if (present < static_cast<size_t>(update.sub_periods_size())) {
    const bool months = ShortPeriod(update.sub_periods(0).period()).find('Q') == std::string::npos;
    return fmt::format("{}/{} {}: {}", present, update.sub_periods_size(), months ? "tháng" : "quý", behind);
  }
  // A derived period is partial also while a unit lacks one of its months.
  bool partial = update.partial() || update.units_reported() < update.units_expected();
  return fmt::format("{}/{}{}", update.units_reported(), update.units_expected(), partial ? "*" : "");
}

size_t DisplayWidth(std::string_view text) {
  size_t width = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (!IsContinuationByte(static_cast<unsigned char>(text[i])) && !IsCombiningMark(text, i)) ++width;
  }
  return width;
}

TableLines LayOutAggregateTable(const AggregateTable& table, const Catalog* catalog, const TableLayout& layout) {
  TableLines out;
  const bool fit = layout.width > 0;
  const auto column = [&](Msg title) { return std::string(MessagePattern(layout.language, title)); };
  const Row header{column(Msg::kWatchColumnIndicator), column(Msg::kWatchColumnName), column(Msg::kWatchColumnPeriod),
                   column(Msg::kWatchColumnValue),     column(Msg::kWatchColumnUnit), column(Msg::kWatchColumnYtd),
                   column(Msg::kWatchColumnPlan),      column(Msg::kWatchColumnChange),
                   column(Msg::kWatchColumnUnits)};
  std::vector<std::pair<std::string, Row>> rows;  // (sector title or "", row)
  std::vector<std::vector<std::string>> warnings;  // per row: its validation warnings, one line each
  std::string_view current_sector;
  bool first = true;
  for (const auto& [key, update] : table.entries()) {
    if (!layout.period.empty() && update.period() != layout.period) continue;
    if (update.derived() && !layout.show_derived && layout.period.empty()) continue;
    const Indicator* indicator = catalog ? catalog->FindIndicator(update.indicator()) : nullptr;
    std::string_view sector = SectorOf(update.indicator());
    std::string title;
    if (first || sector != current_sector) {
      title = std::string(sector);
      if (indicator && !indicator->sector.empty() && indicator->sector != sector) {
        title += " (" + indicator->sector + ")";
      }
      current_sector = sector;
      first = false;
    }
    // On a terminal the name says what the row is; the id only when there is no name.
    std::string label = fit && indicator && !indicator->name.empty() ? indicator->name : update.indicator();
    rows.emplace_back(std::move(title),
                      Row{"  " + label, indicator && !fit ? indicator->name : "", update.period(), ValueCell(update),
                          update.unit(), YtdCell(update), PlanCell(update), YoyCell(update), UnitsCell(update)});
    std::vector<std::string> notes;
    for (const auto& warning : update.warnings()) {
      notes.push_back("      ! " + (layout.language == Language::kEnglish
                                        ? warning.rule() + ": " + warning.text()
                                        : WarningTextVi(catalog, update, warning)));
    }
    // A total of the level below that is itself partial (a relayed province): who is missing.
    if (!update.partial_reason().empty()) {
      notes.push_back(layout.language == Language::kEnglish ? "      ~ partial: " + update.partial_reason()
                                                           : "      ~ chưa đủ: " + PartialBelowTextVi(catalog, update));
    }
    warnings.push_back(std::move(notes));
  }
  if (rows.empty()) {
    const Msg why = table.size() == 0 ? Msg::kWatchNoAggregates : Msg::kWatchOnlyDerived;
    out.lines.push_back(FitToWidth(Text(layout.language, why), fit ? layout.width : std::string::npos));
    out.sector_title.push_back(0);
    return out;
  }

  std::vector<size_t> widths(9, 0);
  bool any_ytd = false;  // the YTD column is shown only when some row's year-to-date is not its value
  auto widen = [&](const Row& row) {
    const std::string* cells[] = {&row.indent_id, &row.name, &row.period, &row.value, &row.unit,
                                  &row.ytd,       &row.plan, &row.yoy,    &row.units};
    for (size_t c = 0; c < 9; ++c) widths[c] = std::max(widths[c], DisplayWidth(*cells[c]));
  };
  widen(header);
  for (const auto& [title, row] : rows) {
    widen(row);
    any_ytd = any_ytd || !row.ytd.empty();
  }
  any_ytd = any_ytd && (layout.show_derived || !fit);
  const bool names = catalog && !fit;
  widths[1] = names ? std::min(widths[1], kMaxNameWidth) : 0;
  if (fit) {
    // The figures keep their widths; the label column takes what is left, at least a few letters.
    size_t figures = 2 + widths[2] + 2 + widths[3] + 1 + widths[4] + (any_ytd ? 2 + widths[5] : 0) + 2 + widths[6] +
                     2 + widths[7] + 2 + widths[8];
    constexpr size_t kMinLabelWidth = 12;
    widths[0] = std::min(widths[0], std::max(kMinLabelWidth, layout.width > figures ? layout.width - figures : 0));
  }

  auto line = [&](const Row& row) {
    std::string text = PadRight(row.indent_id, widths[0]);
    if (names) text += "  " + PadRight(row.name, widths[1]);
    text += "  " + PadRight(row.period, widths[2]);
    text += "  " + PadLeft(row.value, widths[3]);
    text += " " + PadRight(row.unit, widths[4]);
    if (any_ytd) text += "  " + PadLeft(row.ytd, widths[5]);
    text += "  " + PadLeft(row.plan, widths[6]);
    text += "  " + PadLeft(row.yoy, widths[7]);
    text += "  " + PadLeft(row.units, widths[8]);
    text.erase(text.find_last_not_of(' ') + 1);
    return text;
  };
  const size_t limit = fit ? layout.width : std::string::npos;
  out.header = FitToWidth(line(header), limit);
  size_t title_index = 0;
  for (size_t i = 0; i < rows.size(); ++i) {
    if (!rows[i].first.empty()) {
      title_index = out.lines.size();
      out.lines.push_back(FitToWidth(rows[i].first, limit));
      out.sector_title.push_back(title_index);
    }
    out.lines.push_back(FitToWidth(line(rows[i].second), limit));
    out.sector_title.push_back(title_index);
    for (const std::string& note : warnings[i]) {
      out.lines.push_back(FitToWidth(note, limit));
      out.sector_title.push_back(title_index);
    }
  }
  return out;
}

std::string FormatAggregateTable(const AggregateTable& table, const Catalog* catalog, const TableLayout& layout) {
  TableLines laid_out = LayOutAggregateTable(table, catalog, layout);
  std::string out = laid_out.header.empty() ? "" : laid_out.header + "\n";
  for (const std::string& line : laid_out.lines) out += line + "\n";
  return out;
}

std::string FitToWidth(std::string_view text, size_t width) { return Fit(text, width); }

FeedState ShownFeedState(FeedState actual, bool was_live, int64_t resyncing_since_ms, int64_t now_ms) {
  if (actual == FeedState::kResyncing && was_live && now_ms - resyncing_since_ms < kResyncShownAfterMs) {
    return FeedState::kLive;
  }
  return actual;
}

std::string FormatStatusLine(const WatchStatus& status, Language language, size_t width) {
  const int64_t waiting_s = std::max<int64_t>(0, (status.now_ms - status.waiting_since_ms) / 1000);
  std::string state;
  switch (status.state) {
    case FeedState::kPublisherUnreachable:
      state = Text(language, Msg::kWatchPublisherUnreachable, status.snapshot_endpoint, waiting_s);
      break;
    case FeedState::kAggregatorUnreachable:
      state = Text(language, Msg::kWatchAggregatorUnreachable, waiting_s);
      break;
    case FeedState::kResyncing: state = Text(language, Msg::kWatchResyncing); break;
    case FeedState::kLive: state = Text(language, Msg::kWatchLive); break;
  }
  std::string out = state + " | " + Text(language, Msg::kWatchCounts, status.seq, status.aggregates) + " | ";
  if (status.last_change_ms == 0) {
    out += Text(language, Msg::kWatchNoUpdateYet);
  } else {
    const int64_t ago_s = std::max<int64_t>(0, (status.now_ms - status.last_change_ms) / 1000);
    const std::string when = Text(language, Msg::kStatusAgo, LocalClock(status.last_change_ms), ago_s);
    out += Text(language, Msg::kWatchLastUpdate, when);
  }
  if (width > 0) return Fit(out, width);
  if (status.state == FeedState::kResyncing && status.now_ms - status.waiting_since_ms > kQuietBeforeHintMs) {
    out += "\n" + Text(language, Msg::kWatchNoSnapshot, status.snapshot_endpoint, waiting_s);
  }
  return out;
}

}  // namespace tonghop::cli
