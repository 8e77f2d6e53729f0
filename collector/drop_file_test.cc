#include "collector/drop_file.h"

#include <gtest/gtest.h>

#include "collector/test_xlsx.h"

namespace tonghop {
namespace {

using testing::MakeWorkbook;
using testing::NumberCell;
using testing::Row;
using testing::SheetXml;
using testing::TextCell;

DropFileContent ReadWorkbook(const std::string& bytes, const std::string& sheet = "",
                             Language language = Language::kEnglish) {
  DropFileOptions options;
  options.reporting_unit = "cao-loc";
  options.language = language;
  options.xlsx_sheet = sheet;
  DropFileContent content;
  ReadDropFile("q1.xlsx", DropFileType::kXlsx, bytes, 1'000, options, &content);
  return content;
}

std::string Problems(const DropFileContent& content) {
  std::string all;
  for (const auto& p : content.problems) all += p + "\n";
  return all;
}

// What `tonghop template` writes, filled in by an officer: a title above the table, Vietnamese
// headings, names and units beside the ids, some values left empty.
TEST(DropFileTest, AWorkbookInTheTemplatesFormIsRead) {
  const std::string sheet = SheetXml({
      Row(1, {TextCell("A1", "Báo cáo số liệu của Cao Lộc")}),
      Row(3, {TextCell("A3", "Mã chỉ tiêu"), TextCell("B3", "Tên chỉ tiêu"), TextCell("C3", "Đơn vị tính"),
              TextCell("D3", "Kỳ báo cáo"), TextCell("E3", "Giá trị"), TextCell("F3", "Số liệu kỳ 2016-Q4")}),
      Row(4, {TextCell("A4", "agri.sown_area.total"), TextCell("B4", "Tổng diện tích"), TextCell("C4", "ha"),
              TextCell("D4", "2017-Q1"), NumberCell("E4", "2310.5"), NumberCell("F4", "2100")}),
      Row(5, {TextCell("A5", "agri.sown_area.rice_spring"), TextCell("D5", "2017-Q1"), NumberCell("F5", "480")}),
      Row(6, {TextCell("A6", "agri.herd.pigs"), TextCell("D6", "2017-Q1"), NumberCell("E6", "231.05000000000001")}),
      Row(7, {TextCell("A7", "agri.herd.cattle"), NumberCell("D7", "2017"), TextCell("E7", "1.234,5")}),
      Row(8, {TextCell("A8", "agri.herd.buffalo"), TextCell("D8", "2017-Q1"), TextCell("E8", "17,25")}),
  });
  // The title above the table is not read; the header is the first row naming the columns.
  DropFileContent content = ReadWorkbook(MakeWorkbook({{"Số liệu", sheet}}));
  ASSERT_TRUE(content.problems.empty()) << Problems(content);
  ASSERT_EQ(content.figures.size(), 4u);
  EXPECT_EQ(content.rows_without_value, 1u);

  // Without a header row at all, the first row's content is named.
  content = ReadWorkbook(MakeWorkbook({{"A", SheetXml({Row(2, {TextCell("B2", "Chỉ tiêu"), TextCell("C2", "Kỳ")}),
                                                        Row(3, {TextCell("B3", "x")})})}}));
  ASSERT_EQ(content.problems.size(), 1u) << Problems(content);
  EXPECT_EQ(content.problems[0], "q1.xlsx:'A': no row names the columns indicator, period and value; the first row (row "
                                 "2) has no column 'indicator': it has 'Chỉ tiêu', 'Kỳ'. The row above the figures must "
                                 "name the columns: indicator, period, value (or 'Mã chỉ tiêu', 'Kỳ báo cáo', 'Giá trị')");

  const std::string table = SheetXml({
      Row(3, {TextCell("A3", "Mã chỉ tiêu"), TextCell("B3", "Tên chỉ tiêu"), TextCell("C3", "Đơn vị tính"),
              TextCell("D3", "Kỳ báo cáo"), TextCell("E3", "Giá trị")}),
      Row(4, {TextCell("A4", "agri.sown_area.total"), TextCell("D4", "2017-Q1"), NumberCell("E4", "2310.5")}),
      Row(5, {TextCell("A5", "agri.sown_area.rice_spring"), TextCell("D5", "2017-Q1")}),
      Row(6, {TextCell("A6", "agri.herd.pigs"), TextCell("D6", "2017-Q1"), NumberCell("E6", "231.05000000000001")}),
      Row(7, {TextCell("A7", "agri.herd.cattle"), NumberCell("D7", "2017"), TextCell("E7", "1.234,5")}),
      Row(8, {TextCell("A8", "agri.herd.buffalo"), TextCell("D8", "2017-Q1"), TextCell("E8", "17,25")}),
      Row(9, {TextCell("H9", "a note beside the table")}),
  });
  content = ReadWorkbook(MakeWorkbook({{"Ghi chú", SheetXml({})}, {"Số liệu", table}}), "Số liệu");
  ASSERT_TRUE(content.problems.empty()) << Problems(content);
  ASSERT_EQ(content.figures.size(), 4u);
  EXPECT_EQ(content.rows_without_value, 1u);
  EXPECT_EQ(content.figures[0].indicator(), "agri.sown_area.total");
  EXPECT_EQ(content.figures[0].value(), 2310.5);
  EXPECT_EQ(content.figures[0].reporting_unit(), "cao-loc");
  EXPECT_EQ(content.figures[0].observed_at_ms(), 1'000);
  EXPECT_EQ(content.figures[1].value(), 231.05);
  EXPECT_EQ(content.figures[2].period(), "2017");
  EXPECT_EQ(content.figures[2].value(), 1234.5);
  EXPECT_EQ(content.figures[3].value(), 17.25);
}

TEST(DropFileTest, EveryBadCellIsNamedInA1Notation) {
  const std::string sheet = SheetXml({
      Row(1, {TextCell("A1", "indicator"), TextCell("B1", "period"), TextCell("C1", "value"),
              TextCell("D1", "observed_at")}),
      Row(2, {TextCell("A2", "agri.a"), NumberCell("B2", "42736"), NumberCell("C2", "1")}),
      Row(3, {TextCell("A3", "agri.b"), TextCell("B3", "2017-Q1"), R"(<c r="C3" t="e"><v>#DIV/0!</v></c>)"}),
      Row(4, {TextCell("A4", "agri.c"), TextCell("B4", "2017-Q1"), NumberCell("C4", "1.0000001")}),
      Row(5, {TextCell("A5", "agri.d"), TextCell("B5", "2017-Q1"), NumberCell("C5", "5"), NumberCell("D5", "42825.5")}),
      Row(6, {TextCell("A6", "agri.d"), TextCell("B6", "2017-Q1"), NumberCell("C6", "6")}),
  });
  DropFileContent content = ReadWorkbook(MakeWorkbook({{"Sheet1", sheet}}));
  const std::string all = Problems(content);
  EXPECT_NE(all.find("q1.xlsx:'Sheet1'!B2: field 'period': the cell is a date or a number (2017-01-01), not a period: "
                     "format the column as Text"),
            std::string::npos) << all;
  EXPECT_NE(all.find("q1.xlsx:'Sheet1'!C3: the cell holds a formula error (#DIV/0!)"), std::string::npos) << all;
  EXPECT_NE(all.find("q1.xlsx:'Sheet1'!C4: field 'value': '1.0000001' has more than 6 decimal places"), std::string::npos)
      << all;
  EXPECT_NE(all.find("q1.xlsx:'Sheet1'!A6: field 'indicator': agri.d for 2017-Q1 is already given on A5"),
            std::string::npos) << all;
  EXPECT_EQ(content.problems.size(), 4u) << all;
  // A date in observed_at is Vietnam time: 2017-03-31 12:00.
  ASSERT_GE(content.figures.size(), 3u);
  EXPECT_EQ(content.figures[2].observed_at_ms(), 1490893200000 + 12 * 3600 * 1000);

  content = ReadWorkbook(MakeWorkbook({{"Sheet1", sheet}}), "", Language::kVietnamese);
  EXPECT_NE(Problems(content).find("q1.xlsx:'Sheet1'!C3: ô chứa lỗi của công thức (#DIV/0!)"), std::string::npos)
      << Problems(content);
}

TEST(DropFileTest, AWorkbookWithNothingToReportSaysSo) {
  DropFileContent content = ReadWorkbook(MakeWorkbook({{"A", SheetXml({})}}));
  EXPECT_EQ(Problems(content), "q1.xlsx: sheet 'A' is empty; its first row must be a header\n");
  content = ReadWorkbook(MakeWorkbook({{"A", SheetXml({Row(1, {TextCell("A1", "indicator"), TextCell("B1", "period"),
                                                                TextCell("C1", "value")}),
                                                        Row(2, {TextCell("A2", "agri.a"), TextCell("B2", "2017")})})}}));
  EXPECT_EQ(Problems(content), "q1.xlsx: the file has a header but no figures\n");
}

TEST(DropFileTest, TypesAreKnownByTheirExtension) {
  EXPECT_EQ(DropFileTypeOf("a.csv"), DropFileType::kCsv);
  EXPECT_EQ(DropFileTypeOf("A.CSV"), DropFileType::kCsv);
  EXPECT_EQ(DropFileTypeOf("q1.Xlsx"), DropFileType::kXlsx);
  EXPECT_EQ(DropFileTypeOf("q1.xls"), DropFileType::kOldExcel);
  EXPECT_EQ(DropFileTypeOf("q1.xlsm"), DropFileType::kOther);
  EXPECT_EQ(DropFileTypeOf("csv"), DropFileType::kOther);
  EXPECT_EQ(FigureColumnOf("mã chỉ tiêu"), "indicator");
  EXPECT_EQ(FigureColumnOf("giá trị"), "value");
  EXPECT_EQ(FigureColumnOf("notes"), "notes");
}

}  // namespace
}  // namespace tonghop
