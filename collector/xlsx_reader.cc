#include "collector/xlsx_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <memory>

#include <fmt/format.h>
#include <minizip/unzip.h>
#include <pugixml.hpp>

#include "core/clock.h"
#include "core/csv.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

// Excel's own bounds: XFD1048576 is the last cell of a sheet.
constexpr unsigned kMaxColumns = 16'384;
constexpr unsigned kMaxRowNumber = 1'048'576;
constexpr size_t kReadChunk = 64 << 10;
// Excel computes with 15 significant digits; digits beyond are the stored double's noise.
constexpr size_t kExcelDigits = 15;
// A plain decimal with more than this many zeros around its digits is refused anyway (figures
// are below 1e12 with at most 6 decimals): past it the stored text is kept as it is.
constexpr int kMaxPlainExponent = 40;
constexpr int64_t kMsPerDay = 86'400'000;
// 1899-12-30 and 1904-01-01, midnight UTC, in ms since the epoch.
constexpr int64_t kExcel1900EpochMs = -2'209'161'600'000;
constexpr int64_t kExcel1904EpochMs = -2'082'844'800'000;
constexpr double kMaxSerial = 2'958'465;  // 9999-12-31

// The zip's bytes, read by minizip through these callbacks instead of a file.
struct MemoryFile {
  std::string_view bytes;
  uint64_t position = 0;
};

voidpf ZCALLBACK OpenMemory(voidpf opaque, const void*, int) { return opaque; }
uLong ZCALLBACK ReadMemory(voidpf, voidpf stream, void* buffer, uLong size) {
  auto* file = static_cast<MemoryFile*>(stream);
  const uint64_t available = file->position < file->bytes.size() ? file->bytes.size() - file->position : 0;
  const uLong n = static_cast<uLong>(std::min<uint64_t>(size, available));
  std::copy_n(file->bytes.data() + file->position, n, static_cast<char*>(buffer));
  file->position += n;
  return n;
}
uLong ZCALLBACK WriteMemory(voidpf, voidpf, const void*, uLong) { return 0; }
ZPOS64_T ZCALLBACK TellMemory(voidpf, voidpf stream) { return static_cast<MemoryFile*>(stream)->position; }
long ZCALLBACK SeekMemory(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto* file = static_cast<MemoryFile*>(stream);
  uint64_t base = 0;
  if (origin == ZLIB_FILEFUNC_SEEK_CUR) base = file->position;
  else if (origin == ZLIB_FILEFUNC_SEEK_END) base = file->bytes.size();
  else if (origin != ZLIB_FILEFUNC_SEEK_SET) return -1;
  if (offset > file->bytes.size() || base > file->bytes.size() - offset) return -1;
  file->position = base + offset;
  return 0;
}
int ZCALLBACK CloseMemory(voidpf, voidpf) { return 0; }
int ZCALLBACK ErrorMemory(voidpf, voidpf) { return 0; }

// One workbook being read: its zip, and the file name, limits and language of the messages.
class Workbook {
 public:
  Workbook(const std::string& file_name, std::string_view bytes, const XlsxLimits& limits, Language language)
      : file_name_(file_name), memory_{bytes, 0}, limits_(limits), language_(language) {}
  ~Workbook() {
    if (zip_ != nullptr) unzClose(zip_);
  }

  Status Open() {
    zlib_filefunc64_def functions{};
    functions.zopen64_file = OpenMemory;
    functions.zread_file = ReadMemory;
    functions.zwrite_file = WriteMemory;
    functions.ztell64_file = TellMemory;
    functions.zseek64_file = SeekMemory;
    functions.zclose_file = CloseMemory;
    functions.zerror_file = ErrorMemory;
    functions.opaque = &memory_;
    zip_ = unzOpen2_64("memory", &functions);
    if (zip_ == nullptr) return Invalid(Msg::kXlsxNotAWorkbook, "not a zip archive");
    return Status::OK();
  }

