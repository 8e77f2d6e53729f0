#include "cli/watch_view.h"
#include "cli/testing_aggregates.h"
#include "core/testing/status_matchers.h"
#include "core/wire_protocol.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

namespace tonghop::cli {
namespace {

// A complete total: every expected unit has reported.
tonghop::v1::AggregateUpdate Complete(uint64_t seq, std::string indicator, std::string period, double value) {
  tonghop::v1::AggregateUpdate update = Aggregate(seq, std::move(indicator), std::move(period), value);
  update.set_units_reported(update.units_expected());
  return update;
}

// The layout of the tests that read the English words.
const TableLayout kEnglish = [] {
  TableLayout layout;
  layout.language = Language::kEnglish;
  return layout;
}();

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  for (size_t end; (end = text.find('\n', start)) != std::string::npos; start = end + 1) {
    lines.push_back(text.substr(start, end - start));
  }
  return lines;
}

TEST(WatchViewTest, SectorIsTheFirstIdSegment) {
  EXPECT_EQ(SectorOf("agri.sown_area.total"), "agri");
  EXPECT_EQ(SectorOf("budget"), "budget");
}

TEST(WatchViewTest, YoyIsAlwaysSignedAndNeverNegativeZero) {
  tonghop::v1::AggregateUpdate update = Complete(1, "agri.x", "2017-Q1", 1);
  EXPECT_EQ(YoyCell(update), "-");
  update.set_yoy_pct(9.94);
  EXPECT_EQ(YoyCell(update), "+9.9%");
  update.set_yoy_pct(-2.6);
  EXPECT_EQ(YoyCell(update), "-2.6%");
  update.set_yoy_pct(-0.04);
  EXPECT_EQ(YoyCell(update), "0.0%");
  update.set_yoy_pct(0);
  EXPECT_EQ(YoyCell(update), "0.0%");
  update.set_yoy_pct(133.96);
  EXPECT_EQ(YoyCell(update), "+134.0%");
}

TEST(WatchViewTest, PlanAndValueCells) {
  tonghop::v1::AggregateUpdate update = Complete(1, "agri.x", "2017-Q1", 4325.9);
  EXPECT_EQ(PlanCell(update), "-");
  update.set_pct_of_plan(22.58);
  EXPECT_EQ(PlanCell(update), "22.6%");
  EXPECT_EQ(ValueCell(update), "4325.9");
  update.set_value(23134);
  EXPECT_EQ(ValueCell(update), "23134");
  update.set_value(std::numeric_limits<double>::quiet_NaN());
  EXPECT_EQ(ValueCell(update), "nan");
}

TEST(WatchViewTest, PartialTotalsAreMarked) {
  tonghop::v1::AggregateUpdate update = Complete(1, "agri.x", "2017-Q1", 1);
  EXPECT_EQ(UnitsCell(update), "11/11");
  update.set_units_reported(9);
  EXPECT_EQ(UnitsCell(update), "9/11*");
}

// Issue 11: the year of the reference quarter said 0/11 beside the value all 11 units reported.
TEST(WatchViewTest, ADerivedPeriodSaysWhichQuartersItHasAndWhoStandsBehindEach) {
  tonghop::v1::AggregateUpdate year = Complete(1, "agri.x", "2017", 23134);
  year.set_units_reported(0);
  year.set_partial(true);
  year.set_derived(true);
  for (const char* quarter : {"2017-Q1", "2017-Q2", "2017-Q3", "2017-Q4"}) {
    auto* sub = year.add_sub_periods();
    sub->set_period(quarter);
    if (std::string(quarter) == "2017-Q1") {
      sub->set_units_reported(11);
      sub->set_units_with_figures(11);
    }
  }
  EXPECT_EQ(UnitsCell(year), "1/4 quý: Q1 11/11");
  year.mutable_sub_periods(1)->set_units_with_figures(9);
  year.mutable_sub_periods(1)->set_units_reported(8);
  EXPECT_EQ(UnitsCell(year), "2/4 quý: Q1 11/11, Q2 8/11");
  tonghop::v1::AggregateUpdate quarter = Complete(2, "agri.x", "2017-Q1", 10);
  quarter.set_derived(true);
  quarter.set_units_reported(0);
  for (const char* month : {"2017-01", "2017-02", "2017-03"}) {
    auto* sub = quarter.add_sub_periods();
    sub->set_period(month);
    sub->set_units_with_figures(std::string(month) == "2017-03" ? 0 : 11);
    sub->set_units_reported(std::string(month) == "2017-03" ? 0 : 11);
  }
  EXPECT_EQ(UnitsCell(quarter), "2/3 tháng: 01 11/11, 02 11/11");
  quarter.mutable_sub_periods(2)->set_units_with_figures(3);
  EXPECT_EQ(UnitsCell(quarter), "0/11*") << "every month has figures: the units tell the rest";
}

// Issue 11: % of plan was shown beside a month's value although it is made of the year to date.
TEST(WatchViewTest, TheYearToDateThatPercentOfPlanIsMadeOfIsShownWhenItIsNotTheValue) {
  tonghop::v1::AggregateUpdate march = Complete(1, "agri.x", "2017-03", 30);
  EXPECT_EQ(YtdCell(march), "");
  SetValue(Decimal::FromUnits(30), &march);
  SetYtdValue(Decimal::FromUnits(30), &march);
  EXPECT_EQ(YtdCell(march), "");
  SetYtdValue(Decimal::FromUnits(150), &march);
  march.set_ytd_units_reported(11);
  EXPECT_EQ(YtdCell(march), "150");
  march.set_ytd_units_reported(2);
  EXPECT_EQ(YtdCell(march), "150*");
  AggregateTable table;
  table.Apply(march);
  std::vector<std::string> lines = Lines(FormatAggregateTable(table, nullptr, kEnglish));
  EXPECT_NE(lines[0].find("YTD"), std::string::npos) << lines[0];
  AggregateTable without;
  without.Apply(Complete(1, "agri.x", "2017-Q1", 30));
  EXPECT_EQ(Lines(FormatAggregateTable(without, nullptr, kEnglish))[0].find("YTD"), std::string::npos);
}

TEST(WatchViewTest, DisplayWidthCountsLettersNotBytesNorCombiningMarks) {
  EXPECT_EQ(DisplayWidth("Lúa xuân"), 8u);              // precomposed
  EXPECT_EQ(DisplayWidth("Lu\xcc\x81" "a xua\xcc\x82n"), 8u);  // decomposed: u + U+0301, a + U+0302
  EXPECT_EQ(DisplayWidth(""), 0u);
}

TEST(WatchViewTest, TableGroupsBySectorInIdOrderAndAlignsColumns) {
  AggregateTable table;
  tonghop::v1::AggregateUpdate rice = Complete(2, "agri.sown_area.rice_spring", "2017-Q1", 5180);
  rice.set_pct_of_plan(35);
  rice.set_yoy_pct(-2.6);
  rice.set_units_reported(9);
  table.Apply(rice);
  table.Apply(Complete(1, "trade.retail", "2017-Q1", 12.5));
  table.Apply(Complete(3, "agri.herd.pigs", "2017-Q1", 48.25));

  std::vector<std::string> lines = Lines(FormatAggregateTable(table, nullptr, kEnglish));
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0].substr(0, 9), "INDICATOR");
  EXPECT_EQ(lines[1], "agri");
  EXPECT_EQ(lines[2].substr(0, 16), "  agri.herd.pigs");
  EXPECT_EQ(lines[3].substr(0, 28), "  agri.sown_area.rice_spring");
  EXPECT_EQ(lines[4], "trade");
  EXPECT_NE(lines[3].find("35.0%"), std::string::npos);
  EXPECT_NE(lines[3].find("-2.6%"), std::string::npos);
  EXPECT_TRUE(lines[3].ends_with("9/11*")) << lines[3];
  EXPECT_TRUE(lines[5].ends_with("11/11")) << lines[5];
  // Values are right-aligned: every row's value ends in the same column.
  size_t end_of_value = lines[3].find("5180") + 4;
  EXPECT_EQ(lines[2].find("48.25") + 5, end_of_value);
  EXPECT_EQ(lines[5].find("12.5") + 4, end_of_value);
}

