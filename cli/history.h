// `tonghop history`: the revisions of a figure, from the aggregator's audit log. With --unit, each
// value that unit reported for (indicator, period), its source node and times (rejections too);
// without, the province value over time, with the figure that changed it.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

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
std::string FormatHistory(const tonghop::v1::HistoryReply& history, bool by_unit, bool json);

}  // namespace tonghop::cli
