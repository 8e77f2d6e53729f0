#include "collector/collector_catalog.h"

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop {
namespace {

const std::string kCatalogDir = std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog";

// The files as the aggregator sends them (aggregator/aggregator.cc).
tonghop::v1::CatalogFiles FilesOf(const Catalog& catalog) {
  tonghop::v1::CatalogFiles files;
  files.set_version(catalog.fingerprint());
  for (const char* name : Catalog::FileNames()) {
    auto* file = files.add_files();
    file->set_name(name);
    file->set_content(catalog.files().at(name));
  }
  return files;
}

tonghop::v1::IndicatorUpdate Figure(const std::string& indicator, const std::string& period, const std::string& value) {
  tonghop::v1::IndicatorUpdate figure;
  figure.set_reporting_unit("north");
  figure.set_indicator(indicator);
  figure.set_period(period);
  figure.set_value_decimal(value);
  return figure;
}

class CollectorCatalogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(kCatalogDir, &catalog_));
    ASSERT_OK(Outbox::Open(dir_.Sub("outbox"), &outbox_));
  }
  testing::TempDir dir_;
  Catalog catalog_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(CollectorCatalogTest, JudgesByTheAggregatorsCatalogOnceItHasOne) {
  CollectorCatalog held("north", outbox_.get());
  held.Restore();
  EXPECT_FALSE(held.has_catalog());
  EXPECT_TRUE(held.Check(Figure("agri.nothing", "2017-Q1", "1"), NowMs()).empty()) << "no catalog: the aggregator judges";

  ASSERT_OK(held.Take(FilesOf(catalog_)));
  EXPECT_EQ(held.version(), catalog_.fingerprint());
  EXPECT_TRUE(held.knows_unit());
  EXPECT_TRUE(held.Check(Figure("agri.area.total", "2017-Q1", "1"), NowMs()).empty());
  auto problems = held.Check(Figure("agri.nothing", "2017-Q1", "1"), NowMs());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "indicator");
  EXPECT_EQ(problems[0].why, "unknown indicator 'agri.nothing' (not in the catalog's indicators.csv)");
  problems = held.Check(Figure("agri.area.total", "1900-Q1", "1"), NowMs());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].field, "period");

  // Kept across a restart, for a collector whose aggregator is then out of reach.
  CollectorCatalog restarted("north", outbox_.get());
  restarted.Restore();
  EXPECT_EQ(restarted.version(), catalog_.fingerprint());
  EXPECT_FALSE(CollectorCatalog("nowhere", outbox_.get()).knows_unit());
}

TEST_F(CollectorCatalogTest, FilesThatDoNotMatchTheirVersionOrDoNotLoadAreRefusedAndTheHeldOneKept) {
  CollectorCatalog held("north", outbox_.get());
  ASSERT_OK(held.Take(FilesOf(catalog_)));

  tonghop::v1::CatalogFiles wrong_version = FilesOf(catalog_);
  wrong_version.set_version(catalog_.fingerprint() + 1);
  Status s = held.Take(wrong_version);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("not to their version"), std::string::npos) << s.ToString();

  tonghop::v1::CatalogFiles missing = FilesOf(catalog_);
  missing.mutable_files()->RemoveLast();
  s = held.Take(missing);
  EXPECT_TRUE(s.IsInvalidArgument()) << s.ToString();
  EXPECT_NE(s.message().find("years.csv: missing"), std::string::npos) << s.ToString();

  EXPECT_EQ(held.version(), catalog_.fingerprint());
  CollectorCatalog restarted("north", outbox_.get());
  restarted.Restore();
  EXPECT_EQ(restarted.version(), catalog_.fingerprint()) << "what was refused is not kept";
}

}  // namespace
}  // namespace tonghop
