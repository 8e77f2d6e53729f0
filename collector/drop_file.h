// Reading one drop file into figures, whatever form an officer saved it in (docs/COLLECTOR.md):
//  - CSV: cells separated by ',' or ';' (core/csv.h), and in a file separated by ';' the decimal
//    comma of Excel under a Vietnamese locale (2310,5 and 1.234,5);
//  - .xlsx: an Excel workbook's first sheet, or the one named (collector/xlsx_reader.h); the
//    header is the first row that names the indicator, period and value columns (among the first
//    20 with something in them: a title above the table is fine); rows without a value are
//    skipped (a template's indicators the officer has no figure for); numbers are read exactly
//    as Excel stores them.
// The header names the columns in English (indicator, period, value, reporting_unit,
// observed_at) or as `tonghop template` writes them in Vietnamese ('Mã chỉ tiêu', 'Kỳ báo cáo',
// 'Giá trị', ...), in any case. Every figure passes CheckFigure; every problem is listed, in the
// language asked for, as "<where>: field '<column>': <why>", where is file:line for CSV and
// file:'sheet'!C5 for a workbook.
// Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "collector/xlsx_reader.h"
#include "core/messages.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

enum class DropFileType {
  kCsv,       // *.csv
  kXlsx,      // *.xlsx
  kOldExcel,  // *.xls: Excel's binary format before 2007, which must be saved again as .xlsx
  kOther,     // anything else: refused, with the types that are taken
};

// By the name's extension, in any case.
DropFileType DropFileTypeOf(std::string_view name);

// The figure column a header cell names, given the cell folded (core/csv.h, FoldHeading): one of
// indicator, period, value, reporting_unit, observed_at; anything else comes back as it is.
std::string FigureColumnOf(const std::string& folded);

struct DropFileOptions {
  std::string reporting_unit;  // the collector's unit: rows may name only this one
  Language language = Language::kVietnamese;
  std::string xlsx_sheet;      // "": a workbook's first sheet
  XlsxLimits xlsx_limits;
  size_t max_rows = 20'000;    // data rows of a CSV file (a workbook's: xlsx_limits.max_rows)
};

struct DropFileContent {
  std::vector<tonghop::v1::IndicatorUpdate> figures;  // seq 0; the outbox numbers them
  std::vector<std::string> problems;                  // none: every figure is good
  size_t rows_without_value = 0;                      // workbook rows skipped for want of a value
};

// Reads drop file `name` of type kCsv or kXlsx, whose content is `bytes`. Figures without an
// observed_at get `default_observed_ms` (the file's modification time).
void ReadDropFile(const std::string& name, DropFileType type, std::string_view bytes, int64_t default_observed_ms,
                  const DropFileOptions& options, DropFileContent* out);

}  // namespace tonghop
