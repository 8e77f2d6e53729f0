#include "core/csv.h"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <utf8proc.h>

#include "core/wire_text.h"

namespace tonghop {
namespace {

constexpr std::string_view kBlanks = " \t\r";
// At most this many of a header's cells are named in a message, each cut to kListedHeadingBytes.
constexpr size_t kListedHeadings = 20;
constexpr size_t kListedHeadingBytes = 40;

std::string_view Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(kBlanks);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(kBlanks) - first + 1);
}

// The cells of one line separated by `separator`, unquoted ("" inside quotes is one quote), trimmed.
std::vector<std::string> SplitCells(std::string_view line, char separator) {
  std::vector<std::string> cells;
  std::string cell;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        cell += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        cell += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == separator) {
      cells.emplace_back(Trim(cell));
      cell.clear();
    } else {
      cell += c;
    }
  }
  cells.emplace_back(Trim(cell));
  return cells;
}

// ';' when the line holds more of them than commas outside quotes, else ','.
char DetectSeparator(std::string_view header) {
  size_t commas = 0, semicolons = 0;
  bool quoted = false;
  for (char c : header) {
    if (c == '"') quoted = !quoted;
    if (quoted) continue;
    commas += c == ',';
    semicolons += c == ';';
  }
  return semicolons > commas ? ';' : ',';
}

// A line that holds no cell with anything in it: blanks, separators and empty quotes only.
bool HasNoContent(std::string_view line, char separator) {
  return line.find_first_not_of(fmt::format(" \t\r\"{}", separator)) == std::string_view::npos;
}

std::string Quoted(std::string_view cell) {
  std::string quoted = "\"";
  for (char c : cell) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string QuoteCell(std::string_view cell, char separator) {
  if (cell.find_first_of(fmt::format("\"\n\r{}", separator)) == std::string_view::npos) return std::string(cell);
  return Quoted(cell);
}

std::string ListHeadings(const std::vector<std::string>& header) {
  std::string list;
  size_t listed = 0;
  for (const auto& cell : header) {
    if (cell.empty()) continue;
    if (listed == kListedHeadings) {
      list += ", ...";
      break;
    }
    const std::string shown = EscapeInvalidUtf8(ClipUtf8(EscapeInvalidUtf8(cell), kListedHeadingBytes));
    list += fmt::format("{}'{}'", listed++ == 0 ? "" : ", ", shown);
  }
  return list.empty() ? "-" : list;
}

}  // namespace

std::string FoldHeading(std::string_view heading) {
  const std::string_view trimmed = Trim(heading);
  utf8proc_uint8_t* folded = nullptr;
  const utf8proc_ssize_t length =
      utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(trimmed.data()), static_cast<utf8proc_ssize_t>(trimmed.size()),
                   &folded, static_cast<utf8proc_option_t>(UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD));
  if (length < 0) return std::string(trimmed);
  std::string out(reinterpret_cast<const char*>(folded), static_cast<size_t>(length));
  std::free(folded);
  return out;
}

namespace csv_internal {

Status PrepareCsv(const std::string& file_name, std::string_view text, const std::vector<std::string_view>& columns,
                  std::initializer_list<const char*> required, const CsvOptions& options, PreparedCsv* out) {
  if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
  out->text.clear();
  out->text.reserve(text.size());
  out->header.clear();
  out->header_line = 0;
  unsigned line_number = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    const bool last = end == std::string_view::npos;
    if (last) end = text.size();
    const std::string_view line = text.substr(start, end - start);
    ++line_number;
    if (out->header_line == 0) {
      const std::string_view trimmed = Trim(line);
      if (!trimmed.empty() && trimmed[0] != '#') {
        out->header_line = line_number;
        out->separator = DetectSeparator(line);
        out->header = SplitCells(line, out->separator);
        std::vector<std::string> names;
        std::set<std::string> seen;
        for (const auto& cell : out->header) {
          std::string name = options.column_of ? options.column_of(FoldHeading(cell)) : FoldHeading(cell);
          const bool requested = std::find(columns.begin(), columns.end(), name) != columns.end();
          if (requested && !seen.insert(name).second) {
            return Status::InvalidArgument(Text(options.language, Msg::kHeaderRepeatsColumn,
                                                fmt::format("{}:{}", file_name, line_number), name));
          }
          names.push_back(QuoteCell(name, out->separator));
        }
        for (size_t i = 0; i < names.size(); ++i) out->text += (i ? std::string(1, out->separator) : "") + names[i];
        for (const char* column : required) {
          if (!seen.count(column)) {
            return Status::InvalidArgument(Text(options.language, Msg::kHeaderMissingColumn,
                                                fmt::format("{}:{}", file_name, line_number), column,
                                                ListHeadings(out->header), out->separator));
          }
        }
      } else if (!trimmed.empty()) {
        out->text.append(line);  // a comment, which libfccp skips
      }
    } else if (!HasNoContent(line, out->separator)) {
      out->text.append(line);
    }
    if (last) break;
    out->text += '\n';
    start = end + 1;
  }
  if (out->header_line == 0) return Status::InvalidArgument(Text(options.language, Msg::kFileEmpty, file_name));
  return Status::OK();
}

}  // namespace csv_internal

Status ReadFileToString(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::IOError(fmt::format("cannot open {}: {}", path, std::strerror(errno)));
  std::ostringstream buffer;
  buffer << in.rdbuf();
  if (in.bad()) return Status::IOError(fmt::format("cannot read {}: {}", path, std::strerror(errno)));
  *out = buffer.str();
  return Status::OK();
}

Status WriteStringToFile(const std::string& path, const std::string& text) {
  const std::string part = path + ".part";
  std::ofstream out(part, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  std::error_code error;
  if (!out) {
    const Status failed = Status::IOError(fmt::format("cannot write {}: {}", part, std::strerror(errno)));
    std::filesystem::remove(part, error);
    return failed;
  }
  std::filesystem::rename(part, path, error);
  if (error) {
    const Status failed = Status::IOError(fmt::format("cannot rename {} to {}: {}", part, path, error.message()));
    std::filesystem::remove(part, error);
    return failed;
  }
  return Status::OK();
}

std::string CsvEscape(std::string_view cell) {
  return QuoteCell(cell, ',');
}

}  // namespace tonghop