TEST(WatchViewTest, EmptyTableSaysSo) {
  EXPECT_NE(FormatAggregateTable(AggregateTable(), nullptr, kEnglish).find("no aggregates yet"), std::string::npos);
}

TEST(WatchViewTest, CatalogAddsVietnameseNamesAndSectorNames) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", &catalog));
  AggregateTable table;
  table.Apply(Complete(1, "agri.sown_area.rice_spring", "2017-Q1", 5180));
  std::string text = FormatAggregateTable(table, &catalog);
  EXPECT_NE(text.find("agri (agriculture)\n"), std::string::npos) << text;
  EXPECT_NE(text.find("Lúa xuân"), std::string::npos) << text;
}

// Live, complete up to seq 1234 of 139 aggregates, the last of them changed 5 s ago.
WatchStatus LiveStatus() {
  WatchStatus status;
  status.seq = 1234;
  status.state = FeedState::kLive;
  status.aggregates = 139;
  status.now_ms = 1'700'000'012'000;
  status.last_change_ms = status.now_ms - 5'000;
  status.snapshot_endpoint = "tcp://127.0.0.1:5561";
  return status;
}

TEST(WatchViewTest, StatusLineShowsSeqStreamStateAndHintsWhenThePublisherIsSilent) {
  WatchStatus status = LiveStatus();
  std::string line = FormatStatusLine(status, Language::kEnglish);
  EXPECT_TRUE(line.starts_with("live | seq 1234 | 139 aggregates | last update ")) << line;
  EXPECT_TRUE(line.ends_with("(5 s ago)")) << line;

  status.state = FeedState::kResyncing;
  status.waiting_since_ms = status.now_ms - 1'000;
  line = FormatStatusLine(status, Language::kEnglish);
  EXPECT_TRUE(line.starts_with("resyncing | ")) << line;
  EXPECT_EQ(line.find("is it running?"), std::string::npos);
  status.waiting_since_ms = status.now_ms - 10'000;
  line = FormatStatusLine(status, Language::kEnglish);
  EXPECT_NE(line.find("no snapshot from the publisher at tcp://127.0.0.1:5561 for 10 s: is it running?"),
            std::string::npos) << line;
}

