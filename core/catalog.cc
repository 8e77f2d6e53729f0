#include "core/catalog.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <set>
#include <tuple>

#include "core/clock.h"
#include "core/csv.h"

namespace tonghop {
namespace {

Status FieldError(const std::string& path, unsigned line, std::string_view field, std::string_view msg) {
  return Status::InvalidArgument(fmt::format("{}:{}: field '{}': {}", path, line, field, msg));
}

bool IsIdentifier(std::string_view s, std::string_view extra) {
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || extra.find(c) != std::string_view::npos;
  });
}

std::vector<std::string> SplitTokens(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    if (end == std::string_view::npos) end = s.size();
    std::string_view token = s.substr(start, end - start);
    while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
    while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
    out.emplace_back(token);
    start = end + 1;
  }
  return out;
}

// A year such as 2017 (Period's range), or nullopt.
std::optional<int> ParseYear(std::string_view text) {
  int year = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), year);
  if (ec != std::errc() || end != text.data() + text.size() || year < 1900 || year > 2999) return std::nullopt;
  return year;
}

// A day written YYYY-MM-DD (a real calendar day, in Period's years), or nullopt.
std::optional<Day> ParseDay(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  std::optional<int> year = ParseYear(text.substr(0, 4));
  unsigned month = 0, day = 0;
  auto number = [](std::string_view digits, unsigned* out) {
    auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), *out);
    return ec == std::errc() && end == digits.data() + digits.size();
  };
  if (!year || !number(text.substr(5, 2), &month) || !number(text.substr(8, 2), &day)) return std::nullopt;
  const std::chrono::year_month_day ymd{std::chrono::year(*year), std::chrono::month(month), std::chrono::day(day)};
  if (!ymd.ok()) return std::nullopt;
  return static_cast<Day>(std::chrono::sys_days(ymd).time_since_epoch().count());
}

Day FirstDayOf(const Period& period) {
  using namespace std::chrono;
  return static_cast<Day>(
      sys_days(year(period.year()) / month(period.first_month()) / 1).time_since_epoch().count());
}

Day LastDayOf(const Period& period) {
  using namespace std::chrono;
  return static_cast<Day>(
      sys_days(year(period.year()) / month(period.last_month()) / last).time_since_epoch().count());
}

int YearOfDay(Day day) {
  return static_cast<int>(std::chrono::year_month_day(std::chrono::sys_days(std::chrono::days(day))).year());
}

// Every period of `year`: the year, its halves, quarters and months.
std::vector<Period> PeriodsOfYear(int year) {
  std::vector<Period> periods = {Period::OfYear(year)};
  for (size_t i = 0; i < periods.size(); ++i) {
    for (const Period& child : periods[i].Children()) periods.push_back(child);
  }
  return periods;
}

constexpr size_t kMaxEras = 64;

// The last_year words of years.csv and the years they add to the current one.
constexpr std::pair<const char*, int> kRelativeYears[] = {{"this_year", 0}, {"next_year", 1}};

}  // namespace

std::string YearWindow::ToString(int current_year) const {
  if (!relative_) return fmt::format("{} to {}", first_year_, last_year_);
  for (const auto& [word, offset] : kRelativeYears) {
    if (offset == last_year_) return fmt::format("{} to {} ({})", first_year_, word, LastYear(current_year));
  }
  return fmt::format("{} to {}", first_year_, LastYear(current_year));
}

const std::array<const char*, 5>& Catalog::FileNames() {
  static constexpr std::array<const char*, 5> kNames = {"units.csv", "indicators.csv", "plans.csv", "baselines.csv",
                                                        "years.csv"};
  return kNames;
}

const char* ToString(SpaceAggregation agg) {
  switch (agg) {
    case SpaceAggregation::kSum: return "sum";
    case SpaceAggregation::kMax: return "max";
    case SpaceAggregation::kMin: return "min";
    case SpaceAggregation::kAverage: return "avg";
    case SpaceAggregation::kWeightedAverage: return "weighted_avg";
    case SpaceAggregation::kNone: return "none";
  }
  return "?";
}