  // The part at `path` (no leading '/'), unpacked and parsed into `doc`; a missing part is
  // NotFound when `optional`.
  Status Load(const std::string& path, pugi::xml_document* doc, bool optional = false) {
    if (unzLocateFile(zip_, path.c_str(), /*case-insensitive*/ 2) != UNZ_OK) {
      if (optional) return Status::NotFound(path);
      return Invalid(Msg::kXlsxPartMissing, path);
    }
    unz_file_info64 info{};
    if (unzGetCurrentFileInfo64(zip_, &info, nullptr, 0, nullptr, 0, nullptr, 0) != UNZ_OK) {
      return Invalid(Msg::kXlsxNotAWorkbook, "unreadable zip directory");
    }
    if (info.uncompressed_size > limits_.max_part_bytes) return Invalid(Msg::kXlsxPartTooLarge, path, limits_.max_part_bytes);
    if (unzOpenCurrentFile(zip_) != UNZ_OK) return Invalid(Msg::kXlsxNotAWorkbook, fmt::format("cannot unpack {}", path));
    std::string text;
    char chunk[kReadChunk];
    int n = 0;
    // The header's size is the sender's claim: the unpacked bytes themselves are counted.
    while ((n = unzReadCurrentFile(zip_, chunk, sizeof chunk)) > 0) {
      if (text.size() + static_cast<size_t>(n) > limits_.max_part_bytes) {
        unzCloseCurrentFile(zip_);
        return Invalid(Msg::kXlsxPartTooLarge, path, limits_.max_part_bytes);
      }
      text.append(chunk, static_cast<size_t>(n));
    }
    const int closed = unzCloseCurrentFile(zip_);
    if (n < 0 || closed != UNZ_OK) return Invalid(Msg::kXlsxNotAWorkbook, fmt::format("{} is damaged", path));
    const pugi::xml_parse_result parsed = doc->load_buffer(text.data(), text.size(), pugi::parse_default, pugi::encoding_utf8);
    if (!parsed) return Invalid(Msg::kXlsxBadXml, path, fmt::format("{} at byte {}", parsed.description(), parsed.offset));
    return Status::OK();
  }

  template <typename... Args>
  Status Invalid(Msg id, const Args&... args) const {
    return Status::InvalidArgument(Text(language_, id, file_name_, args...));
  }

  const std::string& file_name() const { return file_name_; }
  const XlsxLimits& limits() const { return limits_; }
  Language language() const { return language_; }

 private:
  std::string file_name_;
  MemoryFile memory_;
  XlsxLimits limits_;
  Language language_;
  unzFile zip_ = nullptr;
};

// The folder of a part: "xl/workbook.xml" -> "xl/".
std::string FolderOf(const std::string& part) {
  const size_t slash = part.rfind('/');
  return slash == std::string::npos ? "" : part.substr(0, slash + 1);
}

// A relationship's target, relative to the folder of its source part, as a part path.
std::string ResolveTarget(const std::string& folder, std::string_view target) {
  std::vector<std::string> segments;
  std::string path = target.starts_with("/") ? std::string(target.substr(1)) : folder + std::string(target);
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    const std::string segment = path.substr(start, end - start);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    start = end + 1;
  }
  std::string resolved;
  for (const auto& segment : segments) resolved += (resolved.empty() ? "" : "/") + segment;
  return resolved;
}

// The relationships of part `part` (its _rels/<name>.rels), id -> (type, target part).
Status Relationships(Workbook* workbook, const std::string& part,
                     std::map<std::string, std::pair<std::string, std::string>>* out) {
  const std::string folder = FolderOf(part);
  const std::string rels = folder + "_rels/" + part.substr(folder.size()) + ".rels";
  pugi::xml_document doc;
  Status loaded = workbook->Load(rels, &doc, /*optional=*/true);
  if (loaded.IsNotFound()) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(loaded);
  for (pugi::xml_node r : doc.child("Relationships").children("Relationship")) {
    (*out)[r.attribute("Id").value()] = {r.attribute("Type").value(), ResolveTarget(folder, r.attribute("Target").value())};
  }
  return Status::OK();
}

bool EndsWith(std::string_view text, std::string_view suffix) { return text.ends_with(suffix); }

