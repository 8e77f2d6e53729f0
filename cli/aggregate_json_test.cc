#include "cli/aggregate_json.h"
#include "cli/testing_aggregates.h"

#include <gtest/gtest.h>

#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

nlohmann::json Parsed(const tonghop::v1::AggregateUpdate& update) {
  return nlohmann::json::parse(DumpJson(AggregateToJson(update, nullptr)));
}

TEST(AggregateJsonTest, AbsentPercentagesAreNullAndPresentOnesNumbersEvenWhenZero) {
  tonghop::v1::AggregateUpdate without = Aggregate(1, "agri.x", "2017-Q1", 5);
  nlohmann::json json = Parsed(without);
  EXPECT_TRUE(json["pct_of_plan"].is_null());
  EXPECT_TRUE(json["yoy_pct"].is_null());

  tonghop::v1::AggregateUpdate with = without;
  SetPctOfPlan(Decimal::FromMicros(22'580000), &with);
  SetYoyPct(Decimal(), &with);
  json = Parsed(with);
  EXPECT_EQ(json["pct_of_plan"].get<double>(), 22.58);
  ASSERT_TRUE(json["yoy_pct"].is_number());
  EXPECT_EQ(json["yoy_pct"].get<double>(), 0);
}

// Issue 11: "yoy_pct":0.4100000624773334 and 34.20000003527871 were a double's noise, and a
// value of 21 significant digits came out rounded to 17.
TEST(AggregateJsonTest, NumbersAreTheirExactDecimalText) {
  tonghop::v1::AggregateUpdate update = Aggregate(1, "budget.x", "2017-Q1", 0);
  Decimal value;
  ASSERT_TRUE(Decimal::Parse("123456789012345.123456", &value).ok());
  SetValue(value, &update);
  SetYtdValue(value, &update);
  SetPctOfPlan(Decimal::FromMicros(34'200000), &update);
  SetYoyPct(Decimal::FromMicros(410000), &update);
  const std::string text = DumpJson(AggregateToJson(update, nullptr));
  EXPECT_NE(text.find(R"("value":123456789012345.123456,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("ytd_value":123456789012345.123456,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("pct_of_plan":34.2,"yoy_pct":0.41,)"), std::string::npos) << text;
}

TEST(AggregateJsonTest, AnAggregatorThatSendsOnlyDoublesIsReadAsTheDecimalsTheyStandFor) {
  tonghop::v1::AggregateUpdate update = Aggregate(1, "agri.x", "2017-Q1", 17.28);
  update.set_pct_of_plan(22.58);
  const std::string text = DumpJson(AggregateToJson(update, nullptr));
  EXPECT_NE(text.find(R"("value":17.28,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("pct_of_plan":22.58,)"), std::string::npos) << text;
}

TEST(AggregateJsonTest, DocumentHasSeqAndEveryFieldSortedByIndicatorThenPeriod) {
  AggregateTable table;
  table.Apply(Aggregate(3, "trade.retail", "2017-Q1", 1));
  table.Apply(Aggregate(1, "agri.x", "2017-Q2", 2));
  table.Apply(Aggregate(2, "agri.x", "2017-Q1", 3));
  nlohmann::json document = nlohmann::json::parse(AggregatesToJson(table, 42, nullptr));
  EXPECT_EQ(document["seq"], 42);
  ASSERT_EQ(document["aggregates"].size(), 3u);
  std::vector<std::pair<std::string, std::string>> order;
  for (const auto& a : document["aggregates"]) order.emplace_back(a["indicator"], a["period"]);
  EXPECT_EQ(order, (std::vector<std::pair<std::string, std::string>>{
                       {"agri.x", "2017-Q1"}, {"agri.x", "2017-Q2"}, {"trade.retail", "2017-Q1"}}));
  const auto& first = document["aggregates"][0];
  EXPECT_EQ(first["value"], 3.0);
  EXPECT_EQ(first["unit"], "ha");
  EXPECT_EQ(first["units_reported"], 9);
  EXPECT_EQ(first["units_expected"], 11);
  EXPECT_EQ(first["partial"], false);
  EXPECT_EQ(first["derived"], false);
  EXPECT_TRUE(first["ytd_value"].is_null());
  EXPECT_TRUE(first["warnings"].empty());
  EXPECT_EQ(first["ytd_units_reported"], 0);
  EXPECT_TRUE(first["sub_periods"].empty());
  EXPECT_TRUE(first["partial_units"].empty());
  EXPECT_EQ(first.size(), 15u);
}

TEST(AggregateJsonTest, ADerivedPeriodListsItsQuartersAndTheUnitsBehindEach) {
  tonghop::v1::AggregateUpdate year = Aggregate(1, "agri.x", "2017", 23134);
  year.set_derived(true);
  year.set_units_reported(0);
  for (const char* quarter : {"2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"}) {
    auto* sub = year.add_sub_periods();
    sub->set_period(quarter);
    if (std::string(quarter) == "2017-Q1") {
      sub->set_units_reported(11);
      sub->set_units_with_figures(11);
    }
  }
  nlohmann::json json = Parsed(year);
  ASSERT_EQ(json["sub_periods"].size(), 4u);
  EXPECT_EQ(json["sub_periods"][0]["period"], "2017-Q1");
  EXPECT_EQ(json["sub_periods"][0]["units_reported"], 11);
  EXPECT_EQ(json["sub_periods"][1]["units_with_figures"], 0);
}

TEST(AggregateJsonTest, EmptyTableIsAnEmptyListAndOutputIsOneLine) {
  std::string text = AggregatesToJson(AggregateTable(), 0, nullptr);
  EXPECT_EQ(text, R"({"seq":0,"aggregates":[]})");
}

TEST(AggregateJsonTest, InvalidUtf8FromTheNetworkIsReplacedNotFatal) {
  AggregateTable table;
  tonghop::v1::AggregateUpdate update = Aggregate(1, "agri.x", "2017-Q1", 1);
  update.set_unit("nghi\xff");
  table.Apply(update);
  std::string text = AggregatesToJson(table, 1, nullptr);
  nlohmann::json document = nlohmann::json::parse(text);
  EXPECT_EQ(document["aggregates"][0]["unit"], "nghi\xef\xbf\xbd");
}

// The one writer of a comparable group, shared by `tonghop query --by group --format json` and the
// web node's /groups: every field in its order, the sums as their exact decimal text, and null,
// never 0, where a side has no value or a faulty peer sent text that is not a number.
TEST(AggregateJsonTest, AGroupIsEveryFieldInOrderWithExactNumbersAndNullsForNoValue) {
  tonghop::v1::GroupFigure group;
  group.set_indicator("budget.x");
  group.set_period("2026-Q1");
  group.add_units_before("D01");
  group.add_units_before("D02");
  group.add_units_after("C10");
  group.set_value_decimal("123456789012345.123456");
  group.set_units_reported(1);
  group.set_units_expected(1);
  group.set_previous_period("2025-Q1");
  group.set_previous_value_decimal("0.1");
  group.set_previous_units_reported(1);
  group.set_previous_units_expected(2);
  group.set_change_pct_decimal("-12.5");
  group.set_partial(true);
  EXPECT_EQ(DumpJson(GroupToJson(group)),
            R"({"indicator":"budget.x","period":"2026-Q1","units_after":["C10"],"value":123456789012345.123456,)"
            R"("units_reported":1,"units_expected":1,"previous_period":"2025-Q1","units_before":["D01","D02"],)"
            R"("previous_value":0.1,"previous_units_reported":1,"previous_units_expected":2,"change_pct":-12.5,)"
            R"("partial":true})");

  group.set_value_decimal("");
  group.set_previous_value_decimal("not a number");
  group.clear_change_pct_decimal();
  const std::string text = DumpJson(GroupToJson(group));
  EXPECT_NE(text.find(R"("value":null,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("previous_value":null,)"), std::string::npos) << text;
  EXPECT_NE(text.find(R"("change_pct":null,)"), std::string::npos) << text;
}

}  // namespace
}  // namespace tonghop::cli