const char* ToString(TimeAggregation agg) { return agg == TimeAggregation::kSum ? "sum" : "last"; }

const char* ToString(PartsRule rule) {
  switch (rule) {
    case PartsRule::kNone: return "";
    case PartsRule::kEqual: return "=";
    case PartsRule::kAtMost: return "<=";
  }
  return "?";
}

const char* PeriodTypeName(Period::Type type) {
  switch (type) {
    case Period::Type::kMonth: return "month";
    case Period::Type::kQuarter: return "quarter";
    case Period::Type::kHalfYear: return "half_year";
    case Period::Type::kYear: return "year";
  }
  return "?";
}

Status Catalog::LoadFromDirectory(const std::string& dir, Catalog* out) {
  if (!std::filesystem::is_directory(dir)) {
    return Status::NotFound(fmt::format(
        "catalog folder {} does not exist; point --catalog_dir at a folder holding units.csv, "
        "indicators.csv, plans.csv, baselines.csv and years.csv (e.g. deploy/lang-son)", dir));
  }
  const std::string base = std::filesystem::path(dir).string() + "/";
  std::map<std::string, std::string> files;
  for (const char* name : FileNames()) {
    if (std::string(name) == "years.csv" && !std::filesystem::exists(base + name)) {
      return Status::InvalidArgument(fmt::format(
          "{}years.csv: missing; it declares the years figures are accepted for, e.g. a row '2016,next_year' under "
          "the header 'first_year,last_year' (docs/CATALOG.md)", base));
    }
    TONGHOP_RETURN_IF_ERROR(ReadFileToString(base + name, &files[name]));
  }
  return LoadFromFiles(files, base, out);
}

Status Catalog::LoadFromFiles(const std::map<std::string, std::string>& files, const std::string& origin, Catalog* out) {
  for (const char* name : FileNames()) {
    if (!files.count(name)) return Status::InvalidArgument(fmt::format("{}{}: missing", origin, name));
  }
  Catalog catalog;
  auto load = [&](const char* name, Status (Catalog::*loader)(const std::string&, const std::string&)) {
    return (catalog.*loader)(origin + name, files.at(name));
  };
  TONGHOP_RETURN_IF_ERROR(load("units.csv", &Catalog::LoadUnits));
  TONGHOP_RETURN_IF_ERROR(load("indicators.csv", &Catalog::LoadIndicators));
  TONGHOP_RETURN_IF_ERROR(catalog.CheckPartsOf(origin + "indicators.csv"));
  TONGHOP_RETURN_IF_ERROR(catalog.CheckWeights(origin + "indicators.csv"));
  TONGHOP_RETURN_IF_ERROR(catalog.IndexExpectedUnits(origin + "units.csv"));
  TONGHOP_RETURN_IF_ERROR(load("plans.csv", &Catalog::LoadPlans));
  TONGHOP_RETURN_IF_ERROR(load("baselines.csv", &Catalog::LoadBaselines));
  TONGHOP_RETURN_IF_ERROR(load("years.csv", &Catalog::LoadYears));
  uint64_t hash = 14695981039346656037ull;
  for (const char* name : FileNames()) {
    catalog.files_[name] = files.at(name);
    // Each file ends with a 0 byte, so that moving a line from one file to the next changes it.
    for (unsigned char c : files.at(name)) hash = (hash ^ c) * 1099511628211ull;
    hash = (hash ^ 0u) * 1099511628211ull;
  }
  catalog.fingerprint_ = hash;
  *out = std::move(catalog);
  return Status::OK();
}

bool ReportingUnit::ValidIn(const Period& period) const {
  return first_day <= LastDayOf(period) && FirstDayOf(period) <= last_day;
}