// Issue 12: with the aggregator killed, watch said "stream live" for more than 40 s. Either
// language names the hop.
TEST(WatchViewTest, StatusLineNamesTheHopThatIsDown) {
  WatchStatus status;
  status.now_ms = 1'700'000'012'000;
  status.waiting_since_ms = 1'700'000'000'000;
  status.snapshot_endpoint = "tcp://127.0.0.1:5561";
  struct Expected {
    Language language;
    std::string publisher_down, aggregator_down;
  };
  for (const Expected& expected :
       {Expected{Language::kEnglish, "publisher unreachable (tcp://127.0.0.1:5561) for 12 s | ",
                 "aggregator unreachable (the publisher hears nothing from it) for 12 s | "},
        Expected{Language::kVietnamese, "không nhận được tin từ publisher (tcp://127.0.0.1:5561) đã 12 giây | ",
                 "publisher không nhận được tin từ aggregator đã 12 giây | "}}) {
    SCOPED_TRACE(LanguageCode(expected.language));
    status.state = FeedState::kPublisherUnreachable;
    std::string line = FormatStatusLine(status, expected.language);
    EXPECT_TRUE(line.starts_with(expected.publisher_down)) << line;
    status.state = FeedState::kAggregatorUnreachable;
    line = FormatStatusLine(status, expected.language);
    EXPECT_TRUE(line.starts_with(expected.aggregator_down)) << line;
    // On a terminal: one line, never wider than the terminal, in columns (a Vietnamese letter is
    // one column, of two or three bytes).
    const std::string cut = FormatStatusLine(status, expected.language, 40);
    EXPECT_EQ(DisplayWidth(cut), 40u) << cut;
    EXPECT_TRUE(cut.ends_with("…")) << cut;
  }
}

