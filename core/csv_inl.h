// Template bodies of core/csv.h. Include core/csv.h, not this file.
#pragma once

#define CSV_IO_NO_THREAD
// libfccp truncates long file names on purpose (error messages); GCC warns about it at every use.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <fmt/format.h>
#include <tuple>
#include <utility>

namespace tonghop {

// "<file>:<line>: <what is wrong>" for the parser's errors, in the same form as row errors.
inline std::string DescribeCsvError(const std::string& file_name, const io::error::base& e) {
  const auto* at = dynamic_cast<const io::error::with_file_line*>(&e);
  std::string where = at ? fmt::format("{}:{}", file_name, at->file_line) : file_name;
  if (dynamic_cast<const io::error::too_many_columns*>(&e)) return where + ": the row has more cells than the header (an unquoted comma?)";
  if (dynamic_cast<const io::error::too_few_columns*>(&e)) return where + ": the row has fewer cells than the header";
  if (dynamic_cast<const io::error::escaped_string_not_closed*>(&e)) return where + ": a quoted cell is not closed";
  if (dynamic_cast<const io::error::duplicated_column_in_header*>(&e)) return where + ": the header names a column twice";
  if (dynamic_cast<const io::error::line_length_limit_exceeded*>(&e)) return where + ": the line is too long";
  return e.what();
}

template <size_t N>
Status ReadCsv(const std::string& file_name, std::string_view text,
               const std::array<const char*, N>& columns, std::initializer_list<const char*> required,
               const std::function<Status(const CsvRow<N>&)>& on_row) {
  using Reader = io::CSVReader<N, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<',', '"'>,
                               io::throw_on_overflow, io::single_line_comment<'#'>>;
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Status::InvalidArgument(fmt::format("{}: the file is empty; it needs a header row", file_name));
  }
  try {
    Reader reader(file_name, text.data(), text.data() + text.size());
    std::apply([&](auto... names) {
      reader.read_header(io::ignore_extra_column | io::ignore_missing_column, names...);
    }, columns);
    for (const char* name : required) {
      if (!reader.has_column(name)) {
        return Status::InvalidArgument(
            fmt::format("{}:1: the header has no column '{}'", file_name, name));
      }
    }
    CsvRow<N> row;
    while (true) {
      for (auto& cell : row.cells) cell.clear();
      bool more = std::apply([&](auto&... cells) { return reader.read_row(cells...); }, row.cells);
      if (!more) break;
      row.line = reader.get_file_line();
      Status s = on_row(row);
      if (!s.ok()) return s;
    }
  } catch (const io::error::base& e) {
    return Status::InvalidArgument(DescribeCsvError(file_name, e));
  }
  return Status::OK();
}

template <size_t N>
Status ReadCsvFile(const std::string& path, const std::array<const char*, N>& columns,
                   std::initializer_list<const char*> required,
                   const std::function<Status(const CsvRow<N>&)>& on_row) {
  std::string text;
  TONGHOP_RETURN_IF_ERROR(ReadFileToString(path, &text));
  return ReadCsv<N>(path, text, columns, required, on_row);
}

}  // namespace tonghop
