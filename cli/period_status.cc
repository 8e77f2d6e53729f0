#include "cli/period_status.h"

#include <algorithm>
#include <sys/ioctl.h>
#include <unistd.h>
#include <map>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "cli/aggregator_client.h"
#include "cli/cli_catalog.h"
#include "cli/watch_view.h"

namespace tonghop::cli {
namespace {

// `text` broken at spaces into lines of at most `width` columns, each starting with `indent`.
std::string Wrap(const std::string& text, size_t width, const std::string& indent = "") {
  std::string out, line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(start, end - start);
    if (!line.empty() && DisplayWidth(indent + line) + 1 + DisplayWidth(word) > width) {
      out += indent + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    start = end + 1;
  }
  return out + indent + line + "\n";
}

// Under the matrix: why totals are partial when the level below says (a province relayed to the
// nation while some of its units are missing), each reason once with the indicators it concerns.
std::string PartialTotalsFromBelow(const tonghop::v1::StatusReply& status, size_t width) {
  std::vector<std::pair<std::string, std::vector<std::string>>> reasons;  // in the reply's order
  for (const auto& total : status.partial_totals()) {
    auto it = std::find_if(reasons.begin(), reasons.end(), [&](const auto& r) { return r.first == total.reason(); });
    if (it == reasons.end()) it = reasons.insert(reasons.end(), {total.reason(), {}});
    it->second.push_back(total.indicator());
  }
  if (reasons.empty()) return "";
  std::string out = "\n" + Wrap("totals partial because a unit's figure is itself a partial total of the level below:",
                                width);
  for (const auto& [reason, indicators] : reasons) {
    out += Wrap("~ partial: " + reason, width);
    out += Wrap(fmt::format("{}", fmt::join(indicators, ", ")), width, "  ");
  }
  return out;
}

// The terminal's width, or 80 when stdout is not a terminal.
size_t OutputWidth() {
  winsize size{};
  if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
  return 80;
}

}  // namespace

std::string FormatStatusMatrix(const tonghop::v1::StatusReply& status, const Catalog* catalog, size_t width) {
  width = std::max<size_t>(width, 40);
  std::vector<std::string> sectors, units;
  std::map<std::pair<std::string, std::string>, const tonghop::v1::StatusCell*> cells;
  for (const auto& cell : status.cells()) {
    if (std::find(sectors.begin(), sectors.end(), cell.sector()) == sectors.end()) sectors.push_back(cell.sector());
    if (std::find(units.begin(), units.end(), cell.reporting_unit()) == units.end()) units.push_back(cell.reporting_unit());
    cells[{cell.reporting_unit(), cell.sector()}] = &cell;
  }
  std::sort(sectors.begin(), sectors.end());
  uint32_t expected = 0, reported = 0, late = 0, overdue = 0, not_due = 0;
  std::vector<std::vector<std::string>> rows;
  rows.push_back({"unit"});
  for (const auto& sector : sectors) rows[0].push_back(sector);
  for (const auto& unit : units) {
    const ReportingUnit* known = catalog ? catalog->FindUnit(unit) : nullptr;
    std::vector<std::string> row = {known ? known->name : unit};
    for (const auto& sector : sectors) {
      auto it = cells.find({unit, sector});
      if (it == cells.end()) {
        row.push_back("-");
        continue;
      }
      const auto& c = *it->second;
      expected += c.expected();
      reported += c.reported();
      late += c.late();
      overdue += c.overdue();
      not_due += c.reported_not_due();
      std::string text = c.expected() ? fmt::format("{}/{}", c.reported(), c.expected()) : "-";
      if (c.late()) text += fmt::format(" L{}", c.late());
      if (c.overdue()) text += fmt::format(" O{}", c.overdue());
      if (c.reported_not_due()) text += fmt::format(" +{}", c.reported_not_due());
      row.push_back(text);
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out = Wrap(fmt::format("period {}: {}/{} figures reported, {} late, {} missing ({} of them overdue)",
                                     status.period(), reported, expected, late, expected - reported, overdue),
                         width);
  if (not_due > 0) {
    out += Wrap(fmt::format("{} more figures reported that are not due for a period this short", not_due), width);
  }
  if (expected == 0) {
    out += Wrap("no indicator is due for a period this short: each is due for its longest period type (a quarter "
                "for month|quarter) and the periods made of it",
                width);
  }
  // Blocks of sector columns, each as many as fit beside the unit names.
  constexpr size_t kGap = 2;
  const size_t unit_width = std::min(widths[0], width / 3);
  for (size_t first = 1; first < widths.size();) {
    size_t last = first, used = unit_width;
    while (last < widths.size() && (last == first || used + kGap + widths[last] <= width)) used += kGap + widths[last++];
    out += "\n";
    for (const auto& row : rows) {
      std::string line = FitToWidth(row[0], unit_width);
      line += std::string(unit_width - DisplayWidth(line), ' ');
      for (size_t i = first; i < last; ++i) {
        line += std::string(kGap, ' ') + row[i] + std::string(widths[i] - DisplayWidth(row[i]), ' ');
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out += FitToWidth(line, width) + "\n";
    }
    first = last;
  }
  out += "\n" + Wrap("cells: reported/expected indicators; LN = N reported after the deadline (late); ON = N "
                     "missing past the deadline (overdue); +N = N reported, not due",
                     width);
  return out + PartialTotalsFromBelow(status, width);
}

CLI::App* AddPeriodStatusCommand(CLI::App& app, PeriodStatusOptions* options) {
  CLI::App* command = app.add_subcommand("status", "Show who has reported a period, who is late and who is missing, "
                                                   "as a matrix of units × sectors");
  command->add_option("--period", options->period, "period, e.g. 2017-Q1 or 2017-03")->required();
  command->add_flag("--json", options->json, "print the cells, and the totals partial because of the level below, as JSON");
  command->add_option("--catalog_dir", options->catalog_dir, "catalog for unit names (default: the configuration file's catalog_dir, else the local province's deploy/lang-son)");
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Example: tonghop status --period 2017-Q1");
  return command;
}

Status RunPeriodStatus(const PeriodStatusOptions& options) {
  tonghop::v1::QueryRequest request;
  request.mutable_status()->set_period(options.period);
  tonghop::v1::QueryReply reply;
  TONGHOP_RETURN_IF_ERROR(CallAggregator(options.aggregator, request, &reply));
  if (options.json) {
    nlohmann::ordered_json cells = nlohmann::ordered_json::array();
    for (const auto& c : reply.status().cells()) {
      cells.push_back({{"reporting_unit", c.reporting_unit()}, {"sector", c.sector()}, {"expected", c.expected()},
                       {"reported", c.reported()}, {"late", c.late()}, {"overdue", c.overdue()},
                       {"reported_not_due", c.reported_not_due()}});
    }
    nlohmann::ordered_json partial_totals = nlohmann::ordered_json::array();
    for (const auto& total : reply.status().partial_totals()) {
      partial_totals.push_back({{"indicator", total.indicator()}, {"reason", total.reason()}});
    }
    fmt::print("{}\n", nlohmann::ordered_json({{"period", reply.status().period()},
                                               {"cells", std::move(cells)},
                                               {"partial_totals", std::move(partial_totals)}})
                           .dump());
    return Status::OK();
  }
  Catalog catalog;
  bool named = LoadCliCatalog(options.catalog_dir, &catalog).ok();
  fmt::print("{}", FormatStatusMatrix(reply.status(), named ? &catalog : nullptr, OutputWidth()));
  return Status::OK();
}

}  // namespace tonghop::cli