// The office reads Vietnamese: the column header, an empty table's line, the status line and its
// hint speak it (the hops that are down: StatusLineNamesTheHopThatIsDown), as every other
// command's text does (`tonghop --lang`, else the locale).
TEST(WatchViewTest, TheHeaderTheStatusLineAndAnEmptyTableSpeakVietnamese) {
  AggregateTable table;
  table.Apply(Complete(1, "agri.herd.pigs", "2017-Q1", 48.25));
  const TableLayout layout;  // Vietnamese unless asked otherwise
  const std::vector<std::string> lines = Lines(FormatAggregateTable(table, nullptr, layout));
  ASSERT_FALSE(lines.empty());
  EXPECT_TRUE(lines[0].starts_with("CHỈ TIÊU")) << lines[0];
  for (const char* column : {"KỲ", "GIÁ TRỊ", "ĐVT", "% KH NĂM", "SO CÙNG KỲ", "ĐƠN VỊ"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << column << " in " << lines[0];
  }
  EXPECT_NE(FormatAggregateTable(AggregateTable(), nullptr, layout).find("(chưa có số tổng hợp nào"),
            std::string::npos);

  WatchStatus status = LiveStatus();
  status.waiting_since_ms = status.now_ms - 12'000;
  std::string line = FormatStatusLine(status, Language::kVietnamese);
  EXPECT_TRUE(line.starts_with("trực tiếp | seq 1234 | 139 số tổng hợp | cập nhật lần cuối ")) << line;
  EXPECT_TRUE(line.ends_with("(5 giây trước)")) << line;
  status.state = FeedState::kResyncing;
  line = FormatStatusLine(status, Language::kVietnamese);
  EXPECT_TRUE(line.starts_with("đang đồng bộ lại | ")) << line;
  EXPECT_NE(line.find("\nchưa nhận được số liệu từ publisher tại tcp://127.0.0.1:5561 sau 12 giây: publisher có "
                      "đang chạy không?"),
            std::string::npos) << line;
}

// An investment quarter and its derived year, and two quarters of spring rice.
void AddRows(AggregateTable* table) {
  tonghop::v1::AggregateUpdate quarter = Complete(1, "invest.executed.total", "2017-Q1", 1234567.5);
  quarter.set_pct_of_plan(22.58);
  quarter.set_yoy_pct(-2.6);
  table->Apply(quarter);
  tonghop::v1::AggregateUpdate year = Complete(2, "invest.executed.total", "2017", 1234567.5);
  year.set_derived(true);
  table->Apply(year);
  table->Apply(Complete(3, "agri.sown_area.rice_spring", "2017-Q1", 5180));
  table->Apply(Complete(4, "agri.sown_area.rice_spring", "2017-Q2", 5190));
}

// Issue 12: at 80x24 each row of about 130 columns wrapped onto two lines.
TEST(WatchViewTest, ATerminalTableFitsItsWidthAndShowsNamesNotIds) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", &catalog));
  AggregateTable table;
  AddRows(&table);
  tonghop::v1::AggregateUpdate warned = Complete(5, "agri.sown_area.total", "2017-Q1", 1);
  auto* warning = warned.add_warnings();
  warning->set_rule("parts_sum");
  warning->set_text(std::string(200, 'x'));
  table.Apply(warned);
  // The Vietnamese column titles are wider than the English ones; the label column gives way.
  for (Language language : {Language::kEnglish, Language::kVietnamese}) {
    for (size_t width : {80u, 100u, 200u}) {
      SCOPED_TRACE(fmt::format("{} at {} columns", LanguageCode(language), width));
      TableLayout layout;
      layout.language = language;
      layout.width = width;
      TableLines laid_out = LayOutAggregateTable(table, &catalog, layout);
      EXPECT_LE(DisplayWidth(laid_out.header), width) << laid_out.header;
      EXPECT_TRUE(laid_out.header.starts_with(MessagePattern(language, Msg::kWatchColumnIndicator))) << laid_out.header;
      ASSERT_EQ(laid_out.lines.size(), laid_out.sector_title.size());
      for (const std::string& line : laid_out.lines) EXPECT_LE(DisplayWidth(line), width) << line;
      EXPECT_EQ(laid_out.header.find(MessagePattern(language, Msg::kWatchColumnName)), std::string::npos)
          << "the name is the indicator column";
    }
  }
  TableLayout layout;
  layout.width = 80;
  TableLines laid_out = LayOutAggregateTable(table, &catalog, layout);
  EXPECT_NE(laid_out.lines[1].find("Lúa xuân"), std::string::npos) << laid_out.lines[1];
  EXPECT_EQ(laid_out.lines[1].find("agri.sown_area"), std::string::npos) << laid_out.lines[1];
}

