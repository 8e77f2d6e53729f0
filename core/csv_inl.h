// Template bodies of core/csv.h. Include core/csv.h, not this file.
#pragma once

#define CSV_IO_NO_THREAD
// libfccp truncates long file names on purpose (error messages); GCC warns about it at every use.
// clang (the checked builds) has no such warning, and would warn about the unknown name.
#pragma GCC diagnostic push
#ifndef __clang__
#pragma GCC diagnostic ignored "-Wstringop-truncation"
#endif
#include <libfccp/csv.h>
#pragma GCC diagnostic pop

#include <fmt/format.h>
#include <tuple>
#include <utility>

namespace tonghop {
namespace csv_internal {

// "<file>:<line>: <what is wrong>" for the parser's errors, in the same form as row errors.
inline std::string DescribeCsvError(const std::string& file_name, const io::error::base& e, Language language) {
  const auto* at = dynamic_cast<const io::error::with_file_line*>(&e);
  std::string where = at ? fmt::format("{}:{}", file_name, at->file_line) : file_name;
  if (dynamic_cast<const io::error::too_many_columns*>(&e)) return Text(language, Msg::kRowMoreCells, where);
  if (dynamic_cast<const io::error::too_few_columns*>(&e)) return Text(language, Msg::kRowFewerCells, where);
  if (dynamic_cast<const io::error::escaped_string_not_closed*>(&e)) return Text(language, Msg::kQuoteNotClosed, where);
  if (dynamic_cast<const io::error::line_length_limit_exceeded*>(&e)) return Text(language, Msg::kLineTooLong, where);
  return e.what();
}

template <char kSeparator, size_t N>
Status ReadPreparedCsv(const std::string& file_name, const PreparedCsv& prepared,
                       const std::array<const char*, N>& columns, const std::function<Status(const CsvRow<N>&)>& on_row,
                       Language language) {
  using Reader = io::CSVReader<N, io::trim_chars<' ', '\t', '\r'>, io::double_quote_escape<kSeparator, '"'>,
                               io::throw_on_overflow, io::single_and_empty_line_comment<'#'>>;
  try {
    Reader reader(file_name, prepared.text.data(), prepared.text.data() + prepared.text.size());
    std::apply([&](auto... names) {
      reader.read_header(io::ignore_extra_column | io::ignore_missing_column, names...);
    }, columns);
    CsvRow<N> row;
    row.separator = kSeparator;
    while (true) {
      for (auto& cell : row.cells) cell.clear();
      bool more = std::apply([&](auto&... cells) { return reader.read_row(cells...); }, row.cells);
      if (!more) break;
      row.line = reader.get_file_line();
      Status s = on_row(row);
      if (!s.ok()) return s;
    }
  } catch (const io::error::base& e) {
    return Status::InvalidArgument(DescribeCsvError(file_name, e, language));
  }
  return Status::OK();
}

}  // namespace csv_internal

template <size_t N>
Status ReadCsv(const std::string& file_name, std::string_view text,
               const std::array<const char*, N>& columns, std::initializer_list<const char*> required,
               const std::function<Status(const CsvRow<N>&)>& on_row, const CsvOptions& options) {
  csv_internal::PreparedCsv prepared;
  TONGHOP_RETURN_IF_ERROR(csv_internal::PrepareCsv(
      file_name, text, std::vector<std::string_view>(columns.begin(), columns.end()), required, options, &prepared));
  if (prepared.separator == ';') {
    return csv_internal::ReadPreparedCsv<';', N>(file_name, prepared, columns, on_row, options.language);
  }
  return csv_internal::ReadPreparedCsv<',', N>(file_name, prepared, columns, on_row, options.language);
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
