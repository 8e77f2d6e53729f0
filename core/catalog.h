// Catalog: what a province reports. The reporting units (districts, communes, departments...),
// the indicators with their aggregation rules, the annual plans and the baselines of earlier
// periods, and the years figures are accepted for. Loaded from five CSV files in one folder
// (deploy/lang-son/ for Lạng Sơn; format in docs/CATALOG.md) and checked as a whole: any mistake
// is reported with file, line and field.
// Immutable once loaded; safe to share between threads.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/period.h"
#include "core/status.h"

namespace tonghop {

// How the figures of several units combine into the province value (docs/DATA-MODEL.md maps
// each to DHIS2's aggregation types). A stock summed over units is kSum with TimeAggregation::kLast.
enum class SpaceAggregation {
  kSum,          // add them up
  kMax,          // the largest
  kMin,          // the smallest
  kAverage,      // their mean
  kWeightedAverage,  // mean weighted by each unit's figure of Indicator::weight_indicator
  kNone,         // reported once, by one unit, for the whole province
};

// How figures of shorter periods combine into a longer one.
enum class TimeAggregation {
  kSum,   // flows: area sown, visitors
  kLast,  // stocks: herd size, deposits (the last period's figure)
};

// On a total: how the indicators that name it as `part_of` relate to it.
enum class PartsRule {
  kNone,
  kEqual,   // the parts add up to the total
  kAtMost,  // the parts are a partial list; their sum must not exceed the total
};

// Bit mask of Period::Type values an indicator may be reported for.
using PeriodTypeSet = unsigned;
inline constexpr PeriodTypeSet PeriodTypeBit(Period::Type type) { return 1u << static_cast<unsigned>(type); }
inline constexpr PeriodTypeSet kAllPeriodTypes = 0xF;
// "month", "quarter", "half_year", "year": the words of the catalog's period_type column.
const char* PeriodTypeName(Period::Type type);

// The years figures are accepted for (years.csv): from a fixed first year to a last year that is
// fixed or counted from the current year, so that "next_year" keeps accepting figures as the years
// pass without an edit. Only figures of these years are stored, and so only their periods (and
// the longer periods of the same years they make) have aggregates: a unit's key cannot fill the
// store with a thousand years of figures. A period's year-on-year reads the year before, which for
// the first year comes from baselines.csv.
class YearWindow {
 public:
  YearWindow() = default;
  // From first_year to last_year (fixed), or to the current year + last_year_offset when
  // `relative` (offset 0 is "this_year", 1 "next_year").
  YearWindow(int first_year, int last_year, bool relative)
      : first_year_(first_year), last_year_(last_year), relative_(relative) {}

  int first_year() const { return first_year_; }
  int LastYear(int current_year) const { return relative_ ? current_year + last_year_ : last_year_; }
  bool Contains(const Period& period, int current_year) const {
    return period.year() >= first_year_ && period.year() <= LastYear(current_year);
  }
  // For messages: "2016 to next_year (2027)", "2016 to 2030".
  std::string ToString(int current_year) const;

 private:
  int first_year_ = 0;
  int last_year_ = 0;  // the year, or the offset from the current year when relative_
  bool relative_ = false;
};

// A calendar day as days since 1970-01-01: how the catalog keeps the dates it reads as YYYY-MM-DD.
using Day = int32_t;

struct ReportingUnit {
  std::string code;  // stable ASCII id, e.g. "cao-loc"
  std::string name;  // as people write it, e.g. "Cao Lộc"
  std::string kind;  // e.g. "district", "city", "commune", "department"
  // The first and the last day the unit reports for, as written (YYYY-MM-DD); empty: open.
  // Units change: Lạng Sơn's districts end on 2025-06-30, its communes begin on 2025-07-01.
  std::string valid_from;
  std::string valid_to;
  Day first_day = std::numeric_limits<Day>::min();
  Day last_day = std::numeric_limits<Day>::max();
  // The unit it belongs to, when the catalog lists a level between it and the province; or "".
  std::string parent;
  // The units it was made of (or of parts of) at a reorganization, sorted; empty for most.
  std::vector<std::string> successor_of;

