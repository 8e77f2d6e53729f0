#include "cli/period_status.h"

#include <algorithm>
#include <map>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/aggregator_client.h"
#include "cli/cli_catalog.h"
#include "cli/watch_view.h"

namespace tonghop::cli {
namespace {

std::string Pad(const std::string& text, size_t width) {
  size_t shown = DisplayWidth(text);
  return text + std::string(shown < width ? width - shown : 0, ' ');
}

// The matrix; `catalog` (may be null) gives unit names and the sector order.
std::string FormatStatusMatrix(const tonghop::v1::StatusReply& status, const Catalog* catalog) {
  std::vector<std::string> sectors, units;
  std::map<std::pair<std::string, std::string>, const tonghop::v1::StatusCell*> cells;
  for (const auto& cell : status.cells()) {
    if (std::find(sectors.begin(), sectors.end(), cell.sector()) == sectors.end()) sectors.push_back(cell.sector());
    if (std::find(units.begin(), units.end(), cell.reporting_unit()) == units.end()) units.push_back(cell.reporting_unit());
    cells[{cell.reporting_unit(), cell.sector()}] = &cell;
  }
  std::sort(sectors.begin(), sectors.end());
  uint32_t expected = 0, reported = 0, late = 0, overdue = 0;
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
      std::string text = fmt::format("{}/{}", c.reported(), c.expected());
      if (c.late()) text += fmt::format(" late {}", c.late());
      if (c.overdue()) text += fmt::format(" overdue {}", c.overdue());
      row.push_back(text);
    }
    rows.push_back(std::move(row));
  }
  std::vector<size_t> widths(rows[0].size(), 0);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], DisplayWidth(row[i]));
  }
  std::string out = fmt::format("period {}: {}/{} figures reported, {} late, {} missing ({} of them overdue)\n\n",
                                status.period(), reported, expected, late, expected - reported, overdue);
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) out += Pad(row[i], widths[i] + 2);
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  out += "\ncells: reported/expected indicators; late = after the deadline; overdue = missing past the deadline\n";
  return out;
}

}  // namespace

CLI::App* AddPeriodStatusCommand(CLI::App& app, PeriodStatusOptions* options) {
  CLI::App* command = app.add_subcommand("status", "Show who has reported a period, who is late and who is missing, "
                                                   "as a matrix of units × sectors");
  command->add_option("--period", options->period, "period, e.g. 2017-Q1 or 2017-03")->required();
  command->add_flag("--json", options->json, "print the cells as JSON");
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
                       {"reported", c.reported()}, {"late", c.late()}, {"overdue", c.overdue()}});
    }
    fmt::print("{}\n", nlohmann::ordered_json({{"period", reply.status().period()}, {"cells", std::move(cells)}}).dump());
    return Status::OK();
  }
  Catalog catalog;
  bool named = LoadCliCatalog(options.catalog_dir, &catalog).ok();
  fmt::print("{}", FormatStatusMatrix(reply.status(), named ? &catalog : nullptr));
  return Status::OK();
}

}  // namespace tonghop::cli
