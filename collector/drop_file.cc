#include "collector/drop_file.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <functional>
#include <map>
#include <optional>

#include <fmt/format.h>

#include "collector/collector_catalog.h"
#include "collector/figure_check.h"
#include "core/clock.h"
#include "core/csv.h"
#include "core/decimal.h"
#include "core/transport.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

enum Field { kIndicator, kPeriod, kValue, kUnit, kObservedAt, kFieldCount };
constexpr std::array<const char*, kFieldCount> kColumns = {"indicator", "period", "value", "reporting_unit",
                                                          "observed_at"};
// How much of a header's headings a message lists.
constexpr size_t kListedHeadings = 20;
// A workbook's header is looked for among its first rows with something in them (a title and a
// note above the table are common).
constexpr size_t kHeaderSearchRows = 20;

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// One row's cells as the figure columns hold them, and how to read each.
struct FigureCells {
  std::array<std::string, kFieldCount> text;
  std::array<XlsxCell::Kind, kFieldCount> kind{};  // kText for every CSV cell
  std::array<bool, kFieldCount> present{};          // the column is in the file
};

// Checks rows one at a time and collects the figures and the problems of a file.
class FigureCollector {
 public:
  FigureCollector(const DropFileOptions& options, int64_t default_observed_ms, bool date1904, DropFileContent* out)
      : options_(options), default_observed_ms_(default_observed_ms), date1904_(date1904), out_(out) {}

  // `where(field)` says where a cell is, for the messages, and `row` which row it is ("line 5",
  // "A5"); `mark` how a text value writes its decimal point.
  void Add(const FigureCells& cells, const std::function<std::string(int)>& where, const std::string& row,
           DecimalMark mark) {
    const Language language = options_.language;
    auto problem = [&](int field, const std::string& why) {
      out_->problems.push_back(Text(language, Msg::kFieldProblem, where(field), kColumns[field], why));
    };
    for (int f = 0; f < kFieldCount; ++f) {
      if (cells.kind[f] == XlsxCell::Kind::kError) {
        out_->problems.push_back(Text(language, Msg::kXlsxCellError, where(f), EscapeInvalidUtf8(ClipUtf8(cells.text[f], 32))));
        return;
      }
    }
    const size_t problems_before = out_->problems.size();
    tonghop::v1::IndicatorUpdate figure;
    figure.set_indicator(cells.text[kIndicator]);
    figure.set_reporting_unit(cells.text[kUnit]);
    figure.set_observed_at_ms(default_observed_ms_);
    figure.set_period(cells.text[kPeriod]);
    if (cells.kind[kPeriod] == XlsxCell::Kind::kNumber) {
      // A year typed in a cell is a number; anything else a number is a date Excel made of a period.
      std::string plain;
      int year = 0;
      if (ExcelNumberToDecimalText(cells.text[kPeriod], &plain) && plain.size() == 4 &&
          std::from_chars(plain.data(), plain.data() + 4, year).ec == std::errc() && year >= 1900 && year <= 2999) {
        figure.set_period(plain);
      } else {
        problem(kPeriod, Text(language, Msg::kPeriodIsADate, SerialAsDate(cells.text[kPeriod])));
        figure.set_period("");
      }
    }
    Decimal value;
    std::string value_text = cells.text[kValue];
    bool value_ok = true;
    if (cells.kind[kValue] == XlsxCell::Kind::kNumber) {
      std::string plain;
      if (ExcelNumberToDecimalText(value_text, &plain)) value_text = plain;
      mark = DecimalMark::kPoint;
    }
    if (Status s = ParseFigureValue(value_text, mark, language, &value); !s.ok()) {
      problem(kValue, s.message());
      value_ok = false;
    } else {
      SetFigureValue(value, &figure);
    }
    if (!cells.text[kObservedAt].empty()) {
      int64_t ms = 0;
      if (cells.kind[kObservedAt] == XlsxCell::Kind::kNumber) {
        if (ExcelSerialToMs(cells.text[kObservedAt], date1904_, &ms)) {
          figure.set_observed_at_ms(ms);
        } else {
          problem(kObservedAt, Text(language, Msg::kObservedAtInvalid, EscapeInvalidUtf8(ClipUtf8(cells.text[kObservedAt], 32))));
        }
      } else if (Status s = ParseObservedAt(cells.text[kObservedAt], &ms, language); !s.ok()) {
        problem(kObservedAt, s.message());
      } else {
        figure.set_observed_at_ms(ms);
      }
    }
    const bool period_checked = !figure.period().empty() || cells.kind[kPeriod] != XlsxCell::Kind::kNumber;
    for (const FieldError& e : CheckFigure(options_.reporting_unit, language, &figure)) {
      if (e.field == "value" && !value_ok) continue;  // said above
      if (e.field == "period" && !period_checked) continue;
      const int field = static_cast<int>(std::find(kColumns.begin(), kColumns.end(), e.field) - kColumns.begin());
      problem(std::min(field, kFieldCount - 1), e.why);
    }
    // The aggregator's catalog judges a row the collector's own checks passed.
    if (options_.catalog != nullptr && out_->problems.size() == problems_before) {
      for (const FieldError& e : options_.catalog->Check(figure, NowMs())) {
        const int field = static_cast<int>(std::find(kColumns.begin(), kColumns.end(), e.field) - kColumns.begin());
        problem(std::min(field, kFieldCount - 1), e.why);
      }
    }
    auto [it, inserted] = first_row_.try_emplace({figure.indicator(), figure.period()}, row);
    if (!inserted && !figure.indicator().empty()) {
      problem(kIndicator, Text(language, Msg::kRowRepeated, EscapeInvalidUtf8(figure.indicator()),
                               EscapeInvalidUtf8(figure.period()), it->second));
    }
    out_->figures.push_back(std::move(figure));
  }

