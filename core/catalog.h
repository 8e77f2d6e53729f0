// Catalog: what a province reports. The reporting units (districts, communes, departments...),
// the indicators with their aggregation rules, the annual plans and the baselines of earlier
// periods. Loaded from four CSV files in one folder (deploy/lang-son/ for Lạng Sơn; format in
// docs/CATALOG.md) and checked as a whole: any mistake is reported with file, line and field.
// Immutable once loaded; safe to share between threads.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/period.h"
#include "core/status.h"

namespace tonghop {

// How the figures of several units combine into the province value.
enum class SpaceAggregation {
  kSum,   // add them up
  kMax,   // the largest
  kNone,  // reported once, by one unit, for the whole province
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

struct ReportingUnit {
  std::string code;  // stable ASCII id, e.g. "cao-loc"
  std::string name;  // as people write it, e.g. "Cao Lộc"
  std::string kind;  // e.g. "district", "city", "commune", "department"
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
  // Codes of the units expected to report it, sorted; resolved from the `reported_by` column.
  std::vector<std::string> expected_units;
};

class Catalog {
 public:
  // Loads units.csv, indicators.csv, plans.csv and baselines.csv from `dir`.
  static Status LoadFromDirectory(const std::string& dir, Catalog* out);

  const std::vector<ReportingUnit>& units() const { return units_; }
  const std::vector<Indicator>& indicators() const { return indicators_; }

  // nullptr when there is no such unit or indicator.
  const ReportingUnit* FindUnit(std::string_view code) const;
  const Indicator* FindIndicator(std::string_view id) const;
  // Whether `unit_code` is among the units expected to report `indicator`.
  static bool Expects(const Indicator& indicator, std::string_view unit_code);

  // The annual plan of `indicator` for `year`, if the catalog has one.
  std::optional<Decimal> Plan(std::string_view indicator, int year) const;
  // The province value of `indicator` for `period` recorded in baselines.csv, if any.
  std::optional<Decimal> Baseline(std::string_view indicator, const Period& period) const;

 private:
  Status LoadUnits(const std::string& path);
  Status LoadIndicators(const std::string& path);
  Status LoadPlans(const std::string& path);
  Status LoadBaselines(const std::string& path);
  Status CheckPartsOf(const std::string& path) const;

  std::vector<ReportingUnit> units_;
  std::vector<Indicator> indicators_;
  std::map<std::string, size_t, std::less<>> unit_index_;
  std::map<std::string, size_t, std::less<>> indicator_index_;
  std::map<std::pair<std::string, int>, Decimal> plans_;
  std::map<std::pair<std::string, std::string>, Decimal> baselines_;
  // Line of each indicator in indicators.csv, for messages about cross-row checks.
  std::map<std::string, unsigned> indicator_lines_;
};

const char* ToString(SpaceAggregation agg);
const char* ToString(TimeAggregation agg);

}  // namespace tonghop
