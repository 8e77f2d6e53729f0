#include "core/update_validator.h"
#include "core/clock.h"
#include "core/testing/status_matchers.h"
#include "core/transport.h"

#include <cmath>
#include <gtest/gtest.h>

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

class UpdateValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/catalog", &catalog_));
    update_.set_seq(1);
    update_.set_reporting_unit("north");
    update_.set_indicator("agri.area.total");
    update_.set_period("2017-Q1");
    update_.set_value(12.5);
  }
  RejectReason Check(std::string* text) {
    ValidatedUpdate out;
    return UpdateValidator(&catalog_).Validate(update_, NowMs(), &out, text);
  }
  Catalog catalog_;
  tonghop::v1::IndicatorUpdate update_;
};

TEST_F(UpdateValidatorTest, AcceptsAValidUpdate) {
  std::string text;
  ValidatedUpdate out;
  EXPECT_EQ(UpdateValidator(&catalog_).Validate(update_, NowMs(), &out, &text), RejectReason::REJECT_REASON_UNSPECIFIED);
  EXPECT_EQ(out.value.micros(), 12'500000);
  EXPECT_EQ(out.indicator->id, "agri.area.total");
}

// The exact text is the figure; the double beside it is only for aggregators that predate it.
TEST_F(UpdateValidatorTest, TheExactDecimalWinsOverTheDouble) {
  update_.set_value_decimal("123456789012345.123456");
  std::string text;
  ValidatedUpdate out;
  ASSERT_EQ(UpdateValidator(&catalog_).Validate(update_, NowMs(), &out, &text), RejectReason::REJECT_REASON_UNSPECIFIED)
      << text;
  EXPECT_EQ(out.value.ToString(), "123456789012345.123456");
}

TEST_F(UpdateValidatorTest, EachRejectionNamesTheField) {
  struct Case {
    std::function<void(tonghop::v1::IndicatorUpdate*)> spoil;
    RejectReason reason;
    const char* field;
  };
  const Case cases[] = {
      {[](auto* u) { u->set_reporting_unit("atlantis"); }, RejectReason::REJECT_REASON_UNKNOWN_REPORTING_UNIT, "reporting_unit"},
      {[](auto* u) { u->set_reporting_unit(""); }, RejectReason::REJECT_REASON_MALFORMED, "reporting_unit"},
      {[](auto* u) { u->set_indicator("agri.nope"); }, RejectReason::REJECT_REASON_UNKNOWN_INDICATOR, "indicator"},
      {[](auto* u) { u->set_indicator(std::string(10'000, 'x')); }, RejectReason::REJECT_REASON_MALFORMED, "indicator"},
      {[](auto* u) { u->set_reporting_unit("bank"); }, RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED, "reporting_unit"},
      {[](auto* u) { u->set_period("2017-Q5"); }, RejectReason::REJECT_REASON_INVALID_PERIOD, "period"},
      {[](auto* u) { u->set_value(std::nan("")); }, RejectReason::REJECT_REASON_INVALID_VALUE, "value"},
      {[](auto* u) { u->set_value(-INFINITY); }, RejectReason::REJECT_REASON_INVALID_VALUE, "value"},
      {[](auto* u) { u->set_value(5e18); }, RejectReason::REJECT_REASON_INVALID_VALUE, "value"},
      {[](auto* u) { u->set_value_decimal("1.2.3"); }, RejectReason::REJECT_REASON_INVALID_VALUE, "value"},
      {[](auto* u) { u->set_value_decimal("1234567890123456789"); }, RejectReason::REJECT_REASON_INVALID_VALUE, "value"},
  };
  for (const Case& c : cases) {
    SetUp();
    c.spoil(&update_);
    std::string text;
    EXPECT_EQ(Check(&text), c.reason) << text;
    EXPECT_NE(text.find(std::string("'") + c.field + "'"), std::string::npos) << text;
  }
}

// A void names a figure and carries no value: it is judged by its ids alone. A kind from a newer
// peer is refused naming the field, never taken for a figure.
TEST_F(UpdateValidatorTest, AVoidIsJudgedByItsIdsAndAnUnknownKindIsMalformed) {
  update_.clear_value();
  update_.set_value(std::nan(""));
  update_.set_kind(tonghop::v1::UPDATE_KIND_VOID);
  std::string text;
  ValidatedUpdate out;
  ASSERT_EQ(UpdateValidator(&catalog_).Validate(update_, NowMs(), &out, &text), RejectReason::REJECT_REASON_UNSPECIFIED)
      << text;
  EXPECT_EQ(out.indicator->id, "agri.area.total");
  update_.set_indicator("agri.nope");
  EXPECT_EQ(Check(&text), RejectReason::REJECT_REASON_UNKNOWN_INDICATOR) << text;

  SetUp();
  update_.set_kind(static_cast<tonghop::v1::UpdateKind>(7));
  EXPECT_EQ(Check(&text), RejectReason::REJECT_REASON_MALFORMED) << text;
  EXPECT_NE(text.find("'kind'"), std::string::npos) << text;
}

// The test catalog accepts 1990 to next_year (tests/testdata/catalog/years.csv).
TEST_F(UpdateValidatorTest, PeriodsOutsideTheCatalogsYearsAreRejectedNamingThem) {
  // 2026-06-01 UTC: next_year is 2027.
  const int64_t june_2026_ms = 1'780'272'000'000;
  ASSERT_EQ(UtcYearOfMs(june_2026_ms), 2026);
  for (const char* period : {"1900", "1989-12", "2028-Q1", "2999"}) {
    update_.set_period(period);
    std::string text;
    ValidatedUpdate out;
    EXPECT_EQ(UpdateValidator(&catalog_).Validate(update_, june_2026_ms, &out, &text),
              RejectReason::REJECT_REASON_INVALID_PERIOD) << period;
    EXPECT_EQ(text, std::string("field 'period': '") + period + "' is outside the years the catalog accepts figures "
                    "for, 1990 to next_year (2027) (catalog file years.csv)");
  }
  for (const char* period : {"1990-01", "2017-Q1", "2026-Q2", "2027"}) {
    update_.set_period(period);
    std::string text;
    ValidatedUpdate out;
    EXPECT_EQ(UpdateValidator(&catalog_).Validate(update_, june_2026_ms, &out, &text),
              RejectReason::REJECT_REASON_UNSPECIFIED) << period << ": " << text;
  }
  // A year later, 2028 is next year.
  update_.set_period("2028-Q1");
  std::string text;
  ValidatedUpdate out;
  EXPECT_EQ(UpdateValidator(&catalog_).Validate(update_, june_2026_ms + 365LL * 86'400'000, &out, &text),
            RejectReason::REJECT_REASON_UNSPECIFIED) << text;
}

TEST(UpdateValidatorStatisticsTest, WrongPeriodTypesAndForbiddenNegativesAreRejectedWithTheReason) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/tests/testdata/statistics-catalog", &catalog));
  UpdateValidator validator(&catalog);
  auto check = [&](const char* unit, const char* indicator, const char* period, double value, std::string* text) {
    tonghop::v1::IndicatorUpdate update;
    update.set_reporting_unit(unit);
    update.set_indicator(indicator);
    update.set_period(period);
    update.set_value(value);
    ValidatedUpdate out;
    return validator.Validate(update, NowMs(), &out, text);
  };
  std::string text;
  EXPECT_EQ(check("north", "area.total", "2017-01", 5, &text), RejectReason::REJECT_REASON_UNSPECIFIED) << text;
  EXPECT_EQ(check("north", "area.total", "2017-Q1", 5, &text), RejectReason::REJECT_REASON_UNSPECIFIED) << text;
  EXPECT_EQ(check("north", "area.total", "2017-H1", 5, &text), RejectReason::REJECT_REASON_PERIOD_TYPE_NOT_ACCEPTED);
  EXPECT_EQ(text, "field 'period': '2017-H1' is a half_year, but 'area.total' is reported by month or quarter "
                  "(catalog column period_type); longer periods are derived from those");
  EXPECT_EQ(check("stats", "cpi.change", "2017-03", 2.2, &text), RejectReason::REJECT_REASON_PERIOD_TYPE_NOT_ACCEPTED);
  EXPECT_EQ(check("north", "area.total", "2017-01", -0.5, &text), RejectReason::REJECT_REASON_NEGATIVE_VALUE);
  EXPECT_EQ(text, "field 'value': -0.5 is negative, but 'area.total' cannot be (catalog column non_negative)");
  // A change in percent may be negative.
  EXPECT_EQ(check("stats", "cpi.change", "2017-Q1", -1.5, &text), RejectReason::REJECT_REASON_UNSPECIFIED) << text;
}

// Lạng Sơn's districts report until 30 June 2025 and its communes and wards from 1 July 2025
// (deploy/lang-son/units.csv): the collector and the aggregator refuse a figure outside them.
TEST(UpdateValidatorUnitsTest, AUnitReportsOnlyForPeriodsItExistsIn) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son", &catalog));
  UpdateValidator validator(&catalog);
  auto check = [&](const char* unit, const char* period, std::string* text) {
    tonghop::v1::IndicatorUpdate update;
    update.set_reporting_unit(unit);
    update.set_indicator("agri.sown_area.total");
    update.set_period(period);
    update.set_value(100);
    ValidatedUpdate out;
    return validator.Validate(update, NowMs(), &out, text);
  };
  std::string text;
  EXPECT_EQ(check("cao-loc", "2017-Q1", &text), RejectReason::REJECT_REASON_UNSPECIFIED) << text;
  EXPECT_EQ(check("xa-cao-loc", "2026-Q1", &text), RejectReason::REJECT_REASON_UNSPECIFIED) << text;
  EXPECT_EQ(check("trang-dinh", "2026-Q1", &text), RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED);
  EXPECT_EQ(text.substr(0, text.find(';')),
            "field 'reporting_unit': 'trang-dinh' reports until 2025-06-30 (catalog units.csv, valid_to), so not for "
            "2026-Q1");
  EXPECT_NE(text.find("xa-that-khe"), std::string::npos) << text;
  EXPECT_EQ(check("xa-cao-loc", "2017-Q1", &text), RejectReason::REJECT_REASON_UNIT_NOT_EXPECTED);
  EXPECT_EQ(text, "field 'reporting_unit': 'xa-cao-loc' reports from 2025-07-01 (catalog units.csv, valid_from), so "
                  "not for 2017-Q1");
}

}  // namespace
}  // namespace tonghop
