#include "collector/xlsx_reader.h"

#include <gtest/gtest.h>

#include "collector/test_xlsx.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

using testing::MakeWorkbook;
using testing::NumberCell;
using testing::Row;
using testing::SharedCell;
using testing::SheetXml;
using testing::TextCell;

Status Read(const std::string& bytes, XlsxSheet* sheet, const std::string& name = "", XlsxLimits limits = {}) {
  return ReadXlsxSheet("f.xlsx", bytes, name, limits, Language::kEnglish, sheet);
}

TEST(XlsxReaderTest, ReadsTheFirstSheetsCellsOfEveryKind) {
  const std::string sheet = SheetXml({
      Row(1, {SharedCell("A1", 0), SharedCell("B1", 1), TextCell("D1", "value")}),
      Row(3, {TextCell("A3", "agri.sown_area.total"), NumberCell("D3", "2310.5"),
              R"(<c r="E3" t="b"><v>1</v></c>)", R"(<c r="F3" t="e"><v>#DIV/0!</v></c>)",
              R"(<c r="G3" t="str"><f>A3</f><v>agri</v></c>)", R"(<c r="H3" s="2"/>)"}),
      // Cells without references follow the one before.
      R"(<row><c r="B4" t="inlineStr"><is><r><t>Lúa </t></r><r><t>xuân</t></r></is></c><c><v>4E+2</v></c></row>)",
  });
  XlsxSheet read;
  ASSERT_OK(Read(MakeWorkbook({{"Số liệu", sheet}, {"Other", SheetXml({})}}, {"indicator", "Kỳ_x0020_báo cáo"}), &read));
  EXPECT_EQ(read.name, "Số liệu");
  ASSERT_EQ(read.rows.size(), 3u);
  EXPECT_EQ(read.rows[0].number, 1u);
  ASSERT_EQ(read.rows[0].cells.size(), 3u);
  EXPECT_EQ(read.rows[0].cells[1].text, "Kỳ báo cáo") << "Excel's _xHHHH_ escapes are undone";
  EXPECT_EQ(read.rows[0].cells[2].column, 3u);
  const auto& cells = read.rows[1].cells;
  ASSERT_EQ(cells.size(), 5u) << "a styled cell with nothing in it is not a cell";
  EXPECT_EQ(read.rows[1].number, 3u);
  EXPECT_EQ(cells[1].kind, XlsxCell::Kind::kNumber);
  EXPECT_EQ(cells[1].text, "2310.5");
  EXPECT_EQ(cells[2].kind, XlsxCell::Kind::kBoolean);
  EXPECT_EQ(cells[2].text, "TRUE");
  EXPECT_EQ(cells[3].kind, XlsxCell::Kind::kError);
  EXPECT_EQ(cells[3].text, "#DIV/0!");
  EXPECT_EQ(cells[4].text, "agri");
  EXPECT_EQ(read.rows[2].cells[0].text, "Lúa xuân");
  EXPECT_EQ(read.rows[2].cells[1].column, 2u);
  EXPECT_EQ(read.rows[2].cells[1].text, "4E+2");
}

TEST(XlsxReaderTest, ANamedSheetIsFoundWithoutRegardToCase) {
  const std::string bytes = MakeWorkbook({{"Ghi chú", SheetXml({Row(1, {TextCell("A1", "x")})})},
                                          {"Số Liệu", SheetXml({Row(1, {TextCell("A1", "y")})})}});
  XlsxSheet read;
  ASSERT_OK(Read(bytes, &read, "số liệu"));
  EXPECT_EQ(read.rows.at(0).cells.at(0).text, "y");
  Status missing = Read(bytes, &read, "2017");
  EXPECT_EQ(missing.message(), "f.xlsx: the workbook has no sheet '2017'; it has 'Ghi chú', 'Số Liệu'");
}

TEST(XlsxReaderTest, WhatIsNotAWorkbookIsSaid) {
  XlsxSheet read;
  EXPECT_EQ(Read("PK\x03\x04 not really", &read).message(),
            "f.xlsx: not a readable .xlsx workbook (not a zip archive); open it in Excel and save it as 'Excel "
            "Workbook (.xlsx)'");
  auto parts = testing::WorkbookParts({{"A", SheetXml({})}});
  parts.back().content = "<Relationships>";  // the workbook's relationships, cut short
  EXPECT_NE(Read(testing::ZipParts(parts), &read).message().find("f.xlsx: the workbook's part 'xl/_rels/workbook.xml.rels' is damaged"),
            std::string::npos);
  EXPECT_NE(Read(MakeWorkbook({{"A", SheetXml({Row(1, {SharedCell("A1", 5)})})}}, {"only one"}), &read)
                .message()
                .find("f.xlsx:'A'!A1: the cell refers to shared string 5, but the workbook has 1"),
            std::string::npos);
  EXPECT_NE(Read(MakeWorkbook({{"A", SheetXml({Row(2, {TextCell("A1", "x")})})}}), &read).message().find("out of place"),
            std::string::npos);
}