TEST(WatchViewTest, EveryLineKnowsTheTitleOfItsSector) {
  AggregateTable table;
  AddRows(&table);
  TableLines laid_out = LayOutAggregateTable(table, nullptr, {});
  // agri, its two rows, invest, its one row (the derived year hidden)
  ASSERT_EQ(laid_out.lines.size(), 5u);
  EXPECT_EQ(laid_out.sector_title, (std::vector<size_t>{0, 0, 0, 3, 3}));
  EXPECT_EQ(laid_out.lines[3], "invest");
}

// Issue 12: unfiltered, every indicator showed three times (2017, 2017-H1, 2017-Q1).
TEST(WatchViewTest, DerivedPeriodsAreHiddenUnlessAskedFor) {
  AggregateTable table;
  AddRows(&table);
  std::string text = FormatAggregateTable(table, nullptr);
  EXPECT_EQ(text.find("  2017  "), std::string::npos) << text;
  TableLayout layout;
  layout.show_derived = true;
  EXPECT_NE(FormatAggregateTable(table, nullptr, layout).find("  2017  "), std::string::npos);
  TableLayout year;
  year.period = "2017";  // asked for by name
  text = FormatAggregateTable(table, nullptr, year);
  EXPECT_NE(text.find("  2017  "), std::string::npos) << text;
  EXPECT_EQ(text.find("2017-Q1"), std::string::npos) << text;
}

TEST(WatchViewTest, APeriodSelectsRowsWithinAnIndicatorFilter) {
  AggregateTable table;
  AddRows(&table);
  TableLayout layout;
  layout.period = "2017-Q2";
  std::string text = FormatAggregateTable(table, nullptr, layout);
  EXPECT_NE(text.find("2017-Q2"), std::string::npos) << text;
  EXPECT_EQ(text.find("2017-Q1"), std::string::npos) << text;
  EXPECT_EQ(text.find("invest"), std::string::npos) << text;
}

// `report --draft` and the web page say a validation warning in Vietnamese; `watch` printed the
// aggregator's English text under a row whose name and column titles were Vietnamese.
TEST(WatchViewTest, WarningsAreSaidInTheLayoutsLanguage) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", &catalog));
  AggregateTable table;
  tonghop::v1::AggregateUpdate total = Complete(1, "agri.sown_area.total", "2017-Q1", 2000);
  auto* parts = total.add_warnings();
  parts->set_rule("parts_sum");
  parts->set_text("the parts add up to 2100.5, above the total 2000 (<= in the catalog)");
  parts->add_units("agri.sown_area.rice_spring");
  parts->add_units("agri.sown_area.maize_spring");
  parts->set_parts_sum_decimal("2100.5");
  auto* range = total.add_warnings();
  range->set_rule("min_max");
  range->set_text("1 unit(s) reported a figure outside the range [0, 100]: cao-loc");
  range->add_units("cao-loc");
  auto* change = total.add_warnings();
  change->set_rule("yoy_change");
  change->set_text("changed by +75.0% against 2016-Q1, beyond the catalog's threshold of 50%");
  table.Apply(total);
  // A warning an aggregator that predates parts_sum_decimal stored: no sum, rather than a wrong one.
  tonghop::v1::AggregateUpdate april = Complete(4, "agri.sown_area.total", "2017-04", 10);
  *april.add_warnings() = *parts;
  april.mutable_warnings(0)->clear_parts_sum_decimal();
  table.Apply(april);

  const std::string vietnamese = FormatAggregateTable(table, &catalog);
  EXPECT_NE(vietnamese.find("\n      ! các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha\n"),
            std::string::npos) << vietnamese;
  EXPECT_NE(vietnamese.find("\n      ! số liệu của Cao Lộc nằm ngoài khoảng giá trị cho phép\n"), std::string::npos)
      << vietnamese;
  EXPECT_NE(vietnamese.find("\n      ! mức thay đổi so với cùng kỳ vượt ngưỡng kiểm tra, cần xác minh lại\n"),
            std::string::npos) << vietnamese;
  EXPECT_NE(vietnamese.find("\n      ! các thành phần cộng lại vượt tổng số 10 ha\n"), std::string::npos) << vietnamese;
  EXPECT_EQ(vietnamese.find("parts_sum"), std::string::npos) << vietnamese;
  EXPECT_EQ(vietnamese.find("the parts add up"), std::string::npos) << vietnamese;

  const std::string english = FormatAggregateTable(table, &catalog, kEnglish);
  EXPECT_NE(english.find("\n      ! parts_sum: the parts add up to 2100.5, above the total 2000 (<= in the catalog)\n"),
            std::string::npos) << english;
  EXPECT_NE(english.find("\n      ! min_max: 1 unit(s) reported a figure outside the range [0, 100]: cao-loc\n"),
            std::string::npos) << english;
}