 private:
  // "2017-01-01" for the serial Excel made of "2017-01", for the message; the number itself when
  // it is no date.
  std::string SerialAsDate(const std::string& stored) const {
    int64_t ms = 0;
    if (!ExcelSerialToMs(stored, date1904_, &ms)) return EscapeInvalidUtf8(ClipUtf8(stored, 32));
    return VietnamIsoDate(ms);
  }

  const DropFileOptions& options_;
  int64_t default_observed_ms_;
  bool date1904_;
  DropFileContent* out_;
  std::map<std::pair<std::string, std::string>, std::string> first_row_;  // (indicator, period) -> where
};

void ReadCsvFigures(const std::string& name, std::string_view bytes, int64_t default_observed_ms,
                    const DropFileOptions& options, DropFileContent* out) {
  FigureCollector collector(options, default_observed_ms, false, out);
  CsvOptions csv;
  csv.column_of = FigureColumnOf;
  csv.language = options.language;
  size_t rows = 0;
  Status read = ReadCsv<kFieldCount>(name, bytes, kColumns, {"indicator", "period", "value"},
                                     [&](const CsvRow<kFieldCount>& row) {
    if (++rows > options.max_rows) {
      return Status::InvalidArgument(Text(options.language, Msg::kTooManyRows, name, options.max_rows));
    }
    FigureCells cells;
    cells.text = row.cells;
    const std::string where = fmt::format("{}:{}", name, row.line);
    collector.Add(cells, [&](int) { return where; }, Text(options.language, Msg::kLine, row.line),
                  row.separator == ';' ? DecimalMark::kComma : DecimalMark::kPoint);
    return Status::OK();
  }, csv);
  if (!read.ok()) out->problems.push_back(read.message());
}