// Excel escapes characters XML cannot hold as _xHHHH_ in strings; "_x005F_" is a literal "_".
std::string UnescapeExcel(std::string_view text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned code = 0;
    if (text[i] == '_' && i + 6 < text.size() && text[i + 1] == 'x' && text[i + 6] == '_' &&
        std::from_chars(text.data() + i + 2, text.data() + i + 6, code, 16).ptr == text.data() + i + 6) {
      if (code < 0x80) {
        out += static_cast<char>(code);
      } else if (code < 0x800) {
        out += static_cast<char>(0xC0 | (code >> 6));
        out += static_cast<char>(0x80 | (code & 0x3F));
      } else {
        out += static_cast<char>(0xE0 | (code >> 12));
        out += static_cast<char>(0x80 | ((code >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (code & 0x3F));
      }
      i += 6;
      continue;
    }
    out += text[i];
  }
  return out;
}

// The text of a string item (<si> or <is>): its <t>, or its rich-text runs' <t>, without the
// phonetic runs (<rPh>).
std::string StringItem(pugi::xml_node item) {
  if (pugi::xml_node t = item.child("t")) return UnescapeExcel(t.text().get());
  std::string text;
  for (pugi::xml_node run : item.children("r")) text += run.child("t").text().get();
  return UnescapeExcel(text);
}

// "C5" -> column 2, row 5; false when it is not a cell reference within Excel's bounds.
bool ParseCellReference(std::string_view ref, unsigned* column, unsigned* row) {
  size_t i = 0;
  unsigned col = 0;
  while (i < ref.size() && i < 3 && ref[i] >= 'A' && ref[i] <= 'Z') col = col * 26 + (ref[i++] - 'A' + 1);
  if (i == 0 || col > kMaxColumns) return false;
  unsigned r = 0;
  auto [end, ec] = std::from_chars(ref.data() + i, ref.data() + ref.size(), r);
  if (ec != std::errc() || end != ref.data() + ref.size() || r == 0 || r > kMaxRowNumber) return false;
  *column = col - 1;
  *row = r;
  return true;
}

// The sheet's part: the first sheet of the workbook, or the one named.
Status FindSheet(Workbook* workbook, const std::string& sheet_name, std::string* workbook_part, std::string* sheet_part,
                 XlsxSheet* out) {
  std::map<std::string, std::pair<std::string, std::string>> package;
  TONGHOP_RETURN_IF_ERROR(Relationships(workbook, "", &package));
  *workbook_part = "xl/workbook.xml";
  for (const auto& [id, relation] : package) {
    if (EndsWith(relation.first, "/officeDocument")) *workbook_part = relation.second;
  }
  pugi::xml_document doc;
  TONGHOP_RETURN_IF_ERROR(workbook->Load(*workbook_part, &doc));
  pugi::xml_node root = doc.child("workbook");
  const std::string date1904 = root.child("workbookPr").attribute("date1904").value();
  out->date1904 = date1904 == "1" || date1904 == "true";
  std::map<std::string, std::pair<std::string, std::string>> relations;
  TONGHOP_RETURN_IF_ERROR(Relationships(workbook, *workbook_part, &relations));
  std::string names;
  for (pugi::xml_node sheet : root.child("sheets").children("sheet")) {
    const std::string name = sheet.attribute("name").value();
    names += fmt::format("{}'{}'", names.empty() ? "" : ", ", EscapeInvalidUtf8(ClipUtf8(name, 64)));
    if (!sheet_name.empty() && FoldHeading(name) != FoldHeading(sheet_name)) continue;
    auto relation = relations.find(sheet.attribute("r:id").value());
    if (relation == relations.end()) return workbook->Invalid(Msg::kXlsxPartMissing, fmt::format("sheet '{}'", name));
    out->name = name;
    *sheet_part = relation->second.second;
    return Status::OK();
  }
  if (sheet_name.empty()) return workbook->Invalid(Msg::kXlsxPartMissing, "xl/worksheets");
  return workbook->Invalid(Msg::kXlsxNoSuchSheet, sheet_name, names.empty() ? "-" : names);
}

// The shared strings of the workbook (xl/sharedStrings.xml, or where its relationships say).
Status SharedStrings(Workbook* workbook, const std::string& workbook_part, size_t* cells, std::vector<std::string>* out) {
  std::map<std::string, std::pair<std::string, std::string>> relations;
  TONGHOP_RETURN_IF_ERROR(Relationships(workbook, workbook_part, &relations));
  std::string part;
  for (const auto& [id, relation] : relations) {
    if (EndsWith(relation.first, "/sharedStrings")) part = relation.second;
  }
  if (part.empty()) return Status::OK();
  pugi::xml_document doc;
  TONGHOP_RETURN_IF_ERROR(workbook->Load(part, &doc));
  for (pugi::xml_node item : doc.child("sst").children("si")) {
    if (++*cells > workbook->limits().max_cells) {
      return workbook->Invalid(Msg::kXlsxTooManyCells, workbook->limits().max_cells);
    }
    out->push_back(StringItem(item));
  }
  return Status::OK();
}

}  // namespace

