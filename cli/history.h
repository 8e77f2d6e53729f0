// `tonghop history`: the revisions of a figure, from the aggregator's audit log. With --unit, each
// value that unit reported for (indicator, period), its source node and times (rejections too);
// without, the province value over time, with the figure that changed it.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/status.h"

namespace tonghop::cli {

struct HistoryOptions {
  AggregatorLink aggregator;
  std::string unit;
  std::string indicator;
  std::string period;
  bool json = false;
};

CLI::App* AddHistoryCommand(CLI::App& app, HistoryOptions* options);
Status RunHistory(const HistoryOptions& options);

}  // namespace tonghop::cli
