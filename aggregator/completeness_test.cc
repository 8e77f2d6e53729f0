#include "aggregator/completeness.h"

#include <gtest/gtest.h>

#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

Period P(const char* text) {
  Period p;
  EXPECT_OK(Period::Parse(text, &p));
  return p;
}

std::vector<std::string> Texts(const std::vector<Period>& periods) {
  std::vector<std::string> out;
  for (const Period& p : periods) out.push_back(p.ToString());
  return out;
}

Indicator Quarterly() {
  Indicator indicator;
  indicator.id = "area.total";
  indicator.period_types = PeriodTypeBit(Period::Type::kMonth) | PeriodTypeBit(Period::Type::kQuarter);
  indicator.deadline_days = 10;
  return indicator;
}

TEST(CompletenessTest, ADerivedPeriodIsToldInQuartersOrMonths) {
  EXPECT_EQ(Texts(CompletenessSubPeriods(P("2017"))),
            (std::vector<std::string>{"2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"}));
  EXPECT_EQ(Texts(CompletenessSubPeriods(P("2017-H2"))), (std::vector<std::string>{"2017-Q3", "2017-Q4"}));
  EXPECT_EQ(Texts(CompletenessSubPeriods(P("2017-Q1"))), (std::vector<std::string>{"2017-01", "2017-02", "2017-03"}));
  EXPECT_TRUE(CompletenessSubPeriods(P("2017-05")).empty());
}

// Issue 11: `status --period 2017-03` showed 619 figures overdue from units that report quarterly.
TEST(CompletenessTest, AnIndicatorIsDueForItsLongestPeriodTypeAndWhatIsMadeOfIt) {
  const Indicator quarterly = Quarterly();
  EXPECT_EQ(DuePeriodType(quarterly), Period::Type::kQuarter);
  EXPECT_TRUE(DuePeriodsWithin(quarterly, P("2017-03")).empty());
  EXPECT_EQ(Texts(DuePeriodsWithin(quarterly, P("2017-Q1"))), (std::vector<std::string>{"2017-Q1"}));
  EXPECT_EQ(Texts(DuePeriodsWithin(quarterly, P("2017-H1"))), (std::vector<std::string>{"2017-Q1", "2017-Q2"}));
  Indicator monthly = quarterly;
  monthly.period_types = PeriodTypeBit(Period::Type::kMonth);
  EXPECT_EQ(Texts(DuePeriodsWithin(monthly, P("2017-03"))), (std::vector<std::string>{"2017-03"}));
  EXPECT_EQ(DuePeriodsWithin(monthly, P("2017-Q1")).size(), 3u);
  Indicator any = quarterly;
  any.period_types = kAllPeriodTypes;
  EXPECT_EQ(DuePeriodType(any), Period::Type::kYear);
  EXPECT_TRUE(DuePeriodsWithin(any, P("2017-H1")).empty());
}

TEST(CompletenessTest, LateIsReportedAfterTheDeadlineAndOverdueIsMissingAfterIt) {
  const Indicator indicator = Quarterly();
  const std::vector<Period> due = DuePeriodsWithin(indicator, P("2017-H1"));
  const int64_t q1_deadline = *DueMs(indicator, P("2017-Q1"));  // 2017-04-11 00:00 UTC
  EXPECT_EQ(q1_deadline, P("2017-Q1").EndMs() + 10 * 86'400'000);
  const int64_t q2_deadline = *DueMs(indicator, P("2017-Q2"));
  UnitValue on_time{Decimal::FromUnits(1), true, false, q1_deadline + 1, q1_deadline - 1};
  UnitValue late{Decimal::FromUnits(1), true, false, q2_deadline + 5, q2_deadline + 5};
  UnitValue incomplete{Decimal::FromUnits(1), false, true, 0, 0};

  UnitTimeliness judged = JudgeUnit(indicator, due, {&on_time, nullptr}, q1_deadline + 1);
  EXPECT_TRUE(judged.expected);
  EXPECT_FALSE(judged.reported);
  EXPECT_FALSE(judged.late) << "reported before the deadline, though it arrived after";
  EXPECT_FALSE(judged.overdue) << "Q2 is not due yet";
  judged = JudgeUnit(indicator, due, {&on_time, nullptr}, q2_deadline + 1);
  EXPECT_TRUE(judged.overdue);
  judged = JudgeUnit(indicator, due, {&on_time, &late}, q2_deadline + 10);
  EXPECT_TRUE(judged.reported);
  EXPECT_TRUE(judged.late);
  EXPECT_FALSE(judged.overdue);
  judged = JudgeUnit(indicator, due, {&incomplete, &late}, q2_deadline + 10);
  EXPECT_FALSE(judged.reported);
  EXPECT_TRUE(judged.overdue) << "a quarter with a month missing after its deadline";
  judged = JudgeUnit(indicator, {}, {}, q2_deadline);
  EXPECT_FALSE(judged.expected);
}

}  // namespace
}  // namespace tonghop