Status ReadXlsxSheet(const std::string& file_name, std::string_view bytes, const std::string& sheet_name,
                     const XlsxLimits& limits, Language language, XlsxSheet* out) {
  *out = XlsxSheet();
  Workbook workbook(file_name, bytes, limits, language);
  TONGHOP_RETURN_IF_ERROR(workbook.Open());
  std::string workbook_part, sheet_part;
  TONGHOP_RETURN_IF_ERROR(FindSheet(&workbook, sheet_name, &workbook_part, &sheet_part, out));
  size_t cells = 0;
  std::vector<std::string> strings;
  TONGHOP_RETURN_IF_ERROR(SharedStrings(&workbook, workbook_part, &cells, &strings));
  pugi::xml_document doc;
  TONGHOP_RETURN_IF_ERROR(workbook.Load(sheet_part, &doc));

  const std::string where = fmt::format("{}:'{}'", file_name, EscapeInvalidUtf8(ClipUtf8(out->name, 64)));
  auto invalid_cell = [&](Msg id, unsigned column, unsigned row, const auto&... args) {
    return Status::InvalidArgument(
        Text(language, id, fmt::format("{}!{}", where, CellReference(column, row)), args...));
  };
  unsigned row_number = 0;
  for (pugi::xml_node row : doc.child("worksheet").child("sheetData").children("row")) {
    unsigned number = row_number + 1;
    if (pugi::xml_attribute r = row.attribute("r")) {
      number = r.as_uint();
      if (number <= row_number || number > kMaxRowNumber) {
        return workbook.Invalid(Msg::kXlsxBadXml, sheet_part, fmt::format("row number '{}' out of order", r.value()));
      }
    }
    row_number = number;
    XlsxRow parsed;
    parsed.number = number;
    int column = -1;
    for (pugi::xml_node c : row.children("c")) {
      unsigned col = static_cast<unsigned>(column + 1);
      unsigned ref_row = number;
      if (pugi::xml_attribute r = c.attribute("r")) {
        if (!ParseCellReference(r.value(), &col, &ref_row) || ref_row != number || static_cast<int>(col) <= column) {
          return workbook.Invalid(Msg::kXlsxBadXml, sheet_part,
                                  fmt::format("cell '{}' out of place", EscapeInvalidUtf8(ClipUtf8(r.value(), 16))));
        }
      }
      if (col >= kMaxColumns) {
        return workbook.Invalid(Msg::kXlsxBadXml, sheet_part, "a cell beyond column XFD");
      }
      column = static_cast<int>(col);
      const std::string type = c.attribute("t").value();
      XlsxCell cell;
      cell.column = col;
      if (type == "inlineStr") {
        cell.text = StringItem(c.child("is"));
      } else if (!c.child("v")) {
        continue;  // a styled cell with nothing in it
      } else if (type == "s") {
        const std::string_view index_text = c.child_value("v");
        size_t index = 0;
        auto [end, ec] = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
        if (ec != std::errc() || end != index_text.data() + index_text.size() || index >= strings.size()) {
          return invalid_cell(Msg::kXlsxBadSharedString, col, number, EscapeInvalidUtf8(ClipUtf8(index_text, 16)),
                              strings.size());
        }
        cell.text = strings[index];
      } else if (type == "str" || type == "d") {
        cell.text = UnescapeExcel(c.child_value("v"));
      } else if (type == "b") {
        cell.kind = XlsxCell::Kind::kBoolean;
        cell.text = std::string_view(c.child_value("v")) == "1" ? "TRUE" : "FALSE";
      } else if (type == "e") {
        cell.kind = XlsxCell::Kind::kError;
        cell.text = c.child_value("v");
      } else {
        cell.kind = XlsxCell::Kind::kNumber;
        cell.text = c.child_value("v");
      }
      if (cell.text.empty()) continue;
      if (cell.text.size() > limits.max_cell_bytes) return invalid_cell(Msg::kXlsxCellTooLong, col, number, limits.max_cell_bytes);
      if (++cells > limits.max_cells) return workbook.Invalid(Msg::kXlsxTooManyCells, limits.max_cells);
      parsed.cells.push_back(std::move(cell));
    }
    if (parsed.cells.empty()) continue;
    if (out->rows.size() == limits.max_rows) {
      return Status::InvalidArgument(Text(language, Msg::kTooManyRows, where, limits.max_rows));
    }
    out->rows.push_back(std::move(parsed));
  }
  return Status::OK();
}

