// `tonghop report`: the quantitative part of section II of the province's periodic report
// ("Tình hình và kết quả thực hiện"), sector by sector, in Vietnamese, from the aggregator's
// current province values (its query endpoint) and the catalog's names and structure.
//
// Phrasing follows the reference report: within a sector, indicators sharing an id prefix make one
// sentence; its first is "<Tên> ước đạt <giá trị> <đơn vị>, bằng X% kế hoạch, tăng Y% so với cùng
// kỳ" ("ước có" for a stock); a total's parts follow after "Trong đó:", siblings after ";", each
// "<tên> <giá trị> <đơn vị>, đạt X% kế hoạch, tăng Y%" (the first change of each list is said
// in full). A partial value says how many units it is built from; a value with validation warnings
// is followed by "(Cảnh báo: …)" in Vietnamese.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/catalog.h"
#include "core/status.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

struct ReportOptions {
  AggregatorLink aggregator;
  std::string period;
  std::string format = "md";  // md, html or txt
  std::string catalog_dir;    // "": as cli/client_config.h finds it
  std::string output;         // "" = stdout
};

CLI::App* AddReportCommand(CLI::App& app, ReportOptions* options);
Status RunReport(const ReportOptions& options);

// The report's heading of `sector` ("Sản xuất nông nghiệp"), or its code when the report has none
// (the web node titles its sectors the same way).
std::string SectorTitle(const std::string& sector);

// The report for `period` as text in `format` (md, txt, html), from the province values of that
// period. Indicators without a value are left out; a sector without any is left out.
std::string WriteReport(const Catalog& catalog, const std::string& period,
                        const std::vector<tonghop::v1::AggregateUpdate>& aggregates, const std::string& format);

}  // namespace tonghop::cli
