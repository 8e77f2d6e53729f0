// What `tonghop watch` shows, as plain text: the aggregates table grouped by sector and the status
// line under it. Pure functions of their arguments (no terminal, no clock), so that every cell's
// format is unit-tested; watch.cc puts them on a terminal (ncurses) or prints them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "core/messages.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// The sector an indicator is grouped under: its id up to the first '.' ("agri" for
// "agri.sown_area.total"), the whole id when it has no '.'.
std::string_view SectorOf(std::string_view indicator);

// The province value, exact to the micro-unit as the aggregator holds it: "23134", "4325.9".
std::string ValueCell(const tonghop::v1::AggregateUpdate& update);
// The year-to-date value that % of plan is made of, exact, when it is not the value itself (a
// month, a quarter after the first): "150", "150*" when some unit's year-to-date is incomplete;
// "" otherwise.
std::string YtdCell(const tonghop::v1::AggregateUpdate& update);
// "22.6%", or "-" when the indicator has no plan.
std::string PlanCell(const tonghop::v1::AggregateUpdate& update);
// Always signed so that a fall stands out: "+9.9%", "-2.6%", "0.0%" when it rounds to no change,
// "-" when the same period a year before is unknown.
std::string YoyCell(const tonghop::v1::AggregateUpdate& update);
// The same for a change in percent that may be unknown (a comparable group's, `query --by group`).
std::string ChangeCell(const std::optional<Decimal>& pct);
// "11/11", or "9/11*" when not every expected unit has reported, or a derived period still lacks
// some unit's month (the total is partial). A derived period some of whose quarters (or months)
// have no figure yet says which it has and who stands behind each: "1/4 quý: Q1 11/11",
// "2/3 tháng: 01 11/11, 02 9/11".
std::string UnitsCell(const tonghop::v1::AggregateUpdate& update);

// "Q1" for 2017-Q1, "01" for 2017-01: a sub-period as a cell names it.
std::string ShortPeriod(std::string_view period);

// Columns of text as a terminal shows them: UTF-8 code points, combining marks taking none
// (Vietnamese names may be written decomposed).
size_t DisplayWidth(std::string_view text);

// Which rows the table shows and how wide it may be.
struct TableLayout {
  // Rows of derived periods (a half-year or year built from quarters: AggregateUpdate.derived)
  // and the YTD column; hidden by default because each indicator would show three times.
  bool show_derived = false;
  // Only rows of this period ("" = every period): combines with an indicator topic filter. A
  // derived period asked for by name is shown without show_derived.
  std::string period;
  // 0: every column as wide as its cells need, with the indicator's id and name (for pipes and
  // --once). Otherwise a terminal's width: one INDICATOR column holding the name (the id when the
  // catalog has none) takes what the figures leave, and no line is wider than `width` columns.
  size_t width = 0;
  // Of the column header, of the validation warnings under the rows (cli/warning_text.h in
  // Vietnamese; the aggregator's own text in English) and of an empty table's line; cells and
  // catalog names are the same in both.
  Language language = Language::kVietnamese;
};

// The table as lines: the column header apart, then per sector a title line and one row per
// (indicator, period) in id then period order, each followed by its validation warnings
// ("! các thành phần cộng lại ...", in English "! parts_sum: ..."). With a catalog, rows carry
// the indicator's Vietnamese name and sector titles the catalog's sector name. An empty table is
// one line saying so.
struct TableLines {
  std::string header;
  std::vector<std::string> lines;
  // For each line, the index of the title line of its sector (its own index for a title): what
  // a scrolled screen keeps in view above the rows.
  std::vector<size_t> sector_title;
};
TableLines LayOutAggregateTable(const AggregateTable& table, const Catalog* catalog, const TableLayout& layout);

// The header and the lines, each ended by a newline.
std::string FormatAggregateTable(const AggregateTable& table, const Catalog* catalog,
                                 const TableLayout& layout = {});

// The hops between `watch` and the figures, worst first: what the status line reports.
enum class FeedState {
  kPublisherUnreachable,   // nothing from the publisher for the replica's server timeout
  kAggregatorUnreachable,  // the publisher is heard, and says its own source is silent
  kResyncing,              // waiting for a (catch-up) snapshot
  kLive,
};

// A catch-up shorter than this is not shown: the status line stays "live". A filtered view catches
// up at every heartbeat while the province reports (the heartbeat's seq counts versions its filter
// does not select), a round trip of milliseconds that would otherwise blink "resyncing" each second.
inline constexpr int64_t kResyncShownAfterMs = 1'000;

// What the status line shows, given the replica's state now (`actual`), whether it has been live
// since it started, and since when it has been resyncing (monotonic ms; when `actual` is
// kResyncing). Before the first live moment resyncing shows at once: nothing has come yet.
FeedState ShownFeedState(FeedState actual, bool was_live, int64_t resyncing_since_ms, int64_t now_ms);

struct WatchStatus {
  uint64_t seq = 0;              // complete up to this aggregate seq
  FeedState state = FeedState::kResyncing;
  size_t aggregates = 0;
  int64_t last_change_ms = 0;    // wall clock of the last stored change, 0 if none yet
  int64_t now_ms = 0;
  int64_t waiting_since_ms = 0;  // wall clock since when it is not live (when state != kLive)
  std::string snapshot_endpoint;
};

// "live | seq 1234 | 139 aggregates | last update 14:03:22 (5 s ago)", the state first and in
// words: "publisher unreachable (tcp://...:5561) for 12 s", "aggregator unreachable (the
// publisher hears nothing from it) for 7 s", "resyncing"; in Vietnamese "trực tiếp | seq 1234 |
// 139 số tổng hợp | cập nhật lần cuối 14:03:22 (5 giây trước)". Resyncing for more than 3 s adds,
// on a second line, the publisher's address and how to check on it. `width` > 0: one line, cut to
// that many columns.
std::string FormatStatusLine(const WatchStatus& status, Language language, size_t width = 0);

// Cuts `text` to at most `width` columns (DisplayWidth), ending in "…" when something was cut.
std::string FitToWidth(std::string_view text, size_t width);

}  // namespace tonghop::cli
