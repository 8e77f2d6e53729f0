#include "collector/rejection_file.h"

#include <gtest/gtest.h>

#include "core/csv.h"
#include "core/testing/temp_dir.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

tonghop::storage::v1::RejectedUpdate Rejected(uint64_t seq, const std::string& indicator, double value,
                                              const std::string& text) {
  tonghop::storage::v1::RejectedUpdate r;
  r.mutable_update()->set_seq(seq);
  r.mutable_update()->set_indicator(indicator);
  r.mutable_update()->set_period("2017-Q1");
  r.mutable_update()->set_value(value);
  r.set_reason(tonghop::v1::REJECT_REASON_UNKNOWN_INDICATOR);
  r.set_text(text);
  r.set_rejected_at_ms(1490954400000);
  return r;
}

TEST(RejectionFileTest, HeaderOnceThenOneRowPerRejection) {
  testing::TempDir dir;
  RejectionFile file(dir.Sub("rejected.csv"));
  ASSERT_OK(file.Append({Rejected(7, "agri.x", 1000000, "unknown indicator 'agri.x', check the id")}));
  ASSERT_OK(file.Append({Rejected(9, "agri.y", 12.25, "plain")}));

  std::vector<std::array<std::string, 7>> rows;
  Status s = ReadCsvFile<7>(file.path(), {"seq", "indicator", "period", "value", "reason", "text", "rejected_at"},
                            {"seq", "indicator", "period", "value", "reason", "text", "rejected_at"},
                            [&](const CsvRow<7>& row) {
                              rows.push_back(row.cells);
                              return Status::OK();
                            });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0][0], "7");
  EXPECT_EQ(rows[0][1], "agri.x");
  EXPECT_EQ(rows[0][3], "1000000");
  EXPECT_EQ(rows[0][4], "UNKNOWN_INDICATOR");
  EXPECT_EQ(rows[0][5], "unknown indicator 'agri.x', check the id");
  EXPECT_TRUE(rows[0][6].starts_with("2017-03-31T")) << rows[0][6];
  EXPECT_EQ(rows[1][3], "12.25");
}

// A district officer reads rejected.csv: in Vietnamese it says why in words first.
TEST(RejectionFileTest, InVietnameseTheReasonComesFirstInWords) {
  testing::TempDir dir;
  RejectionFile file(dir.Sub("rejected.csv"), Language::kVietnamese);
  ASSERT_OK(file.Append({Rejected(7, "agri.x", 1, "field 'indicator': unknown indicator 'agri.x'")}));
  std::string text;
  ASSERT_OK(ReadFileToString(file.path(), &text));
  EXPECT_NE(text.find("UNKNOWN_INDICATOR,mã chỉ tiêu không có trong danh mục; hãy kiểm tra lại mã (máy chủ tổng hợp: "
                      "field 'indicator': unknown indicator 'agri.x'),"),
            std::string::npos) << text;
}

}  // namespace
}  // namespace tonghop
