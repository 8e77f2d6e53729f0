// `tonghop status --period P`: completeness and timeliness of a period as a matrix of reporting
// units × sectors. Each cell is "reported/expected" indicators, followed by "late N" (reported
// after the deadline) or "overdue N" (missing past the deadline); "-" where the unit reports
// nothing of that sector.
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