Status Catalog::LoadUnits(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 7> kColumns = {"code",     "name_vi", "kind",        "valid_from",
                                                          "valid_to", "parent",  "successor_of"};
  TONGHOP_RETURN_IF_ERROR(ReadCsv<7>(path, text, kColumns, {"code", "name_vi", "kind"},
      [&](const CsvRow<7>& row) -> Status {
        const auto& [code, name, kind, valid_from, valid_to, parent, successor_of] = row.cells;
        if (!IsIdentifier(code, "-_.")) {
          return FieldError(path, row.line, "code",
                            fmt::format("'{}' must be lower-case ASCII letters, digits, '-', '_' or '.'", code));
        }
        if (unit_index_.count(code)) {
          return FieldError(path, row.line, "code", fmt::format("unit '{}' is listed twice", code));
        }
        if (name.empty()) return FieldError(path, row.line, "name_vi", "is empty");
        if (!IsIdentifier(kind, "-_")) {
          return FieldError(path, row.line, "kind",
                            fmt::format("'{}' must be a lower-case word such as district, commune or department", kind));
        }
        ReportingUnit unit;
        unit.code = code;
        unit.name = name;
        unit.kind = kind;
        for (auto [column, text, day] : {std::tuple{"valid_from", &valid_from, &unit.first_day},
                                         std::tuple{"valid_to", &valid_to, &unit.last_day}}) {
          if (text->empty()) continue;
          std::optional<Day> parsed = ParseDay(*text);
          if (!parsed) {
            return FieldError(path, row.line, column,
                              fmt::format("'{}' is not a day written YYYY-MM-DD, such as 2025-07-01", *text));
          }
          *day = *parsed;
        }
        if (unit.last_day < unit.first_day) {
          return FieldError(path, row.line, "valid_to",
                            fmt::format("{} is before valid_from {}", valid_to, valid_from));
        }
        unit.valid_from = valid_from;
        unit.valid_to = valid_to;
        unit.parent = parent;
        if (!successor_of.empty()) {
          std::set<std::string> predecessors;
          for (std::string& token : SplitTokens(successor_of, '|')) predecessors.insert(std::move(token));
          unit.successor_of.assign(predecessors.begin(), predecessors.end());
        }
        unit_lines_[code] = row.line;
        unit_index_.emplace(code, units_.size());
        units_.push_back(std::move(unit));
        return Status::OK();
      }));
  if (units_.empty()) return Status::InvalidArgument(fmt::format("{}: lists no reporting unit", path));
  for (const auto& unit : units_) {
    if (unit_index_.count(unit.kind)) {
      return Status::InvalidArgument(fmt::format(
          "{}: '{}' is both a unit code and a unit kind; reported_by could not tell them apart",
          path, unit.kind));
    }
  }
  return CheckUnitLinks(path);
}

Status Catalog::CheckUnitLinks(const std::string& path) {
  for (const auto& unit : units_) {
    const unsigned line = unit_lines_.at(unit.code);
    if (!unit.parent.empty()) {
      if (unit.parent == unit.code) {
        return FieldError(path, line, "parent", fmt::format("'{}' is the unit itself", unit.parent));
      }
      if (!unit_index_.count(unit.parent)) {
        return FieldError(path, line, "parent", fmt::format("no unit '{}' in this file", unit.parent));
      }
    }
    for (const std::string& code : unit.successor_of) {
      const ReportingUnit* predecessor = FindUnit(code);
      if (predecessor == nullptr) {
        return FieldError(path, line, "successor_of", fmt::format("no unit '{}' in this file", code));
      }
      if (predecessor->valid_to.empty()) {
        return FieldError(path, line, "successor_of",
                          fmt::format("'{}' has no valid_to: a unit still reporting cannot have been succeeded", code));
      }
      if (unit.valid_from.empty() || unit.first_day <= predecessor->last_day) {
        return FieldError(path, line, "successor_of",
                          fmt::format("'{}' reports until {}, so its successor's valid_from must come after that",
                                      code, predecessor->valid_to));
      }
      successors_[code].push_back(unit.code);
    }
  }
  // A parent chain that returns to where it started would make every unit on it its own ancestor.
  for (const auto& unit : units_) {
    const ReportingUnit* at = &unit;
    for (size_t steps = 0; !at->parent.empty(); ++steps) {
      at = FindUnit(at->parent);
      if (steps > units_.size() || at == &unit) {
        return FieldError(path, unit_lines_.at(unit.code), "parent",
                          fmt::format("'{}' leads back to '{}' through parent links", unit.parent, unit.code));
      }
    }
  }
  // The comparable groups: the connected units of successor_of, by a union-find over unit indexes.
  std::vector<size_t> root(units_.size());
  for (size_t i = 0; i < root.size(); ++i) root[i] = i;
  auto find = [&](size_t i) {
    while (root[i] != i) i = root[i] = root[root[i]];
    return i;
  };
  for (size_t i = 0; i < units_.size(); ++i) {
    for (const std::string& code : units_[i].successor_of) root[find(i)] = find(unit_index_.at(code));
  }
  std::map<size_t, size_t> group_of_root;
  for (size_t i = 0; i < units_.size(); ++i) {
    const ReportingUnit& unit = units_[i];
    const bool succeeded = successors_.count(unit.code) > 0;
    if (!succeeded && unit.successor_of.empty()) continue;
    auto [it, inserted] = group_of_root.emplace(find(i), groups_.size());
    if (inserted) groups_.emplace_back();
    (succeeded ? groups_[it->second].before : groups_[it->second].after).push_back(unit.code);
    group_of_.emplace(unit.code, it->second);
  }
  for (ComparableGroup& group : groups_) {
    std::sort(group.before.begin(), group.before.end());
    std::sort(group.after.begin(), group.after.end());
  }
  return Status::OK();
}

