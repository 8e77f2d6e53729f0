// Reading CSV files the way people save them from a spreadsheet: a header row naming the columns
// (in any order, extra columns ignored, matched without regard to case), RFC 4180 quoting, an
// optional UTF-8 byte-order mark, blank cells trimmed, lines starting with '#' skipped. Cells are
// separated by ',' or by ';', whichever the header uses more (Excel saves ';', with decimal
// commas, under a Vietnamese or European locale). Blank lines, and rows whose cells are all empty
// (what Excel writes for an empty row: ",,"), are skipped. Built on fast-cpp-csv-parser (libfccp).
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/messages.h"
#include "core/status.h"

namespace tonghop {

// One data row: its line number in the file and a cell per requested column ("" when the column
// is absent or the cell is empty).
template <size_t N>
struct CsvRow {
  unsigned line = 0;
  // The file's cell separator, ',' or ';': a reader of numbers takes ',' as the decimal point
  // in a file separated by ';'.
  char separator = ',';
  std::array<std::string, N> cells;
};

struct CsvOptions {
  // The column a header cell names, given the cell folded (FoldHeading): for files whose header
  // may be written in other words (a Vietnamese heading for "indicator"). Unset: the folded cell.
  std::function<std::string(const std::string& folded)> column_of;
  // The language of the messages (core/messages.h).
  Language language = Language::kEnglish;
};

// Reads `text` (the content of the file called `file_name`, used in messages) column by column.
// Columns named in `required` must be in the header; when one is not, the message names the
// columns the header has and the separator found. `on_row` is called for each data row; the
// first non-ok Status it returns stops the read and is returned. Every message names the file,
// and a row's line when there is one.
template <size_t N>
Status ReadCsv(const std::string& file_name, std::string_view text,
               const std::array<const char*, N>& columns, std::initializer_list<const char*> required,
               const std::function<Status(const CsvRow<N>&)>& on_row, const CsvOptions& options = {});

// ReadCsv over the content of the file at `path`.
template <size_t N>
Status ReadCsvFile(const std::string& path, const std::array<const char*, N>& columns,
                   std::initializer_list<const char*> required,
                   const std::function<Status(const CsvRow<N>&)>& on_row);

// A heading as columns are matched: without surrounding blanks, case-folded, in Unicode NFC (so
// "Mã Chỉ Tiêu" typed on any system matches "mã chỉ tiêu"). Invalid UTF-8 comes back unchanged.
std::string FoldHeading(std::string_view heading);

// Reads a whole file into `out`.
Status ReadFileToString(const std::string& path, std::string* out);
// Replaces the file at `path` with `text`: written to `path`.part and renamed, so a reader finds
// the old file or the whole new one, never a part (a .part left by a failed write is removed).
Status WriteStringToFile(const std::string& path, const std::string& text);

// Quotes a cell of a file separated by ',' when it needs it (comma, quote or newline inside).
std::string CsvEscape(std::string_view cell);

namespace csv_internal {

// `text` made ready for libfccp, which reads one separator and knows neither aliases nor rows
// of empty cells: the byte-order mark dropped, the header's cells replaced by the columns they
// name (CsvOptions::column_of), and the lines of nothing but blanks and separators emptied
// (libfccp skips empty lines). Line numbers stay those of the file.
struct PreparedCsv {
  std::string text;
  char separator = ',';
  std::vector<std::string> header;  // the header's cells as written, for messages
  unsigned header_line = 0;
};
// InvalidArgument (in options.language) for an empty file, a missing required column or a
// column named twice.
Status PrepareCsv(const std::string& file_name, std::string_view text, const std::vector<std::string_view>& columns,
                  std::initializer_list<const char*> required, const CsvOptions& options, PreparedCsv* out);

}  // namespace csv_internal

}  // namespace tonghop

#include "core/csv_inl.h"