// Zip bombs: a part of 64 MB of the same byte (64 kB in the file), once with headers that say
// so, once with headers that claim 1 kB. Neither is unpacked beyond the limit or the claim.
TEST(XlsxReaderTest, APartIsReadNoFurtherThanTheLimitOrItsClaim) {
  for (const uint64_t claimed : {uint64_t{0}, uint64_t{1000}}) {
    SCOPED_TRACE(claimed);
    auto parts = testing::WorkbookParts({{"A", ""}});
    for (auto& part : parts) {
      if (part.path == "xl/worksheets/sheet1.xml") {
        part.content = SheetXml({std::string(64 << 20, ' ')});
        part.claimed_size = claimed;
      }
    }
    const std::string bomb = testing::ZipParts(parts);
    EXPECT_LT(bomb.size(), 200'000u);
    XlsxSheet read;
    EXPECT_EQ(Read(bomb, &read).message(),
              claimed == 0 ? "f.xlsx: the workbook's part 'xl/worksheets/sheet1.xml' unpacks to more than 8388608 bytes, "
                             "the most the collector takes; split the figures into several files"
                           : "f.xlsx: not a readable .xlsx workbook (xl/worksheets/sheet1.xml is damaged); open it in "
                             "Excel and save it as 'Excel Workbook (.xlsx)'");
  }
}

TEST(XlsxReaderTest, RowsCellsAndTheirLengthAreBounded) {
  std::vector<std::string> rows;
  for (int r = 1; r <= 30; ++r) rows.push_back(Row(r, {NumberCell(fmt::format("A{}", r), "1")}));
  XlsxLimits limits;
  limits.max_rows = 20;
  XlsxSheet read;
  EXPECT_EQ(Read(MakeWorkbook({{"A", SheetXml(rows)}}), &read, "", limits).message(),
            "f.xlsx:'A': the file has more than 20 rows, the most the collector takes (--max_drop_file_rows); split "
            "it into several files");
  limits = {};
  limits.max_cell_bytes = 10;
  EXPECT_EQ(Read(MakeWorkbook({{"A", SheetXml({Row(1, {TextCell("B1", "eleven char")})})}}), &read, "", limits).message(),
            "f.xlsx:'A'!B1: the cell is longer than 10 bytes");
}

TEST(XlsxReaderTest, NumbersBecomeExactDecimalText) {
  const std::pair<const char*, const char*> cases[] = {
      {"2310.5", "2310.5"},
      {"1.2E-3", "0.0012"},
      {"-4E+2", "-400"},
      {"0", "0"},
      {"-0.0", "0"},
      {"926", "926"},
      {"12345678901.123456", "12345678901.1235"},  // 17 significant digits: Excel's are the first 15
      {"231.05000000000001", "231.05"},            // what Excel stores for a formula's 231.05
      {"0.30000000000000004", "0.3"},
      {"9.9999999999999995E-7", "0.000001"},
      {"1E+50", "1E+50"},  // beyond any figure: left as it is, and refused as a value
  };
  for (const auto& [stored, plain] : cases) {
    std::string out;
    ASSERT_TRUE(ExcelNumberToDecimalText(stored, &out)) << stored;
    EXPECT_EQ(out, plain) << stored;
  }
  std::string out;
  for (const char* bad : {"", "abc", "1.2.3", "1E", "--1", "1,5"}) EXPECT_FALSE(ExcelNumberToDecimalText(bad, &out)) << bad;
}

TEST(XlsxReaderTest, DateSerialsAreVietnamTime) {
  int64_t ms = 0;
  ASSERT_TRUE(ExcelSerialToMs("42825", false, &ms));  // 2017-03-31
  EXPECT_EQ(ms, 1490893200000);                        // 2017-03-31T00:00+07:00
  ASSERT_TRUE(ExcelSerialToMs("42825.5", false, &ms));
  EXPECT_EQ(ms, 1490893200000 + 12 * 3600 * 1000);
  ASSERT_TRUE(ExcelSerialToMs("41363", true, &ms));  // the same day counted from 1904
  EXPECT_EQ(ms, 1490893200000);
  EXPECT_FALSE(ExcelSerialToMs("-1", false, &ms));
  EXPECT_FALSE(ExcelSerialToMs("x", false, &ms));
  EXPECT_EQ(CellReference(0, 1), "A1");
  EXPECT_EQ(CellReference(25, 7), "Z7");
  EXPECT_EQ(CellReference(26, 7), "AA7");
  EXPECT_EQ(CellReference(16383, 1048576), "XFD1048576");
}

}  // namespace
}  // namespace tonghop