Status Catalog::LoadIndicators(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 18> kColumns = {
      "id", "sector", "name_vi", "unit", "reported_by", "space_agg", "time_agg", "part_of", "parts_rule",
      "period_type", "deadline_days", "min", "max", "yoy_threshold_pct", "weight_indicator", "non_negative",
      "sector_vi", "report_vi"};
  return ReadCsv<18>(path, text, kColumns, {"id", "sector", "name_vi", "unit", "reported_by", "space_agg", "time_agg"},
      [&](const CsvRow<18>& row) -> Status {
        const auto& c = row.cells;
        Indicator ind;
        ind.id = c[0];
        if (!IsIdentifier(ind.id, "._")) {
          return FieldError(path, row.line, "id",
                            fmt::format("'{}' must be lower-case ASCII words joined by '.'", ind.id));
        }
        if (indicator_index_.count(ind.id)) {
          return FieldError(path, row.line, "id", fmt::format("indicator '{}' is listed twice", ind.id));
        }
        ind.sector = c[1];
        ind.name = c[2];
        ind.unit = c[3];
        if (ind.sector.empty()) return FieldError(path, row.line, "sector", "is empty");
        if (ind.name.empty()) return FieldError(path, row.line, "name_vi", "is empty");
        if (ind.unit.empty()) return FieldError(path, row.line, "unit", "is empty");

        std::set<std::string> expected;
        for (const std::string& token : SplitTokens(c[4], '|')) {
          size_t before = expected.size();
          if (unit_index_.count(token)) expected.insert(token);
          for (const auto& unit : units_) {
            if (unit.kind == token) expected.insert(unit.code);
          }
          if (expected.size() == before) {
            return FieldError(path, row.line, "reported_by",
                              fmt::format("'{}' is neither a unit code nor a unit kind in units.csv "
                                          "(write kinds or codes separated by '|', e.g. district|city)", token));
          }
        }
        ind.reporting_units.assign(expected.begin(), expected.end());

        const std::string& space = c[5];
        if (space == "sum") ind.space_agg = SpaceAggregation::kSum;
        else if (space == "max") ind.space_agg = SpaceAggregation::kMax;
        else if (space == "min") ind.space_agg = SpaceAggregation::kMin;
        else if (space == "avg") ind.space_agg = SpaceAggregation::kAverage;
        else if (space == "weighted_avg") ind.space_agg = SpaceAggregation::kWeightedAverage;
        else if (space == "none") ind.space_agg = SpaceAggregation::kNone;
        else {
          return FieldError(path, row.line, "space_agg",
                            fmt::format("'{}' is not one of sum, max, min, avg, weighted_avg, none", space));
        }
        if (ind.space_agg == SpaceAggregation::kNone && ind.reporting_units.size() != 1) {
          return FieldError(path, row.line, "space_agg",
                            fmt::format("'none' means one unit reports the province value, but reported_by names {}",
                                        ind.reporting_units.size()));
        }
        const std::string& time = c[6];
        if (time == "sum") ind.time_agg = TimeAggregation::kSum;
        else if (time == "last") ind.time_agg = TimeAggregation::kLast;
        else return FieldError(path, row.line, "time_agg", fmt::format("'{}' is not one of sum, last", time));
        ind.part_of = c[7];
        const std::string& rule = c[8];
        if (rule.empty()) ind.parts_rule = PartsRule::kNone;
        else if (rule == "=") ind.parts_rule = PartsRule::kEqual;
        else if (rule == "<=") ind.parts_rule = PartsRule::kAtMost;
        else return FieldError(path, row.line, "parts_rule", fmt::format("'{}' is not one of =, <= or empty", rule));

        if (!c[9].empty()) {
          ind.period_types = 0;
          for (const std::string& token : SplitTokens(c[9], '|')) {
            PeriodTypeSet bit = 0;
            for (auto type : {Period::Type::kMonth, Period::Type::kQuarter, Period::Type::kHalfYear, Period::Type::kYear}) {
              if (token == PeriodTypeName(type)) bit = PeriodTypeBit(type);
            }
            if (bit == 0) {
              return FieldError(path, row.line, "period_type",
                                fmt::format("'{}' is not one of month, quarter, half_year, year (several: month|quarter)", token));
            }
            ind.period_types |= bit;
          }
        }
        if (!c[10].empty()) {
          int days = -1;
          auto [end, ec] = std::from_chars(c[10].data(), c[10].data() + c[10].size(), days);
          if (ec != std::errc() || end != c[10].data() + c[10].size() || days < 0 || days > 3660) {
            return FieldError(path, row.line, "deadline_days",
                              fmt::format("'{}' is not a number of days from 0 to 3660", c[10]));
          }
          ind.deadline_days = days;
        }
        for (auto [column, target] : {std::pair<int, std::optional<Decimal>*>{11, &ind.min}, {12, &ind.max},
                                      {13, &ind.yoy_threshold_pct}}) {
          if (c[column].empty()) continue;
          Decimal value;
          Status s = Decimal::Parse(c[column], &value);
          if (!s.ok()) return FieldError(path, row.line, kColumns[column], s.message());
          *target = value;
        }
        if (ind.min && ind.max && *ind.min > *ind.max) {
          return FieldError(path, row.line, "min", fmt::format("{} is above max {}", ind.min->ToString(), ind.max->ToString()));
        }
        if (ind.yoy_threshold_pct && ind.yoy_threshold_pct->micros() <= 0) {
          return FieldError(path, row.line, "yoy_threshold_pct", "must be above zero");
        }
        ind.weight_indicator = c[14];
        if ((ind.space_agg == SpaceAggregation::kWeightedAverage) != !ind.weight_indicator.empty()) {
          return FieldError(path, row.line, "weight_indicator",
                            "is needed with space_agg weighted_avg, and only with it");
        }
        const std::string& non_negative = c[15];
        if (non_negative == "yes" || non_negative == "true" || non_negative == "1") ind.non_negative = true;
        else if (non_negative.empty() || non_negative == "no" || non_negative == "false" || non_negative == "0") ind.non_negative = false;
        else return FieldError(path, row.line, "non_negative", fmt::format("'{}' is not one of yes, no", non_negative));
        if (const std::string& title = c[16]; !title.empty()) {
          auto [it, inserted] = sector_titles_.emplace(ind.sector, title);
          if (!inserted && it->second != title) {
            return FieldError(path, row.line, "sector_vi",
                              fmt::format("'{}' but sector '{}' is titled '{}' above", title, ind.sector, it->second));
          }
        }
        ind.report_vi = c[17];
        if (!ind.report_vi.empty()) {
          const size_t at = ind.report_vi.find("{value}");
          if (at == std::string::npos || ind.report_vi.find("{value}", at + 1) != std::string::npos) {
            return FieldError(path, row.line, "report_vi",
                              fmt::format("'{}' must hold '{{value}}' exactly once, where the figure goes",
                                          ind.report_vi));
          }
        }

        indicator_lines_[ind.id] = row.line;
        indicator_index_.emplace(ind.id, indicators_.size());
        indicators_.push_back(std::move(ind));
        return Status::OK();
      });
}