std::string CellReference(unsigned column, unsigned row) {
  std::string letters;
  for (unsigned n = column + 1; n > 0; n = (n - 1) / 26) letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  return fmt::format("{}{}", letters, row);
}

bool ExcelNumberToDecimalText(std::string_view stored, std::string* out) {
  size_t i = 0;
  const bool negative = i < stored.size() && stored[i] == '-';
  if (i < stored.size() && (stored[i] == '-' || stored[i] == '+')) ++i;
  // value = digits * 10^exponent
  std::string digits;
  int64_t exponent = 0;
  size_t mantissa_digits = 0;
  bool point = false;
  for (; i < stored.size(); ++i) {
    const char c = stored[i];
    if (c == '.' && !point) {
      point = true;
    } else if (c >= '0' && c <= '9') {
      ++mantissa_digits;
      if (!(digits.empty() && c == '0')) digits += c;
      if (point) --exponent;
    } else {
      break;
    }
  }
  if (mantissa_digits == 0) return false;
  if (i < stored.size() && (stored[i] == 'E' || stored[i] == 'e')) {
    ++i;
    int64_t e = 0;
    const bool e_negative = i < stored.size() && stored[i] == '-';
    if (i < stored.size() && (stored[i] == '-' || stored[i] == '+')) ++i;
    const size_t e_start = i;
    for (; i < stored.size() && stored[i] >= '0' && stored[i] <= '9'; ++i) {
      if (e < 100'000) e = e * 10 + (stored[i] - '0');
    }
    if (i == e_start) return false;
    exponent += e_negative ? -e : e;
  }
  if (i != stored.size()) return false;
  if (digits.empty()) {
    *out = "0";
    return true;
  }
  if (digits.size() > kExcelDigits) {
    // Round half away from zero at the 15th significant digit.
    const bool up = digits[kExcelDigits] >= '5';
    exponent += static_cast<int64_t>(digits.size() - kExcelDigits);
    digits.resize(kExcelDigits);
    for (size_t k = digits.size(); up && k-- > 0;) {
      if (digits[k] == '9') {
        digits[k] = '0';
        if (k == 0) digits.insert(digits.begin(), '1');
      } else {
        ++digits[k];
        break;
      }
    }
  }
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++exponent;
  }
  if (exponent > kMaxPlainExponent || exponent < -kMaxPlainExponent - static_cast<int64_t>(digits.size())) {
    *out = std::string(stored);
    return true;
  }
  std::string text;
  if (exponent >= 0) {
    text = digits + std::string(static_cast<size_t>(exponent), '0');
  } else {
    const size_t decimals = static_cast<size_t>(-exponent);
    if (decimals >= digits.size()) {
      text = "0." + std::string(decimals - digits.size(), '0') + digits;
    } else {
      text = digits.substr(0, digits.size() - decimals) + "." + digits.substr(digits.size() - decimals);
    }
  }
  *out = (negative ? "-" : "") + text;
  return true;
}

bool ExcelSerialToMs(std::string_view stored, bool date1904, int64_t* ms_since_epoch) {
  double serial = 0;
  auto [end, ec] = std::from_chars(stored.data(), stored.data() + stored.size(), serial);
  if (ec != std::errc() || end != stored.data() + stored.size() || !(serial >= 0 && serial <= kMaxSerial)) return false;
  const int64_t local = (date1904 ? kExcel1904EpochMs : kExcel1900EpochMs) + std::llround(serial * kMsPerDay);
  *ms_since_epoch = local - kVietnamOffsetMs;
  return true;
}

}  // namespace tonghop
