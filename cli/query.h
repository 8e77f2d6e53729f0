// `tonghop query` and `tonghop export`: the province values of a period (optionally each unit's)
// from the aggregator's query endpoint, as a table, CSV or JSON; and the units' figures as a data
// value set (data_value_set.h) that `tonghop import` reads back: each unit's value for a period,
// or with --stored every figure stored (the whole database, if need be), asked for page by page
// (ExportRequest) and written as the pages arrive.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/status.h"

namespace tonghop::cli {

struct QueryOptions {
  AggregatorLink aggregator;
  std::string period;
  std::string indicator;  // id or prefix
  std::string by;         // "", "unit" or "group"
  std::string format = "table";
};

CLI::App* AddQueryCommand(CLI::App& app, QueryOptions* options);
Status RunQuery(const QueryOptions& options);

struct ExportOptions {
  AggregatorLink aggregator;
  std::string period;  // required unless `stored`
  std::string indicator;
  bool stored = false;
  std::string format = "csv";
  std::string output;
  int page_figures = 0;  // 0: the aggregator's page size
};

CLI::App* AddExportCommand(CLI::App& app, ExportOptions* options);
Status RunExport(const ExportOptions& options);

}  // namespace tonghop::cli