  // Whether the unit exists for part of `period` at least: it reports for every such period.
  bool ValidIn(const Period& period) const;
};

struct Indicator {
  std::string id;  // dotted, sector first: "agri.sown_area.total"
  std::string sector;
  std::string name;  // Vietnamese name as in the report
  std::string unit;  // unit of measure: "ha", "nghìn con", "tỷ đồng"
  SpaceAggregation space_agg = SpaceAggregation::kSum;
  TimeAggregation time_agg = TimeAggregation::kSum;
  std::string part_of;  // id of the total this is a breakdown of, or ""
  PartsRule parts_rule = PartsRule::kNone;
  // Codes of the units that report it at any time, sorted; resolved from the `reported_by`
  // column. Which of them are expected for a period: Catalog::ExpectedUnits.
  std::vector<std::string> reporting_units;
  // Period types units may report it for; longer periods are derived (column period_type,
  // default: every type).
  PeriodTypeSet period_types = kAllPeriodTypes;
  // Days after the end of a period by which a unit's figure is due; none when absent.
  std::optional<int> deadline_days;
  // A unit's figure outside [min, max] raises a min_max warning.
  std::optional<Decimal> min;
  std::optional<Decimal> max;
  // A change against the same period last year beyond this many percent (either way) raises a
  // yoy_change warning.
  std::optional<Decimal> yoy_threshold_pct;
  // For kWeightedAverage: the indicator whose unit figures weigh this one's.
  std::string weight_indicator;
  // Negative figures are rejected (hard error) when set.
  bool non_negative = false;
  // How the report says the figure (column report_vi): a phrase with "{value}" where the value and
  // its unit go, "Đã xảy ra {value} tai nạn giao thông" for counted events, "Toàn tỉnh hiện có
  // {value}" for a stock whose name would double "có". Empty: "<name> ước đạt {value}" (a flow) or
  // "<name> ước có {value}" (a stock).
  std::string report_vi;
};

class Catalog {
 public:
  // Loads units.csv, indicators.csv, plans.csv, baselines.csv and years.csv from `dir`.
  static Status LoadFromDirectory(const std::string& dir, Catalog* out);
  // The same from the five files' bytes, by name (FileNames()): a collector loads the catalog its
  // aggregator sent it. `origin` comes before each file's name in messages ("deploy/lang-son/").
  static Status LoadFromFiles(const std::map<std::string, std::string>& files, const std::string& origin,
                              Catalog* out);
  // The names of those files, in the order they are read.
  static const std::array<const char*, 5>& FileNames();

  const std::vector<ReportingUnit>& units() const { return units_; }
  const std::vector<Indicator>& indicators() const { return indicators_; }
  // The sector's title in reports (column sector_vi of its indicators), or its code when none
  // gives one.
  std::string SectorTitle(std::string_view sector) const;
  // The years figures are accepted for (years.csv).
  const YearWindow& year_window() const { return year_window_; }
  // A hash (FNV-1a) of the five files' bytes: equal fingerprints, same catalog. The aggregator
  // stores it to know at a restart whether its stored totals were computed by these rules.
  uint64_t fingerprint() const { return fingerprint_; }
  // The five files' bytes as loaded, by name: what the aggregator sends its collectors.
  const std::map<std::string, std::string>& files() const { return files_; }

  // nullptr when there is no such unit or indicator.
  const ReportingUnit* FindUnit(std::string_view code) const;
  const Indicator* FindIndicator(std::string_view id) const;
  // The units expected to report `indicator` for `period`, sorted: those of its reported_by
  // whose validity (valid_from..valid_to) overlaps the period. The one answer to "who should
  // report this, then" for validation, completeness, totals, status, reports and the web. A period
  // across a reorganization (the year 2025) expects the units before and the units after it.
  // Constant time in the number of units: computed when the catalog is loaded.
  const std::vector<std::string>& ExpectedUnits(const Indicator& indicator, const Period& period) const;
  // The same for the span from the start of `period`'s year to its end (Period::YearToDate): the
  // units a year-to-date value is made of.
  const std::vector<std::string>& ExpectedUnitsYearToDate(const Indicator& indicator, const Period& period) const;
  // Whether `unit_code` is among ExpectedUnits(indicator, period).
  bool Expects(const Indicator& indicator, std::string_view unit_code, const Period& period) const;
  // Why `unit` cannot report for `period` because of its validity dates, naming the date, the
  // column and the units that report in its place; "" when it can.
  std::string ValidityRefusal(const ReportingUnit& unit, const Period& period) const;

