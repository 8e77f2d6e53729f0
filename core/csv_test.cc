#include "core/csv.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"

namespace tonghop {
namespace {

constexpr std::array<const char*, 3> kColumns = {"indicator", "period", "value"};

struct Read {
  Status status;
  std::vector<CsvRow<3>> rows;
};

Read ReadFigures(const std::string& text, const CsvOptions& options = {}) {
  Read read;
  read.status = ReadCsv<3>("f.csv", text, kColumns, {"indicator", "period", "value"}, [&](const CsvRow<3>& row) {
    read.rows.push_back(row);
    return Status::OK();
  }, options);
  return read;
}

TEST(CsvTest, BlankLinesAndRowsOfEmptyCellsAreSkipped) {
  // What Excel writes for an empty row is ",,"; a file often ends with a blank line or two. Each
  // used to fail the whole file: "the row has fewer cells than the header".
  Read read = ReadFigures("indicator,period,value\r\n"
                          "a,2017-Q1,1\r\n"
                          ",,\r\n"
                          "\r\n"
                          "  \n"
                          "b,2017-Q1,2\r\n"
                          "\"\",\"\",\"\"\r\n"
                          "\r\n\r\n");
  ASSERT_OK(read.status);
  ASSERT_EQ(read.rows.size(), 2u);
  EXPECT_EQ(read.rows[0].cells[0], "a");
  EXPECT_EQ(read.rows[1].cells[0], "b");
  EXPECT_EQ(read.rows[1].line, 6u) << "lines count as in the file";
  EXPECT_EQ(read.rows[1].cells[2], "2");
}

TEST(CsvTest, ASemicolonSeparatedFileIsReadAsSuch) {
  // Excel under a Vietnamese locale: ';' between cells, ',' as the decimal point.
  Read read = ReadFigures("\xEF\xBB\xBFindicator;period;value\n"
                          "agri.sown_area.total;2017-Q1;2310,5\n"
                          "\"a;b\";2017-Q1;\"1.234,5\"\n"
                          ";;\n");
  ASSERT_OK(read.status);
  ASSERT_EQ(read.rows.size(), 2u);
  EXPECT_EQ(read.rows[0].separator, ';');
  EXPECT_EQ(read.rows[0].cells[2], "2310,5");
  EXPECT_EQ(read.rows[1].cells[0], "a;b");
  EXPECT_EQ(read.rows[1].cells[2], "1.234,5");
  Read commas = ReadFigures("indicator,period,value\na,2017,\"1,5\"\n");
  ASSERT_OK(commas.status);
  EXPECT_EQ(commas.rows[0].separator, ',');
}

TEST(CsvTest, HeadingsMatchWithoutRegardToCaseOrBlanks) {
  Read read = ReadFigures(" Indicator , PERIOD,Value\na,2017,1\n");
  ASSERT_OK(read.status);
  EXPECT_EQ(read.rows.at(0).cells[1], "2017");
}

TEST(CsvTest, AHeaderWithoutAColumnNamesWhatItHasAndTheSeparator) {
  Read read = ReadFigures("chi_tieu;ky;so_lieu\na;2017;1\n");
  EXPECT_TRUE(read.status.IsInvalidArgument());
  EXPECT_EQ(read.status.message(),
            "f.csv:1: the header has no column 'indicator'. It has 'chi_tieu', 'ky', 'so_lieu' (separated by ';'). "
            "The first row must name the columns: indicator, period, value (or 'Mã chỉ tiêu', 'Kỳ báo cáo', 'Giá trị')");
  CsvOptions vietnamese;
  vietnamese.language = Language::kVietnamese;
  read = ReadFigures("# a comment\n\nchi_tieu,ky,so_lieu\n", vietnamese);
  EXPECT_NE(read.status.message().find("f.csv:3: dòng tiêu đề không có cột 'indicator'. Các cột tìm thấy: 'chi_tieu'"),
            std::string::npos) << read.status.message();
}

TEST(CsvTest, HeadingsMapThroughTheCallersNames) {
  CsvOptions options;
  options.column_of = [](const std::string& folded) -> std::string {
    if (folded == "mã chỉ tiêu") return "indicator";
    if (folded == "kỳ báo cáo") return "period";
    if (folded == "giá trị") return "value";
    return folded;
  };
  // NFD ("a" + combining marks, as some systems type it) and capitals still match.
  Read read = ReadFigures("MÃ CHỈ TIÊU;Tên chỉ tiêu;Kỳ báo cáo;Gia\xCC\x81 tri\xCC\xA3\na;Lúa;2017-Q1;5\n", options);
  ASSERT_OK(read.status);
  ASSERT_EQ(read.rows.size(), 1u);
  EXPECT_EQ(read.rows[0].cells[0], "a");
  EXPECT_EQ(read.rows[0].cells[2], "5");

  read = ReadFigures("indicator,Mã chỉ tiêu,period,value\n", options);
  EXPECT_EQ(read.status.message(), "f.csv:1: the header names the column 'indicator' twice");
}

TEST(CsvTest, AnEmptyFileAndStructuralErrorsAreNamed) {
  EXPECT_EQ(ReadFigures("\n \r\n# only a comment\n").status.message(),
            "f.csv: the file is empty; it needs a header row");
  EXPECT_EQ(ReadFigures("indicator,period,value\na,2017\n").status.message(),
            "f.csv:2: the row has fewer cells than the header");
  CsvOptions vietnamese;
  vietnamese.language = Language::kVietnamese;
  EXPECT_EQ(ReadFigures("indicator,period,value\na,2017,1,2\n", vietnamese).status.message(),
            "f.csv:2: dòng có nhiều ô hơn dòng tiêu đề (một dấu phân cách không nằm trong ngoặc kép?)");
}

TEST(CsvTest, EscapeQuotesWhatAReaderWouldSplit) {
  EXPECT_EQ(CsvEscape("plain"), "plain");
  EXPECT_EQ(CsvEscape("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvEscape("a;b"), "a;b");
  EXPECT_EQ(CsvEscape("say \"hi\""), "\"say \"\"hi\"\"\"");
}

TEST(CsvTest, WriteStringToFileReplacesTheFileWholeOrLeavesItAsItWas) {
  testing::TempDir dir;
  const std::string path = dir.Sub("verdicts.csv");
  ASSERT_OK(WriteStringToFile(path, "old\n"));
  ASSERT_OK(WriteStringToFile(path, "new\n"));
  std::string text;
  ASSERT_OK(ReadFileToString(path, &text));
  EXPECT_EQ(text, "new\n");
  EXPECT_FALSE(std::filesystem::exists(path + ".part"));

  // A folder where the file should go: the rename fails, and nothing is left behind.
  const std::string taken = dir.Sub("taken");
  std::filesystem::create_directories(taken + "/inside");
  const Status refused = WriteStringToFile(taken, "text");
  EXPECT_TRUE(refused.IsIOError()) << refused.ToString();
  EXPECT_NE(refused.message().find("cannot rename " + taken + ".part to " + taken), std::string::npos) << refused.message();
  EXPECT_FALSE(std::filesystem::exists(taken + ".part"));
  EXPECT_TRUE(std::filesystem::is_directory(taken + "/inside"));
}

}  // namespace
}  // namespace tonghop
