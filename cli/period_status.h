// `tonghop status --period P`: completeness and timeliness of a period as a matrix of reporting
// units × sectors. Each cell is "reported/expected" indicators, followed by "late N" (reported
// after the deadline) or "overdue N" (missing past the deadline), and "(+N)" for figures reported
// though not due for a period this short (a month of an indicator due by quarter); "-" where
// nothing of that sector is due from the unit. Expected, late and overdue follow each indicator's
// reporting period type and deadline (docs/DATA-MODEL.md, "Completeness and timeliness").
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/status.h"

namespace tonghop::cli {

struct PeriodStatusOptions {
  AggregatorLink aggregator;
  std::string period;
  std::string catalog_dir;
  bool json = false;
};

CLI::App* AddPeriodStatusCommand(CLI::App& app, PeriodStatusOptions* options);
Status RunPeriodStatus(const PeriodStatusOptions& options);

}  // namespace tonghop::cli
