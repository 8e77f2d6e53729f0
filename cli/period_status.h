// `tonghop status --period P`: completeness and timeliness of a period as a matrix of reporting
// units × sectors. Each cell is "reported/expected" indicators, followed by "late N" (reported
// after the deadline) or "overdue N" (missing past the deadline); "-" where the unit reports
// nothing of that sector.
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

CLI::App* AddPeriodStatusCommand(CLI::App& app, PeriodStatusOptions* options);
Status RunPeriodStatus(const PeriodStatusOptions& options);
// The matrix; `catalog` (may be null) gives unit names and the sector order.
std::string FormatStatusMatrix(const tonghop::v1::StatusReply& status, const Catalog* catalog);

}  // namespace tonghop::cli
