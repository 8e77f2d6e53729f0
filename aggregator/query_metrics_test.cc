#include "aggregator/query_metrics.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

const std::string kLangSon = std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son";

// The series of tonghop_aggregator_unit_figures_overdue in `registry`, as "unit period" -> value.
std::map<std::string, double> Overdue(MetricsRegistry& registry) {
  std::map<std::string, double> series;
  for (const auto& family : registry.Collect()) {
    if (family.name != "tonghop_aggregator_unit_figures_overdue") continue;
    for (const auto& metric : family.metric) {
      std::string unit, period;
      for (const auto& label : metric.label) (label.name == "unit" ? unit : period) = label.value;
      series[unit + " " + period] = metric.gauge.value;
    }
  }
  return series;
}

TEST(QueryMetricsTest, TheLatestEndedPeriodsAreThoseOfTheTypesTheCatalogUses) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));  // months and quarters
  const int64_t may_15_2017 = 1494806400000;
  EXPECT_EQ(QueryMetrics::LatestEndedPeriods(catalog, may_15_2017), (std::vector<std::string>{"2017-Q1", "2017-04"}));
  const int64_t january_5_2017 = 1483574400000;
  EXPECT_EQ(QueryMetrics::LatestEndedPeriods(catalog, january_5_2017),
            (std::vector<std::string>{"2016-Q4", "2016-12"}));
}

TEST(QueryMetricsTest, OverdueFiguresAreSummedPerUnitAndAnEndedPeriodsSeriesGo) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(kLangSon, &catalog));
  MetricsRegistry registry;
  QueryMetrics metrics(registry);
  tonghop::v1::StatusReply status;
  status.set_period("2017-Q1");
  for (auto [sector, overdue] : {std::pair{"agriculture", 2}, std::pair{"industry", 1}}) {
    auto* cell = status.add_cells();
    cell->set_reporting_unit("cao-loc");
    cell->set_sector(sector);
    cell->set_overdue(overdue);
  }
  metrics.SetOverdue(catalog, status);
  std::map<std::string, double> series = Overdue(registry);
  EXPECT_EQ(series.size(), catalog.units().size());  // every unit of the catalog, none other
  EXPECT_EQ(series["cao-loc 2017-Q1"], 3);
  EXPECT_EQ(series["loc-binh 2017-Q1"], 0);

  status.set_period("2017-Q2");
  status.mutable_cells(0)->set_overdue(5);
  metrics.SetOverdue(catalog, status);
  series = Overdue(registry);
  EXPECT_EQ(series.size(), catalog.units().size());
  EXPECT_EQ(series.count("cao-loc 2017-Q1"), 0u);
  EXPECT_EQ(series["cao-loc 2017-Q2"], 6);
}

}  // namespace
}  // namespace tonghop
