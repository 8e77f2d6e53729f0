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

}  // namespace
}  // namespace tonghop::cli
