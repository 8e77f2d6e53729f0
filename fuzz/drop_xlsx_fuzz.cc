// Fuzz target: an .xlsx workbook dropped into a collector's drop folder, read as the drop folder
// reads it (collector/drop_file.h over collector/xlsx_reader.h: the zip, the workbook's
// relationships, shared strings and the sheet's XML), in both languages. Asserts that every
// message is valid UTF-8 (it goes into the error file and the log), and that every figure of a
// file without problems passes the collector's checks as stored, so that nothing could enter the
// outbox that the collector could not send.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "collector/drop_file.h"
#include "collector/figure_check.h"
#include "core/wire_text.h"

namespace {

void Check(bool condition) {
  if (!condition) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (auto language : {tonghop::Language::kVietnamese, tonghop::Language::kEnglish}) {
    tonghop::DropFileOptions options;
    options.reporting_unit = "cao-loc";
    options.language = language;
    // Small bounds, so that the fuzzer reaches them.
    options.xlsx_limits.max_part_bytes = 1 << 20;
    options.xlsx_limits.max_rows = 1'000;
    tonghop::DropFileContent content;
    tonghop::ReadDropFile("q1.xlsx", tonghop::DropFileType::kXlsx, bytes, 0, options, &content);
    for (const auto& problem : content.problems) Check(tonghop::IsValidUtf8(problem));
    if (!content.problems.empty()) continue;
    Check(!content.figures.empty());
    for (auto figure : content.figures) Check(tonghop::CheckFigure("cao-loc", language, &figure).empty());
  }
  return 0;
}
