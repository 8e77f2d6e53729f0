// `tonghop status --period P`: completeness and timeliness of a period as a matrix of reporting
// units × sectors. Each cell is "reported/expected" indicators, followed by "LN" (N reported
// after the deadline, late) or "ON" (N missing past the deadline, overdue), and "+N" for figures
// reported though not due for a period this short (a month of an indicator due by quarter); "-"
// where nothing of that sector is due from the unit. The matrix fits the terminal (80 columns
// when stdout is not one): sector columns that do not fit go on in a block below, each block
// with the unit names again. Expected, late and overdue follow each indicator's
// reporting period type and deadline (docs/DATA-MODEL.md, "Completeness and timeliness").
// Under the matrix, the totals partial because of the level below (a province relayed to the
// nation while some of its units are missing): each reason once, with the indicators it concerns.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/catalog.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::cli {

struct PeriodStatusOptions {
  AggregatorLink aggregator;
  std::string period;
  std::string catalog_dir;
  bool json = false;
};

// The text `status` prints for `status`, no line wider than `width` columns (at least 40).
// `catalog` (may be null) gives unit names.
std::string FormatStatusMatrix(const tonghop::v1::StatusReply& status, const Catalog* catalog, size_t width);

CLI::App* AddPeriodStatusCommand(CLI::App& app, PeriodStatusOptions* options);
Status RunPeriodStatus(const PeriodStatusOptions& options);

}  // namespace tonghop::cli