std::string Catalog::SectorTitle(std::string_view sector) const {
  auto it = sector_titles_.find(sector);
  return it == sector_titles_.end() ? std::string(sector) : it->second;
}

Status Catalog::CheckWeights(const std::string& path) const {
  for (const auto& ind : indicators_) {
    if (ind.weight_indicator.empty()) continue;
    unsigned line = indicator_lines_.at(ind.id);
    const Indicator* weight = FindIndicator(ind.weight_indicator);
    if (weight == nullptr) {
      return FieldError(path, line, "weight_indicator", fmt::format("no indicator '{}' in this file", ind.weight_indicator));
    }
    if (weight->reporting_units != ind.reporting_units) {
      return FieldError(path, line, "weight_indicator",
                        fmt::format("'{}' is not reported by the same units, so it cannot weigh every figure", weight->id));
    }
    if (weight->space_agg == SpaceAggregation::kWeightedAverage) {
      return FieldError(path, line, "weight_indicator", fmt::format("'{}' is itself a weighted average", weight->id));
    }
  }
  return Status::OK();
}

Status Catalog::CheckPartsOf(const std::string& path) const {
  if (indicators_.empty()) return Status::InvalidArgument(fmt::format("{}: lists no indicator", path));
  for (const auto& ind : indicators_) {
    if (ind.part_of.empty()) continue;
    unsigned line = indicator_lines_.at(ind.id);
    const Indicator* total = FindIndicator(ind.part_of);
    if (total == nullptr) {
      return FieldError(path, line, "part_of", fmt::format("no indicator '{}' in this file", ind.part_of));
    }
    if (total->parts_rule == PartsRule::kNone) {
      return FieldError(path, line, "part_of",
                        fmt::format("'{}' has no parts_rule; give it '=' or '<='", ind.part_of));
    }
    if (total->unit != ind.unit) {
      return FieldError(path, line, "unit",
                        fmt::format("'{}' differs from the unit '{}' of its total '{}'", ind.unit, total->unit, total->id));
    }
  }
  return Status::OK();
}

