#include "cli/template.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <pugixml.hpp>

#include "collector/drop_file.h"
#include "collector/test_xlsx.h"
#include "core/csv.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop::cli {
namespace {

const std::string kLangSon = TONGHOP_SOURCE_DIR "/deploy/lang-son";

// What an officer does with the template: types `values` (indicator -> text as Excel stores the
// number) into the value column (E) of the first sheet.
std::string FillIn(const std::string& workbook, const std::map<std::string, std::string>& values) {
  auto parts = testing::UnzipParts(workbook);
  std::map<std::string, std::string> shared;  // the sheet names indicators through shared strings
  std::vector<std::string> strings;
  for (const auto& part : parts) {
    if (part.path != "xl/sharedStrings.xml") continue;
    pugi::xml_document doc;
    doc.load_string(part.content.c_str());
    for (pugi::xml_node si : doc.child("sst").children("si")) strings.push_back(si.child("t").text().get());
  }
  for (auto& part : parts) {
    if (part.path != "xl/worksheets/sheet1.xml") continue;
    pugi::xml_document doc;
    doc.load_string(part.content.c_str());
    for (pugi::xml_node row : doc.child("worksheet").child("sheetData").children("row")) {
      std::string indicator;
      for (pugi::xml_node c : row.children("c")) {
        const std::string ref = c.attribute("r").value();
        if (ref[0] == 'A' && std::string(c.attribute("t").value()) == "s") indicator = strings.at(c.child("v").text().as_uint());
        if (ref[0] == 'E' && values.count(indicator)) c.append_child("v").text().set(values.at(indicator).c_str());
      }
    }
    std::ostringstream xml;
    doc.save(xml, "", pugi::format_raw);
    part.content = xml.str();
  }
  return testing::ZipParts(parts);
}

// Cao Lộc district reports until 30 June 2025; since 1 July 2025 its communes do.
TEST(TemplateTest, AUnitGetsATemplateOnlyForPeriodsItExistsIn) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  std::vector<TemplateRow> rows;
  Status s = TemplateRows(catalog, "cao-loc", "2026-Q1", &rows);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("'cao-loc' reports until 2025-06-30 (catalog units.csv, valid_to), so not for 2026-Q1; "),
            std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("xa-cao-loc"), std::string::npos) << s.ToString();
  ASSERT_OK(TemplateRows(catalog, "xa-cao-loc", "2026-Q1", &rows));
  EXPECT_GT(rows.size(), 10u);
}

TEST(TemplateTest, AUnitsRowsAreTheIndicatorsItReportsForThePeriodsType) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  std::vector<TemplateRow> rows;
  ASSERT_OK(TemplateRows(catalog, "cao-loc", "2017-Q1", &rows));
  size_t expected = 0;
  for (const auto& indicator : catalog.indicators()) {
    expected += std::binary_search(indicator.reporting_units.begin(), indicator.reporting_units.end(), "cao-loc") &&
                (indicator.period_types & PeriodTypeBit(Period::Type::kQuarter));
  }
  EXPECT_EQ(rows.size(), expected);
  EXPECT_GT(rows.size(), 10u);
  EXPECT_EQ(rows[0].indicator->id, "agri.sown_area.total");
  Status unknown = TemplateRows(catalog, "atlantis", "2017-Q1", &rows);
  EXPECT_NE(unknown.message().find("--unit: 'atlantis' is not a unit of the catalog"), std::string::npos) << unknown.ToString();
  EXPECT_TRUE(TemplateRows(catalog, "cao-loc", "2017-Q5", &rows).message().starts_with("--period"));
}

// The template, filled in as an officer would, reads back through the drop folder's reader into
// exactly the figures typed; the rows left empty are skipped, the reference column ignored.
TEST(TemplateTest, AFilledTemplateReadsBackIntoTheFiguresTyped) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  std::vector<TemplateRow> rows;
  ASSERT_OK(TemplateRows(catalog, "cao-loc", "2017-Q1", &rows));
  rows[0].reference = "2100.25";
  testing::TempDir dir;
  for (Language language : {Language::kVietnamese, Language::kEnglish}) {
    SCOPED_TRACE(LanguageCode(language));
    const std::string path = dir.Sub(std::string("cao-loc-") + LanguageCode(language) + ".xlsx");
    ASSERT_OK(WriteTemplate(path, catalog, "cao-loc", "2017-Q1", "2016-Q4", rows, "", language));
    std::string bytes;
    ASSERT_OK(ReadFileToString(path, &bytes));
    EXPECT_FALSE(std::filesystem::exists(dir.Sub(std::string(".cao-loc-") + LanguageCode(language) + ".xlsx.part")));

    // As written: a workbook with every row and no value yet.
    XlsxSheet sheet;
    ASSERT_OK(ReadXlsxSheet("t.xlsx", bytes, "", {}, Language::kEnglish, &sheet));
    EXPECT_EQ(sheet.name, language == Language::kVietnamese ? "Số liệu" : "Figures");
    EXPECT_EQ(sheet.rows.size(), rows.size() + 3);  // title, note, header
    DropFileOptions options;
    options.reporting_unit = "cao-loc";
    options.language = Language::kEnglish;
    DropFileContent content;
    ReadDropFile("t.xlsx", DropFileType::kXlsx, bytes, 0, options, &content);
    EXPECT_EQ(content.rows_without_value, rows.size());
    ASSERT_EQ(content.problems.size(), 1u);
    EXPECT_EQ(content.problems[0], "t.xlsx: the file has a header but no figures");

    const std::string filled = FillIn(bytes, {{rows[0].indicator->id, "2310.5"},
                                              {rows[1].indicator->id, "231.05000000000001"},
                                              {rows[2].indicator->id, "1.2E-3"}});
    ReadDropFile("t.xlsx", DropFileType::kXlsx, filled, 0, options, &content);
    ASSERT_TRUE(content.problems.empty()) << content.problems[0];
    ASSERT_EQ(content.figures.size(), 3u);
    EXPECT_EQ(content.figures[0].indicator(), rows[0].indicator->id);
    EXPECT_EQ(content.figures[0].period(), "2017-Q1");
    EXPECT_EQ(content.figures[0].reporting_unit(), "cao-loc");
    EXPECT_EQ(content.figures[0].value(), 2310.5);
    EXPECT_EQ(content.figures[1].value(), 231.05);
    EXPECT_EQ(content.figures[2].value(), 0.0012);
    EXPECT_EQ(content.rows_without_value, rows.size() - 3);
  }
}

}  // namespace
}  // namespace tonghop::cli
