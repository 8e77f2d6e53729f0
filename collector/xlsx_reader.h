// Reading one sheet of an Excel workbook (.xlsx: Office Open XML, a zip of XML parts) as the
// district officers save it, for the drop folder (docs/COLLECTOR.md). Debian 12 has no C++ xlsx
// reader; this is minizip for the zip container and pugixml for the XML, reading only what a
// table of figures needs:
//  - the sheet: the workbook's first, or the one named (xl/workbook.xml and its relationships);
//  - its cells: shared strings, inline strings, formula results, numbers, booleans and errors;
//    merged cells, styles and drawings are ignored;
//  - numbers exactly as Excel stores them: the XML holds each as text ("2310.5", "1.2E-3"), which
//    ExcelNumberToDecimalText turns into plain decimal text without going through a double.
// Everything the file controls is bounded (XlsxLimits): the bytes a part unpacks to (a zip bomb
// stops there, whatever its header claims), the rows, the filled cells and a cell's length. Every
// error names the file and, for a cell, the sheet and the cell in A1 notation, in the language
// asked for (core/messages.h).
// Thread-safe: a pure function of its input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/messages.h"
#include "core/status.h"

namespace tonghop {

struct XlsxLimits {
  // Bytes one part (the sheet, the shared strings, the workbook) may unpack to.
  size_t max_part_bytes = 8 << 20;
  size_t max_rows = 20'000;
  // Cells with something in them, over the sheet and the shared strings.
  size_t max_cells = 1'000'000;
  // Bytes of one cell's text (Excel's own limit is 32,767 characters).
  size_t max_cell_bytes = 32'767;
};

struct XlsxCell {
  enum class Kind { kText, kNumber, kBoolean, kError };
  unsigned column = 0;  // 0 is column A
  Kind kind = Kind::kText;
  // kText: the text; kNumber: the number as stored ("2310.5", "4.2E-2"); kBoolean: "TRUE" or
  // "FALSE"; kError: Excel's code ("#DIV/0!").
  std::string text;
};

struct XlsxRow {
  unsigned number = 0;          // 1 is the sheet's first row
  std::vector<XlsxCell> cells;  // those with a value, in column order
};

struct XlsxSheet {
  std::string name;
  // The rows with at least one cell, in order.
  std::vector<XlsxRow> rows;
  // The workbook counts dates from 1904 (an old Mac setting) instead of 1900.
  bool date1904 = false;
};

// Reads sheet `sheet_name` ("": the first) of the workbook `bytes`, the content of the file
// `file_name` (for messages). InvalidArgument, in `language`, when the file is not a workbook, has
// no such sheet, is damaged, or exceeds `limits`.
Status ReadXlsxSheet(const std::string& file_name, std::string_view bytes, const std::string& sheet_name,
                     const XlsxLimits& limits, Language language, XlsxSheet* out);

// "C5" for column 2 (0-based), row 5.
std::string CellReference(unsigned column, unsigned row);

// A number as an xlsx cell stores it ("2310.5", "-1.2E-3", "4E+2") as plain decimal text
// ("2310.5", "-0.0012", "400"), exactly. Excel writes up to 17 significant digits, of which only
// 15 are its own (it shows and computes with 15; the rest is the binary double's noise, as in
// 0.30000000000000004): such a number is rounded to 15 significant digits first. False when
// `stored` is not a number.
bool ExcelNumberToDecimalText(std::string_view stored, std::string* out);

// The date and time of an Excel date serial ("42825.5": days since 1899-12-30, or since
// 1904-01-01 with `date1904`), in milliseconds since the epoch, read as Vietnam time
// (UTC+07:00) as figures' dates are. False when `stored` is not a number in Excel's date range.
bool ExcelSerialToMs(std::string_view stored, bool date1904, int64_t* ms_since_epoch);

}  // namespace tonghop