void ReadXlsxFigures(const std::string& name, std::string_view bytes, int64_t default_observed_ms,
                     const DropFileOptions& options, DropFileContent* out) {
  XlsxSheet sheet;
  if (Status s = ReadXlsxSheet(name, bytes, options.xlsx_sheet, options.xlsx_limits, options.language, &sheet); !s.ok()) {
    out->problems.push_back(s.message());
    return;
  }
  const std::string sheet_where = fmt::format("{}:'{}'", name, EscapeInvalidUtf8(ClipUtf8(sheet.name, 64)));
  if (sheet.rows.empty()) {
    out->problems.push_back(Text(options.language, Msg::kXlsxEmptySheet, name, EscapeInvalidUtf8(ClipUtf8(sheet.name, 64))));
    return;
  }
  // The header: the first row that names the indicator, period and value columns, among the
  // first kHeaderSearchRows with something in them; rows above it (a title, a note) are not read.
  std::array<std::optional<unsigned>, kFieldCount> column_of_field;
  size_t header_index = 0;
  for (; header_index < sheet.rows.size() && header_index < kHeaderSearchRows; ++header_index) {
    column_of_field = {};
    const XlsxRow& row = sheet.rows[header_index];
    for (const XlsxCell& cell : row.cells) {
      const std::string column = FigureColumnOf(FoldHeading(cell.text));
      const auto field = std::find(kColumns.begin(), kColumns.end(), column);
      if (field == kColumns.end()) continue;
      auto& slot = column_of_field[field - kColumns.begin()];
      if (slot) {
        out->problems.push_back(Text(options.language, Msg::kHeaderRepeatsColumn,
                                     fmt::format("{}!{}", sheet_where, CellReference(cell.column, row.number)), column));
        return;
      }
      slot = cell.column;
    }
    if (column_of_field[kIndicator] && column_of_field[kPeriod] && column_of_field[kValue]) break;
  }
  if (header_index == sheet.rows.size() || header_index == kHeaderSearchRows) {
    // Name what the first row has, and the first required column it lacks.
    const XlsxRow& first = sheet.rows.front();
    std::string headings;
    size_t listed = 0;
    std::array<bool, kFieldCount> named{};
    for (const XlsxCell& cell : first.cells) {
      if (listed < kListedHeadings) {
        headings += fmt::format("{}'{}'", listed++ ? ", " : "", EscapeInvalidUtf8(ClipUtf8(cell.text, 40)));
      }
      const auto field = std::find(kColumns.begin(), kColumns.end(), FigureColumnOf(FoldHeading(cell.text)));
      if (field != kColumns.end()) named[field - kColumns.begin()] = true;
    }
    const int missing = !named[kIndicator] ? kIndicator : !named[kPeriod] ? kPeriod : kValue;
    out->problems.push_back(Text(options.language, Msg::kXlsxHeaderMissingColumn, sheet_where, first.number,
                                 kColumns[missing], headings.empty() ? "-" : headings));
    return;
  }
  FigureCollector collector(options, default_observed_ms, sheet.date1904, out);
  for (size_t r = header_index + 1; r < sheet.rows.size(); ++r) {
    const XlsxRow& row = sheet.rows[r];
    FigureCells cells;
    for (int f = 0; f < kFieldCount; ++f) {
      if (!column_of_field[f]) continue;
      cells.present[f] = true;
      auto cell = std::find_if(row.cells.begin(), row.cells.end(),
                               [&](const XlsxCell& c) { return c.column == *column_of_field[f]; });
      if (cell == row.cells.end()) continue;
      cells.text[f] = cell->text;
      cells.kind[f] = cell->kind;
    }
    const bool nothing = std::all_of(cells.text.begin(), cells.text.end(), [](const std::string& t) { return t.empty(); });
    if (nothing) continue;  // a note beside the table, or an empty row
    if (cells.text[kValue].empty()) {
      ++out->rows_without_value;
      continue;
    }
    auto where = [&](int field) {
      const unsigned column = column_of_field[field] ? *column_of_field[field] : *column_of_field[kIndicator];
      return fmt::format("{}!{}", sheet_where, CellReference(column, row.number));
    };
    collector.Add(cells, where, CellReference(*column_of_field[kIndicator], row.number), DecimalMark::kEither);
  }
}

}  // namespace

DropFileType DropFileTypeOf(std::string_view name) {
  const size_t dot = name.rfind('.');
  if (dot == std::string_view::npos) return DropFileType::kOther;
  const std::string extension = Lower(name.substr(dot));
  if (extension == ".csv") return DropFileType::kCsv;
  if (extension == ".xlsx") return DropFileType::kXlsx;
  if (extension == ".xls") return DropFileType::kOldExcel;
  return DropFileType::kOther;
}

std::string FigureColumnOf(const std::string& folded) {
  // The names `tonghop template` writes, and the words a person would use for them.
  static const std::map<std::string, std::string, std::less<>> kAliases = {
      {"mã chỉ tiêu", "indicator"},     {"chỉ tiêu (mã)", "indicator"}, {"kỳ báo cáo", "period"},
      {"kỳ", "period"},                 {"giá trị", "value"},           {"số liệu", "value"},
      {"mã đơn vị", "reporting_unit"},  {"đơn vị báo cáo", "reporting_unit"},
      {"ngày số liệu", "observed_at"},  {"thời điểm", "observed_at"},
  };
  auto alias = kAliases.find(folded);
  return alias == kAliases.end() ? folded : alias->second;
}

void ReadDropFile(const std::string& name, DropFileType type, std::string_view bytes, int64_t default_observed_ms,
                  const DropFileOptions& options, DropFileContent* out) {
  *out = DropFileContent();
  if (type == DropFileType::kXlsx) {
    ReadXlsxFigures(name, bytes, default_observed_ms, options, out);
  } else {
    ReadCsvFigures(name, bytes, default_observed_ms, options, out);
  }
  if (out->problems.empty() && out->figures.empty()) {
    out->problems.push_back(Text(options.language, Msg::kFileHasNoFigures, name));
  }
}

}  // namespace tonghop