// Issue 16: a national total partial because a province's own total is partial said so only in
// JSON; the table shows why under the row, as it shows validation warnings.
TEST(WatchViewTest, APartialTotalOfTheLevelBelowSaysWhoIsMissingUnderItsRow) {
  AggregateTable table;
  tonghop::v1::AggregateUpdate nation = Complete(1, "agri.sown_area.total", "2017-Q1", 300);
  nation.set_partial(true);
  nation.set_partial_reason("cao-bang: 1 of 2 units");
  table.Apply(nation);
  const std::string text = FormatAggregateTable(table, nullptr, kEnglish);
  EXPECT_NE(text.find("\n      ~ partial: cao-bang: 1 of 2 units\n"), std::string::npos) << text;
}

// The reason was the aggregator's English under a Vietnamese table; it is said from the units'
// counts (AggregateUpdate.partial_units), with the units' names from the catalog.
TEST(WatchViewTest, APartialTotalOfTheLevelBelowIsSaidInVietnamese) {
  Catalog catalog;
  ASSERT_OK(Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", &catalog));
  AggregateTable table;
  tonghop::v1::AggregateUpdate total = Complete(1, "agri.sown_area.total", "2017-Q1", 300);
  total.set_partial(true);
  total.set_partial_reason("cao-loc: 9 of 10 units (x: 1 of 2 units); loc-binh: 4 of 5 units");
  auto* cao_loc = total.add_partial_units();
  cao_loc->set_unit("cao-loc");
  cao_loc->set_units_reported(9);
  cao_loc->set_units_expected(10);
  auto* loc_binh = total.add_partial_units();
  loc_binh->set_unit("loc-binh");
  loc_binh->set_units_reported(4);
  loc_binh->set_units_expected(5);
  table.Apply(total);
  const std::string text = FormatAggregateTable(table, &catalog);
  EXPECT_NE(text.find("\n      ~ chưa đủ: Cao Lộc: 9/10 đơn vị cấp dưới đã báo cáo; Lộc Bình: 4/5 đơn vị cấp dưới "
                      "đã báo cáo\n"),
            std::string::npos) << text;
  EXPECT_EQ(text.find("units"), std::string::npos) << text;

  // A version stored before partial_units: its reason as it is, rather than nothing.
  total.clear_partial_units();
  total.set_seq(2);
  total.set_prev_seq(1);
  table.Apply(total);
  EXPECT_NE(FormatAggregateTable(table, &catalog).find("\n      ~ chưa đủ: cao-loc: 9 of 10 units"), std::string::npos);
}

// A filtered view catches up at every heartbeat while the province reports; the status line
// stays "live" through a catch-up shorter than kResyncShownAfterMs, and says "resyncing" after.
TEST(WatchViewTest, AShortCatchUpAfterTheViewWasLiveStaysLive) {
  const int64_t now = 100'000;
  EXPECT_EQ(ShownFeedState(FeedState::kResyncing, true, now - 20, now), FeedState::kLive);
  EXPECT_EQ(ShownFeedState(FeedState::kResyncing, true, now - kResyncShownAfterMs, now), FeedState::kResyncing);
  EXPECT_EQ(ShownFeedState(FeedState::kResyncing, false, now - 20, now), FeedState::kResyncing)
      << "before anything came, there is nothing live to show";
  EXPECT_EQ(ShownFeedState(FeedState::kPublisherUnreachable, true, 0, now), FeedState::kPublisherUnreachable);
  EXPECT_EQ(ShownFeedState(FeedState::kAggregatorUnreachable, true, 0, now), FeedState::kAggregatorUnreachable);
  EXPECT_EQ(ShownFeedState(FeedState::kLive, true, 0, now), FeedState::kLive);
}

}  // namespace
}  // namespace tonghop::cli