  // The units before and after a reorganization that cover the same ground, so that only their
  // sums compare: a commune made of parts of two districts joins both districts, and every other
  // commune made of parts of them, into one group (the connected units of successor_of).
  struct ComparableGroup {
    std::vector<std::string> before;  // the units succeeded, sorted
    std::vector<std::string> after;   // their successors, sorted
  };
  // The group `unit_code` is in, or nullptr for a unit no reorganization touched.
  const ComparableGroup* ComparableGroupOf(std::string_view unit_code) const;
  // Indicators whose part_of is `total`, in catalog order.
  std::vector<const Indicator*> PartsOf(std::string_view total) const;
  // Indicators whose weight_indicator is `weight`.
  std::vector<const Indicator*> WeightedBy(std::string_view weight) const;

  // The annual plan of `indicator` for `year`, if the catalog has one.
  std::optional<Decimal> Plan(std::string_view indicator, int year) const;
  // The province value of `indicator` for `period` recorded in baselines.csv, if any.
  std::optional<Decimal> Baseline(std::string_view indicator, const Period& period) const;

 private:
  uint64_t fingerprint_ = 0;
  std::map<std::string, std::string> files_;
  // Each reads the file's `text`; `path` names it in messages.
  Status LoadUnits(const std::string& path, const std::string& text);
  Status LoadIndicators(const std::string& path, const std::string& text);
  Status LoadPlans(const std::string& path, const std::string& text);
  Status LoadBaselines(const std::string& path, const std::string& text);
  Status LoadYears(const std::string& path, const std::string& text);
  Status CheckUnitLinks(const std::string& path);
  Status CheckPartsOf(const std::string& path) const;
  // Fills expected_by_overlap_ and the eras it is keyed by.
  Status IndexExpectedUnits(const std::string& path);
  // The bit set of eras_ that overlap the days first..last.
  uint64_t OverlapOf(Day first, Day last) const;
  Status CheckWeights(const std::string& path) const;

  std::vector<ReportingUnit> units_;
  std::vector<Indicator> indicators_;
  std::map<std::string, size_t, std::less<>> unit_index_;
  // Line of each unit in units.csv, for messages about cross-row checks.
  std::map<std::string, unsigned> unit_lines_;
  // The units that name each unit in their successor_of, sorted.
  std::map<std::string, std::vector<std::string>, std::less<>> successors_;
  std::vector<ComparableGroup> groups_;
  std::map<std::string, size_t, std::less<>> group_of_;
  // The distinct validity ranges of the units (at most 64), and for each indicator (by index) its
  // expected units for every set of ranges some period overlaps: those of the periods of the
  // dated years and of the years just before and after them.
  std::vector<std::pair<Day, Day>> eras_;
  std::vector<size_t> unit_era_;
  int first_dated_year_ = 2000;
  int last_dated_year_ = 2000;
  std::vector<std::map<uint64_t, std::vector<std::string>>> expected_by_overlap_;
  std::map<std::string, size_t, std::less<>> indicator_index_;
  std::map<std::pair<std::string, int>, Decimal> plans_;
  std::map<std::pair<std::string, std::string>, Decimal> baselines_;
  YearWindow year_window_;
  // Line of each indicator in indicators.csv, for messages about cross-row checks.
  std::map<std::string, unsigned> indicator_lines_;
  std::map<std::string, std::string, std::less<>> sector_titles_;
};

const char* ToString(SpaceAggregation agg);
const char* ToString(TimeAggregation agg);
// As indicators.csv writes it: "=", "<=", or "" for kNone.
const char* ToString(PartsRule rule);

}  // namespace tonghop
