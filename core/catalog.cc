#include "core/catalog.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <fmt/format.h>
#include <set>

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

Status Catalog::LoadUnits(const std::string& path, const std::string& text) {
  static constexpr std::array<const char*, 3> kColumns = {"code", "name_vi", "kind"};
  TONGHOP_RETURN_IF_ERROR(ReadCsv<3>(path, text, kColumns, {"code", "name_vi", "kind"},
      [&](const CsvRow<3>& row) -> Status {
        const auto& [code, name, kind] = row.cells;
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
        unit_index_.emplace(code, units_.size());
        units_.push_back({code, name, kind});
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
        ind.expected_units.assign(expected.begin(), expected.end());

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
        if (ind.space_agg == SpaceAggregation::kNone && ind.expected_units.size() != 1) {
          return FieldError(path, row.line, "space_agg",
                            fmt::format("'none' means one unit reports the province value, but reported_by names {}",
                                        ind.expected_units.size()));
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
    if (weight->expected_units != ind.expected_units) {
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
        const int current_year = UtcYearOfMs(std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::system_clock::now().time_since_epoch()).count());
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

bool Catalog::Expects(const Indicator& indicator, std::string_view unit_code) {
  return std::binary_search(indicator.expected_units.begin(), indicator.expected_units.end(), unit_code);
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