Status Catalog::LoadPlans(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 3> kColumns = {"indicator", "year", "plan"};
  return ReadCsv<3>(path, text, kColumns, {"indicator", "year", "plan"},
      [&](const CsvRow<3>& row) -> Status {
        const auto& [id, year_text, plan_text] = row.cells;
        if (!FindIndicator(id)) return FieldError(path, row.line, "indicator", fmt::format("no indicator '{}' in indicators.csv", id));
        int year = 0;
        auto [end, ec] = std::from_chars(year_text.data(), year_text.data() + year_text.size(), year);
        if (ec != std::errc() || end != year_text.data() + year_text.size() || year < 1900 || year > 2999) {
          return FieldError(path, row.line, "year", fmt::format("'{}' is not a year such as 2017", year_text));
        }
        Decimal plan;
        Status s = Decimal::Parse(plan_text, &plan);
        if (!s.ok()) return FieldError(path, row.line, "plan", s.message());
        if (plan.micros() <= 0) return FieldError(path, row.line, "plan", "must be above zero");
        if (!plans_.emplace(std::make_pair(id, year), plan).second) {
          return FieldError(path, row.line, "indicator", fmt::format("a plan for '{}' in {} is listed twice", id, year));
        }
        return Status::OK();
      });
}

Status Catalog::LoadBaselines(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 3> kColumns = {"indicator", "period", "value"};
  return ReadCsv<3>(path, text, kColumns, {"indicator", "period", "value"},
      [&](const CsvRow<3>& row) -> Status {
        const auto& [id, period_text, value_text] = row.cells;
        if (!FindIndicator(id)) return FieldError(path, row.line, "indicator", fmt::format("no indicator '{}' in indicators.csv", id));
        Period period;
        Status s = Period::Parse(period_text, &period);
        if (!s.ok()) return FieldError(path, row.line, "period", s.message());
        Decimal value;
        s = Decimal::Parse(value_text, &value);
        if (!s.ok()) return FieldError(path, row.line, "value", s.message());
        if (!baselines_.emplace(std::make_pair(id, period.ToString()), value).second) {
          return FieldError(path, row.line, "indicator",
                            fmt::format("a baseline for '{}' in {} is listed twice", id, period_text));
        }
        return Status::OK();
      });
}

