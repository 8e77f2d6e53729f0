#include "cli/report.h"

#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/testing/status_matchers.h"

namespace tonghop::cli {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";
const std::string kReference = std::string(TONGHOP_SOURCE_DIR) + "/../shared/reference/000_cc852f9d90f3c26d.txt";

// The reference quarter's province values, as the aggregator publishes them (reference-2017-q1.csv
// holds the report's printed value, % of plan and year-on-year of each indicator).
std::vector<tonghop::v1::AggregateUpdate> ReferenceQuarter(const Catalog& catalog) {
  std::vector<tonghop::v1::AggregateUpdate> aggregates;
  static constexpr std::array<const char*, 4> kColumns = {"indicator", "value", "pct_of_plan", "yoy_pct"};
  EXPECT_TRUE(ReadCsvFile<4>(kLangSon + "/reference-2017-q1.csv", kColumns, {"indicator", "value"},
                             [&](const CsvRow<4>& row) {
                               tonghop::v1::AggregateUpdate a;
                               a.set_indicator(row.cells[0]);
                               a.set_period("2017-Q1");
                               a.set_value(std::stod(row.cells[1]));
                               a.set_unit(catalog.FindIndicator(row.cells[0])->unit);
                               if (!row.cells[2].empty()) a.set_pct_of_plan(std::stod(row.cells[2]));
                               if (!row.cells[3].empty()) a.set_yoy_pct(std::stod(row.cells[3]));
                               a.set_units_reported(catalog.FindIndicator(row.cells[0])->expected_units.size());
                               a.set_units_expected(a.units_reported());
                               aggregates.push_back(a);
                               return Status::OK();
                             }).ok());
  return aggregates;
}

class ReportTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog_));
    ASSERT_TRUE(ReadFileToString(kReference, &reference_).ok()) << "the shared reference report is missing";
    aggregates_ = ReferenceQuarter(catalog_);
  }
  Catalog catalog_;
  std::string reference_;
  std::vector<tonghop::v1::AggregateUpdate> aggregates_;
};

TEST_F(ReportTest, SentencesAreThoseOfTheReferenceReport) {
  std::string report = WriteReport(catalog_, "2017-Q1", aggregates_, "txt");
  // Copied from the reference report (section II, 1.a and 1.c); each must be in both.
  const char* sentences[] = {
      "lúa xuân 5.180 ha, đạt 35% kế hoạch, giảm 2,6% so với cùng kỳ",
      "cây thuốc lá 2.472 ha, đạt 70,6% kế hoạch, tăng 33,9%",
      "cây thạch đen 574 ha, đạt 27,3% kế hoạch, giảm 44%",
      "rau các loại 3.630 ha, đạt 69% kế hoạch, tăng 7,2%",
      "ước có 121,5 nghìn con, tăng 0,41% so với cùng kỳ; đàn bò 36,9 nghìn con, tăng 2,74%; "
      "đàn lợn 359,8 nghìn con, tăng 2,11%; đàn gia cầm 4.325,9 nghìn con, tăng 8,66%",
      "Tổng mức lưu chuyển hàng hóa bán lẻ ước đạt 4.700 tỷ đồng, bằng 27,9% kế hoạch, tăng 9,9% so với cùng kỳ",
      "ước đạt 23.134 ha, bằng 22,58% kế hoạch, tương đương so",
  };
  for (const char* sentence : sentences) {
    EXPECT_NE(reference_.find(sentence), std::string::npos) << "not in the reference: " << sentence;
    EXPECT_NE(report.find(sentence), std::string::npos) << "not in the report: " << sentence << "\n" << report;
  }
  // The wording of the total's clause, with the change said in full.
  EXPECT_NE(report.find("Tổng diện tích gieo trồng vụ Đông Xuân ước đạt 23.134 ha, bằng 22,58% kế hoạch, "
                        "tương đương so với cùng kỳ. Trong đó: lúa xuân"),
            std::string::npos)
      << report;
}

TEST_F(ReportTest, WarningsAndPartialValuesAreMarked) {
  for (auto& a : aggregates_) {
    if (a.indicator() == "invest.executed.total") {
      auto* w = a.add_warnings();
      w->set_rule("parts_sum");
      for (const char* part : {"invest.executed.local_budget", "invest.executed.central_targeted",
                               "invest.executed.national_programs", "invest.executed.oda"}) {
        w->add_units(part);
      }
    }
    if (a.indicator() == "agri.herd.pigs") {
      a.set_partial(true);
      a.set_units_reported(9);
    }
  }
  std::string report = WriteReport(catalog_, "2017-Q1", aggregates_, "md");
  EXPECT_NE(report.find("408,93 tỷ đồng, bằng 20,18% kế hoạch (Cảnh báo: các thành phần cộng lại được 403,62 tỷ đồng, "
                        "không khớp với tổng số 408,93 tỷ đồng)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("đàn lợn 359,8 nghìn con, tăng 2,11% (số liệu chưa đầy đủ: 9/11 đơn vị đã báo cáo)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("## II. TÌNH HÌNH VÀ KẾT QUẢ THỰC HIỆN quý I năm 2017"), std::string::npos);
  EXPECT_NE(report.find("### 1. Sản xuất nông nghiệp"), std::string::npos);
}

TEST_F(ReportTest, HtmlIsEscapedAndAnEmptyPeriodSaysSo) {
  std::string html = WriteReport(catalog_, "2017-Q1", aggregates_, "html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_NE(html.find("<h3>1. Sản xuất nông nghiệp</h3>"), std::string::npos);
  EXPECT_NE(WriteReport(catalog_, "2018-Q1", {}, "txt").find("Chưa có số liệu của kỳ này."), std::string::npos);
}

TEST(SectorTitleTest, TheReportsHeadingOrTheCode) {
  EXPECT_EQ(SectorTitle("agriculture"), "Sản xuất nông nghiệp");
  EXPECT_EQ(SectorTitle("security"), "Quốc phòng, an ninh, trật tự an toàn xã hội");
  EXPECT_EQ(SectorTitle("fisheries"), "fisheries");
}

}  // namespace
}  // namespace tonghop::cli
