// Reading CSV files the way people save them from a spreadsheet: a header row naming the columns
// (in any order, extra columns ignored), RFC 4180 quoting, an optional UTF-8 byte-order mark,
// blank cells trimmed, lines starting with '#' skipped. Built on fast-cpp-csv-parser (libfccp).
#pragma once

#include <array>
#include <functional>
#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop {

// One data row: its line number in the file and a cell per requested column ("" when the column
// is absent or the cell is empty).
template <size_t N>
struct CsvRow {
  unsigned line = 0;
  std::array<std::string, N> cells;
};

// Reads `text` (the content of the file called `file_name`, used in messages) column by column.
// Columns named in `required` must be in the header. `on_row` is called for each data row; the
// first non-ok Status it returns stops the read and is returned. Every message names the file,
// and a row's line when there is one.
template <size_t N>
Status ReadCsv(const std::string& file_name, std::string_view text,
               const std::array<const char*, N>& columns, std::initializer_list<const char*> required,
               const std::function<Status(const CsvRow<N>&)>& on_row);

// ReadCsv over the content of the file at `path`.
template <size_t N>
Status ReadCsvFile(const std::string& path, const std::array<const char*, N>& columns,
                   std::initializer_list<const char*> required,
                   const std::function<Status(const CsvRow<N>&)>& on_row);

// Reads a whole file into `out`.
Status ReadFileToString(const std::string& path, std::string* out);
// Replaces the file at `path` with `text`.
Status WriteStringToFile(const std::string& path, const std::string& text);

// Quotes a cell for writing when it needs it (comma, quote or newline inside).
std::string CsvEscape(std::string_view cell);

}  // namespace tonghop

#include "core/csv_inl.h"