Status Catalog::LoadYears(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 2> kColumns = {"first_year", "last_year"};
  unsigned rows = 0;
  TONGHOP_RETURN_IF_ERROR(ReadCsv<2>(path, text, kColumns, {"first_year", "last_year"},
      [&](const CsvRow<2>& row) -> Status {
        if (++rows > 1) {
          return Status::InvalidArgument(fmt::format(
              "{}:{}: a second row; the file holds one row, the first and the last year figures are accepted for",
              path, row.line));
        }
        const auto& [first_text, last_text] = row.cells;
        std::optional<int> first = ParseYear(first_text);
        if (!first) return FieldError(path, row.line, "first_year", fmt::format("'{}' is not a year such as 2016", first_text));
        const int current_year = UtcYearOfMs(NowMs());
        for (const auto& [word, offset] : kRelativeYears) {
          if (last_text == word) year_window_ = YearWindow(*first, offset, /*relative=*/true);
        }
        if (year_window_.first_year() == 0) {
          std::optional<int> last = ParseYear(last_text);
          if (!last) {
            return FieldError(path, row.line, "last_year",
                              fmt::format("'{}' is not a year such as 2030, nor this_year or next_year", last_text));
          }
          year_window_ = YearWindow(*first, *last, /*relative=*/false);
        }
        if (year_window_.LastYear(current_year) < *first) {
          return FieldError(path, row.line, "last_year",
                            fmt::format("'{}' ({}) is before first_year {}: no figure would be accepted", last_text,
                                        year_window_.LastYear(current_year), *first));
        }
        return Status::OK();
      }));
  if (rows == 0) {
    return Status::InvalidArgument(fmt::format(
        "{}: has no row; give the first and the last year figures are accepted for, e.g. '2016,next_year'", path));
  }
  return Status::OK();
}

const ReportingUnit* Catalog::FindUnit(std::string_view code) const {
  auto it = unit_index_.find(code);
  return it == unit_index_.end() ? nullptr : &units_[it->second];
}

const Indicator* Catalog::FindIndicator(std::string_view id) const {
  auto it = indicator_index_.find(id);
  return it == indicator_index_.end() ? nullptr : &indicators_[it->second];
}

Status Catalog::IndexExpectedUnits(const std::string& path) {
  bool dated = false;
  for (const ReportingUnit& unit : units_) {
    const std::pair<Day, Day> range{unit.first_day, unit.last_day};
    auto it = std::find(eras_.begin(), eras_.end(), range);
    if (it == eras_.end()) {
      if (eras_.size() == kMaxEras) {
        return Status::InvalidArgument(fmt::format(
            "{}: more than {} different pairs of valid_from and valid_to; units that changed on the same day share "
            "their dates", path, kMaxEras));
      }
      it = eras_.insert(eras_.end(), range);
    }
    unit_era_.push_back(static_cast<size_t>(it - eras_.begin()));
    for (Day day : {unit.first_day, unit.last_day}) {
      if (day == std::numeric_limits<Day>::min() || day == std::numeric_limits<Day>::max()) continue;
      const int year = YearOfDay(day);
      first_dated_year_ = dated ? std::min(first_dated_year_, year) : year;
      last_dated_year_ = dated ? std::max(last_dated_year_, year) : year;
      dated = true;
    }
  }
  expected_by_overlap_.resize(indicators_.size());
  for (int year = first_dated_year_ - 1; year <= last_dated_year_ + 1; ++year) {
    for (const Period& period : PeriodsOfYear(year)) {
      const Day last = LastDayOf(period);
      for (const uint64_t overlap : {OverlapOf(FirstDayOf(period), last), OverlapOf(FirstDayOf(Period::OfYear(year)), last)}) {
        for (size_t i = 0; i < indicators_.size(); ++i) {
          auto [it, inserted] = expected_by_overlap_[i].try_emplace(overlap);
          if (!inserted) continue;
          for (const std::string& code : indicators_[i].reporting_units) {
            if (overlap >> unit_era_[unit_index_.at(code)] & 1) it->second.push_back(code);
          }
        }
      }
    }
  }
  return Status::OK();
}

