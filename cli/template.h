// `tonghop template --unit cao-loc --period 2017-Q1 --output cao-loc-2017-q1.xlsx`: writes an Excel
// workbook (libxlsxwriter) ready for a district officer to fill in and drop into the collector's
// folder (docs/COLLECTOR.md):
//  - one sheet, "Số liệu": a title and a note, then a header row ('Mã chỉ tiêu', 'Tên chỉ tiêu',
//    'Đơn vị tính', 'Kỳ báo cáo', 'Giá trị', and the reference column), with `--lang en` the
//    English column names; then one row per indicator the catalog expects the unit to report
//    for a period of this type, with its Vietnamese name and unit of measure;
//  - the sheet is protected (no password: it guards against slips, not people): only the value
//    cells can be typed into, so ids and periods stay as the collector reads them;
//  - the reference column holds the unit's figures of the previous period of the same type
//    (2016-Q4 for 2017-Q1), read from the aggregator's query link with the office's keys when it
//    answers; otherwise it is empty and the note says why.
// The collector's drop folder reads the workbook back as it is written (DropFile), the filled
// values as numbers.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/aggregator_client.h"
#include "core/catalog.h"
#include "core/messages.h"
#include "core/status.h"

namespace tonghop::cli {

struct TemplateOptions {
  std::string unit;
  std::string period;
  std::string output;       // "": <unit>-<period>.xlsx in the current folder
  std::string catalog_dir;  // "": as cli/client_config.h finds it
  std::string lang;         // "vi", "en", or "": the configuration file's, else the locale
  AggregatorLink aggregator;
};

CLI::App* AddTemplateCommand(CLI::App& app, TemplateOptions* options);
Status RunTemplate(const TemplateOptions& options);

// One indicator's row of a template.
struct TemplateRow {
  const Indicator* indicator = nullptr;
  std::string reference;  // the previous period's figure, as exact decimal text; "" when none
};

// The rows of unit `unit`'s template for `period`: the indicators the catalog expects it to report
// for periods of that type, in catalog order. InvalidArgument naming the unit or period when the
// catalog does not know it.
Status TemplateRows(const Catalog& catalog, const std::string& unit, const std::string& period,
                    std::vector<TemplateRow>* out);

// Writes the workbook to `path`. `reference_period` names the reference column; `note` (may be
// empty) is shown under the title.
Status WriteTemplate(const std::string& path, const Catalog& catalog, const std::string& unit,
                     const std::string& period, const std::string& reference_period,
                     const std::vector<TemplateRow>& rows, const std::string& note, Language language);

}  // namespace tonghop::cli
