#include "cli/period_status.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "cli/watch_view.h"
#include "core/testing/status_matchers.h"

namespace tonghop::cli {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

// Lạng Sơn's shape: 18 units, 15 sectors, some late and overdue.
tonghop::v1::StatusReply LangSonLike() {
  tonghop::v1::StatusReply status;
  status.set_period("2017-Q1");
  const char* sectors[] = {"agriculture", "budget",    "credit",     "education", "enterprise",
                           "forestry",    "health",    "industry",   "inspection", "investment",
                           "rural",       "security",  "tourism",    "trade",      "transport"};
  for (int u = 0; u < 18; ++u) {
    for (const char* sector : sectors) {
      auto* cell = status.add_cells();
      cell->set_reporting_unit(fmt::format("unit-{:02}", u));
      cell->set_sector(sector);
      cell->set_expected(10);
      cell->set_reported(u == 3 ? 7 : 10);
      if (u == 3) cell->set_overdue(3);
      if (u == 5) cell->set_late(2);
      if (u == 6) cell->set_reported_not_due(12);
    }
  }
  return status;
}

// Issue 12: `status --period` was 231 columns wide.
TEST(PeriodStatusTest, TheMatrixFitsEightyColumns) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", &catalog));
  const std::string text = FormatStatusMatrix(LangSonLike(), &catalog, 80);
  for (const std::string& line : Lines(text)) EXPECT_LE(DisplayWidth(line), 80u) << line;
  // Every sector is still there, each cell too: the columns that do not fit go on below.
  for (const char* sector : {"agriculture", "transport"}) {
    EXPECT_NE(text.find(sector), std::string::npos) << text;
  }
  EXPECT_NE(text.find("7/10 O3"), std::string::npos) << text;
  EXPECT_NE(text.find("10/10 L2"), std::string::npos) << text;
  EXPECT_NE(text.find("10/10 +12"), std::string::npos) << text;
  EXPECT_NE(text.find("period 2017-Q1: 2655/2700 figures reported, 30 late, 45 missing (45 of them\noverdue)"),
            std::string::npos)
      << text;
}

// Issue 16: at the nation a province's total is partial because some of its own units are
// missing; the matrix says "partial" and, under it, why: each reason once, with its indicators.
TEST(PeriodStatusTest, TotalsPartialFromBelowSayWhyUnderTheMatrixEachReasonOnce) {
  tonghop::v1::StatusReply status;
  status.set_period("2026-Q1");
  auto* cell = status.add_cells();
  cell->set_reporting_unit("cao-bang");
  cell->set_sector("health");
  cell->set_expected(3);
  for (const auto& [indicator, reason] : std::vector<std::pair<std::string, std::string>>{
           {"health.beds", "cao-bang: 1 of 2 units"},
           {"health.examinations", "cao-bang: 1 of 2 units"},
           {"health.staff", "cao-bang: 3 of 5 units (bao-lac: 0 of 1 units)"}}) {
    auto* total = status.add_partial_totals();
    total->set_indicator(indicator);
    total->set_reason(reason);
  }
  const std::string text = FormatStatusMatrix(status, nullptr, 80);
  const std::string shared = "~ partial: cao-bang: 1 of 2 units\n  health.beds, health.examinations\n";
  const size_t at = text.find(shared);
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_EQ(text.find("cao-bang: 1 of 2 units", at + shared.size()), std::string::npos) << text;  // once
  EXPECT_NE(text.find("~ partial: cao-bang: 3 of 5 units (bao-lac: 0 of 1 units)\n  health.staff\n"), std::string::npos)
      << text;
  // Under the matrix.
  EXPECT_GT(at, text.find("cao-bang  0/3")) << text;
  for (const std::string& line : Lines(text)) EXPECT_LE(DisplayWidth(line), 80u) << line;
}

}  // namespace
}  // namespace tonghop::cli
