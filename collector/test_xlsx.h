// Workbooks for tests: .xlsx files built part by part, laid out as Excel lays them out, including
// the broken and hostile ones a drop folder must refuse (a part that claims one size and unpacks
// to another, cells out of place). Header-only: collector and cli tests include it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <minizip/unzip.h>
#include <minizip/zip.h>
#include <zlib.h>

#include "core/csv.h"
#include "core/testing/temp_dir.h"

namespace tonghop::testing {

struct ZipPart {
  std::string path;
  std::string content;
  // When set, the size the zip's headers claim the part unpacks to (a zip bomb lies about it).
  uint64_t claimed_size = 0;
};

// The zip of `parts`, as bytes.
inline std::string ZipParts(const std::vector<ZipPart>& parts) {
  TempDir dir;
  const std::string path = dir.Sub("parts.zip");
  zipFile zip = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  for (const ZipPart& part : parts) {
    zip_fileinfo info{};
    if (part.claimed_size == 0) {
      zipOpenNewFileInZip64(zip, part.path.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                            Z_DEFAULT_COMPRESSION, 1);
      zipWriteInFileInZip(zip, part.content.data(), static_cast<unsigned>(part.content.size()));
      zipCloseFileInZip(zip);
      continue;
    }
    // Raw: deflate it here and write the headers' sizes and CRC as claimed.
    std::string deflated(compressBound(static_cast<uLong>(part.content.size())) + 64, '\0');
    z_stream stream{};
    deflateInit2(&stream, Z_BEST_COMPRESSION, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY);
    stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(part.content.data()));
    stream.avail_in = static_cast<uInt>(part.content.size());
    stream.next_out = reinterpret_cast<Bytef*>(deflated.data());
    stream.avail_out = static_cast<uInt>(deflated.size());
    deflate(&stream, Z_FINISH);
    deflated.resize(stream.total_out);
    deflateEnd(&stream);
    zipOpenNewFileInZip2_64(zip, part.path.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, Z_DEFLATED,
                            Z_BEST_COMPRESSION, /*raw=*/1, 1);
    zipWriteInFileInZip(zip, deflated.data(), static_cast<unsigned>(deflated.size()));
    zipCloseFileInZipRaw64(zip, part.claimed_size, crc32(0, reinterpret_cast<const Bytef*>(part.content.data()),
                                                         static_cast<uInt>(part.content.size())));
  }
  zipClose(zip, nullptr);
  std::string bytes;
  (void)ReadFileToString(path, &bytes);
  return bytes;
}

// The parts of the zip `bytes`, in the zip's order (to change one and zip them again).
inline std::vector<ZipPart> UnzipParts(const std::string& bytes) {
  TempDir dir;
  const std::string path = dir.Sub("parts.zip");
  (void)WriteStringToFile(path, bytes);
  std::vector<ZipPart> parts;
  unzFile zip = unzOpen64(path.c_str());
  if (zip == nullptr) return parts;
  for (int at = unzGoToFirstFile(zip); at == UNZ_OK; at = unzGoToNextFile(zip)) {
    char name[512];
    unz_file_info64 info{};
    unzGetCurrentFileInfo64(zip, &info, name, sizeof name, nullptr, 0, nullptr, 0);
    std::string content(info.uncompressed_size, '\0');
    unzOpenCurrentFile(zip);
    unzReadCurrentFile(zip, content.data(), static_cast<unsigned>(content.size()));
    unzCloseCurrentFile(zip);
    parts.push_back({name, content});
  }
  unzClose(zip);
  return parts;
}

// Cells of a sheet's XML.
inline std::string TextCell(const std::string& ref, const std::string& text) {
  return fmt::format(R"(<c r="{}" t="inlineStr"><is><t>{}</t></is></c>)", ref, text);
}
inline std::string NumberCell(const std::string& ref, const std::string& stored) {
  return fmt::format(R"(<c r="{}"><v>{}</v></c>)", ref, stored);
}
inline std::string SharedCell(const std::string& ref, int index) {
  return fmt::format(R"(<c r="{}" t="s"><v>{}</v></c>)", ref, index);
}
inline std::string Row(int number, const std::vector<std::string>& cells) {
  std::string row = fmt::format(R"(<row r="{}">)", number);
  for (const auto& cell : cells) row += cell;
  return row + "</row>";
}
inline std::string SheetXml(const std::vector<std::string>& rows) {
  std::string xml =
      R"(<?xml version="1.0" encoding="UTF-8" standalone="yes"?>)"
      R"(<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>)";
  for (const auto& row : rows) xml += row;
  return xml + "</sheetData></worksheet>";
}

// The parts of a workbook with `sheets` (name, sheet XML), in that order, and `shared_strings`.
inline std::vector<ZipPart> WorkbookParts(const std::vector<std::pair<std::string, std::string>>& sheets,
                                          const std::vector<std::string>& shared_strings = {}) {
  const std::string ns = R"(xmlns="http://schemas.openxmlformats.org/package/2006/relationships")";
  const std::string type = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/";
  std::vector<ZipPart> parts;
  parts.push_back({"[Content_Types].xml", R"(<?xml version="1.0"?><Types/>)"});
  parts.push_back({"_rels/.rels", fmt::format(R"(<Relationships {}><Relationship Id="rId1" Type="{}officeDocument" )"
                                              R"(Target="xl/workbook.xml"/></Relationships>)", ns, type)});
  std::string workbook = R"(<workbook xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>)";
  std::string relations = "<Relationships " + ns + ">";
  for (size_t i = 0; i < sheets.size(); ++i) {
    workbook += fmt::format(R"(<sheet name="{}" sheetId="{}" r:id="rId{}"/>)", sheets[i].first, i + 1, i + 1);
    relations += fmt::format(R"(<Relationship Id="rId{}" Type="{}worksheet" Target="worksheets/sheet{}.xml"/>)", i + 1,
                             type, i + 1);
    parts.push_back({fmt::format("xl/worksheets/sheet{}.xml", i + 1), sheets[i].second});
  }
  if (!shared_strings.empty()) {
    relations += fmt::format(R"(<Relationship Id="rIdS" Type="{}sharedStrings" Target="/xl/sharedStrings.xml"/>)", type);
    std::string sst = "<sst>";
    for (const auto& s : shared_strings) sst += "<si><t>" + s + "</t></si>";
    parts.push_back({"xl/sharedStrings.xml", sst + "</sst>"});
  }
  parts.push_back({"xl/workbook.xml", workbook + "</sheets></workbook>"});
  parts.push_back({"xl/_rels/workbook.xml.rels", relations + "</Relationships>"});
  return parts;
}

inline std::string MakeWorkbook(const std::vector<std::pair<std::string, std::string>>& sheets,
                                const std::vector<std::string>& shared_strings = {}) {
  return ZipParts(WorkbookParts(sheets, shared_strings));
}

}  // namespace tonghop::testing