uint64_t Catalog::OverlapOf(Day first, Day last) const {
  uint64_t overlap = 0;
  for (size_t e = 0; e < eras_.size(); ++e) {
    if (eras_[e].first <= last && first <= eras_[e].second) overlap |= uint64_t{1} << e;
  }
  return overlap;
}

const std::vector<std::string>& Catalog::ExpectedUnits(const Indicator& indicator, const Period& period) const {
  // A span before the first dated year overlaps the same ranges as the same span of the year
  // before that year (and after, after), which IndexExpectedUnits met.
  return expected_by_overlap_[static_cast<size_t>(&indicator - indicators_.data())].at(
      OverlapOf(FirstDayOf(period), LastDayOf(period)));
}

const std::vector<std::string>& Catalog::ExpectedUnitsYearToDate(const Indicator& indicator,
                                                                 const Period& period) const {
  return expected_by_overlap_[static_cast<size_t>(&indicator - indicators_.data())].at(
      OverlapOf(FirstDayOf(Period::OfYear(period.year())), LastDayOf(period)));
}

bool Catalog::Expects(const Indicator& indicator, std::string_view unit_code, const Period& period) const {
  const std::vector<std::string>& expected = ExpectedUnits(indicator, period);
  return std::binary_search(expected.begin(), expected.end(), unit_code);
}

std::string Catalog::ValidityRefusal(const ReportingUnit& unit, const Period& period) const {
  if (unit.ValidIn(period)) return "";
  if (FirstDayOf(period) > unit.last_day) {
    std::string text = fmt::format("'{}' reports until {} (catalog units.csv, valid_to), so not for {}", unit.code,
                                   unit.valid_to, period.ToString());
    if (auto it = successors_.find(unit.code); it != successors_.end()) {
      text += fmt::format("; {} report in its place", fmt::join(it->second, ", "));
    }
    return text;
  }
  return fmt::format("'{}' reports from {} (catalog units.csv, valid_from), so not for {}", unit.code,
                     unit.valid_from, period.ToString());
}

const Catalog::ComparableGroup* Catalog::ComparableGroupOf(std::string_view unit_code) const {
  auto it = group_of_.find(unit_code);
  return it == group_of_.end() ? nullptr : &groups_[it->second];
}

std::vector<const Indicator*> Catalog::PartsOf(std::string_view total) const {
  std::vector<const Indicator*> parts;
  for (const auto& ind : indicators_) {
    if (ind.part_of == total) parts.push_back(&ind);
  }
  return parts;
}

std::vector<const Indicator*> Catalog::WeightedBy(std::string_view weight) const {
  std::vector<const Indicator*> weighted;
  for (const auto& ind : indicators_) {
    if (ind.weight_indicator == weight) weighted.push_back(&ind);
  }
  return weighted;
}

std::optional<Decimal> Catalog::Plan(std::string_view indicator, int year) const {
  auto it = plans_.find(std::make_pair(std::string(indicator), year));
  if (it == plans_.end()) return std::nullopt;
  return it->second;
}

std::optional<Decimal> Catalog::Baseline(std::string_view indicator, const Period& period) const {
  auto it = baselines_.find(std::make_pair(std::string(indicator), period.ToString()));
  if (it == baselines_.end()) return std::nullopt;
  return it->second;
}

}  // namespace tonghop
