#include "aggregator/snapshot_queries.h"

#include <algorithm>
#include <deque>
#include <iterator>
#include <map>
#include <optional>
#include <set>

#include <fmt/format.h>

#include "aggregator/completeness.h"
#include "aggregator/province_state.h"
#include "aggregator/space_aggregation.h"
#include "core/rocksdb_util.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

// Records a stored-figures page reads at most per figure it may return: a page over a range of
// periods skips the figures of other periods, and must not read the whole family to do it.
constexpr size_t kRecordsReadPerPageFigure = 8;

tonghop::v1::QueryReply Error(std::string text) {
  tonghop::v1::QueryReply reply;
  reply.set_error(std::move(text));
  return reply;
}

tonghop::v1::QueryReply ReadError(const Status& status) {
  return Error("reading the aggregator's database: " + status.message());
}

// Whether `inner` lies within `outer` (the same period, or one of its months, quarters...).
bool Within(const Period& inner, const Period& outer) {
  return inner.year() == outer.year() && inner.first_month() >= outer.first_month() &&
         inner.last_month() <= outer.last_month();
}

// `period` and every shorter period within it.
void AddPeriodsWithin(const Period& period, std::vector<Period>* out) {
  out->push_back(period);
  for (const Period& child : period.Children()) AddPeriodsWithin(child, out);
}

void SetUnitFigure(const Indicator& indicator, const std::string& period, const std::string& unit,
                   const UnitValue& value, tonghop::v1::UnitFigure* figure) {
  figure->set_reporting_unit(unit);
  figure->set_indicator(indicator.id);
  figure->set_period(period);
  SetValue(value.value, figure);
  figure->set_derived(value.derived);
  figure->set_complete(value.complete);
  figure->set_applied_at_ms(value.last_applied_ms);
}

// The latest `max` of the revisions added, in order, and how many earlier ones were left out.
template <typename Revision>
class LatestRevisions {
 public:
  explicit LatestRevisions(size_t max) : max_(max) {}
  void Add(Revision revision) {
    latest_.push_back(std::move(revision));
    if (latest_.size() > max_) {
      latest_.pop_front();
      ++omitted_;
    }
  }
  void MoveTo(google::protobuf::RepeatedPtrField<Revision>* out, tonghop::v1::HistoryReply* reply) {
    for (Revision& revision : latest_) *out->Add() = std::move(revision);
    reply->set_earlier_omitted(omitted_);
  }

 private:
  size_t max_;
  std::deque<Revision> latest_;
  uint64_t omitted_ = 0;
};

// A unit-values page resumes at (indicator, unit): their positions in the catalog.
std::string UnitValuesResume(size_t indicator, size_t unit) {
  return EncodeBigEndian64((static_cast<uint64_t>(indicator) << 32) | unit);
}

// Of `units` (sorted), those in `expected` (sorted).
std::vector<std::string> ExpectedAmong(const std::vector<std::string>& units, const std::vector<std::string>& expected) {
  std::vector<std::string> out;
  std::set_intersection(units.begin(), units.end(), expected.begin(), expected.end(), std::back_inserter(out));
  return out;
}

}  // namespace

Status SnapshotQueries::AddGroupFigures(const Indicator& indicator, const Period& period,
                                        tonghop::v1::ValuesReply* values) const {
  const Period previous = period.SameSpanPreviousYear();
  UnitValues now_values, previous_values;
  TONGHOP_RETURN_IF_ERROR(ValuesOfUnits(indicator, period, &now_values));
  TONGHOP_RETURN_IF_ERROR(ValuesOfUnits(indicator, previous, &previous_values));
  const std::vector<std::string>& expected_now = catalog_->ExpectedUnits(indicator, period);
  const std::vector<std::string>& expected_before = catalog_->ExpectedUnits(indicator, previous);
  std::set<const Catalog::ComparableGroup*> listed;
  for (const std::string& unit : expected_now) {
    const Catalog::ComparableGroup* group = catalog_->ComparableGroupOf(unit);
    if (group != nullptr && !listed.insert(group).second) continue;
    const Catalog::ComparableGroup untouched{{unit}, {unit}};
    if (group == nullptr) group = &untouched;
    // A period across the reorganization (the year 2025) expects units of both sides: the
    // group's value is the sum of all of them, as the province's is.
    std::vector<std::string> units;
    std::set_union(group->before.begin(), group->before.end(), group->after.begin(), group->after.end(),
                   std::back_inserter(units));
    const std::vector<std::string> now_units = ExpectedAmong(units, expected_now);
    const std::vector<std::string> previous_units = ExpectedAmong(units, expected_before);
    const ProvinceValue now = AggregateUnits(indicator, now_units, now_values, nullptr);
    const ProvinceValue before = AggregateUnits(indicator, previous_units, previous_values, nullptr);
    auto* figure = values->add_groups();
    figure->set_indicator(indicator.id);
    figure->set_period(period.ToString());
    for (const std::string& code : group->before) figure->add_units_before(code);
    for (const std::string& code : group->after) figure->add_units_after(code);
    if (now.any) figure->set_value_decimal(now.value.ToString());
    figure->set_units_reported(now.reported);
    figure->set_units_expected(static_cast<uint32_t>(now_units.size()));
    figure->set_previous_period(previous.ToString());
    if (before.any) figure->set_previous_value_decimal(before.value.ToString());
    figure->set_previous_units_reported(before.reported);
    figure->set_previous_units_expected(static_cast<uint32_t>(previous_units.size()));
    if (now.any && before.any) {
      if (auto change = Decimal::Ratio(now.value - before.value, before.value, 100)) {
        figure->set_change_pct_decimal(change->ToString());
      }
    }
    figure->set_partial(now.reported < now_units.size() || before.reported < previous_units.size());
  }
  return Status::OK();
}

Status SnapshotQueries::ValuesOfUnits(const Indicator& indicator, const Period& period, UnitValues* out) const {
  std::map<std::string, ReportedFigures> figures;  // by period text
  Status read;
  *out = ComputeUnitValues(indicator.time_agg, period, [&](const Period& p) -> const ReportedFigures* {
    auto [it, inserted] = figures.try_emplace(p.ToString());
    if (inserted && read.ok()) {
      ReportedFigures& of_period = it->second;
      Status parsed;
      read = view_->ReadFigures(indicator.id, it->first,
                                [&](const std::string& unit, const tonghop::storage::v1::UnitValue& value) {
                                  Decimal figure;
                                  if (Status s = StoredValue(value, &figure); !s.ok()) parsed = s;
                                  of_period.emplace(unit, ReportedFigure{figure, value.applied_at_ms(),
                                                                         ReportedAtMs(value.observed_at_ms(),
                                                                                      value.applied_at_ms()),
                                                                         VersionOf(value.entered_at_ms(),
                                                                                   value.applied_at_ms(),
                                                                                   value.outbox_id(), value.seq()),
                                                                         StoredBelowCompleteness(value)});
                                });
      if (read.ok()) read = parsed;
    }
    return &it->second;
  });
  return read;
}

tonghop::v1::QueryReply SnapshotQueries::Values(const tonghop::v1::ValuesRequest& request) const {
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  const std::string canonical = period.ToString();
  tonghop::v1::QueryReply reply;
  auto* values = reply.mutable_values();
  Status read = view_->ReadAggregates(request.indicator_prefix(), canonical,
                                      [&](const tonghop::v1::AggregateUpdate& version) { *values->add_aggregates() = version; });
  if (!read.ok()) return ReadError(read);
  for (const Indicator& indicator : catalog_->indicators()) {
    if (!request.by_group() || !indicator.id.starts_with(request.indicator_prefix())) continue;
    if (indicator.space_agg != SpaceAggregation::kSum) continue;
    if (Status s = AddGroupFigures(indicator, period, values); !s.ok()) return ReadError(s);
  }
  if (!request.by_unit()) return reply;
  for (const Indicator& indicator : catalog_->indicators()) {
    if (!indicator.id.starts_with(request.indicator_prefix())) continue;
    UnitValues of_units;
    if (Status s = ValuesOfUnits(indicator, period, &of_units); !s.ok()) return ReadError(s);
    for (const std::string& unit : catalog_->ExpectedUnits(indicator, period)) {
      auto it = of_units.find(unit);
      if (it != of_units.end()) SetUnitFigure(indicator, canonical, unit, it->second, values->add_figures());
    }
  }
  return reply;
}

tonghop::v1::QueryReply SnapshotQueries::History(const tonghop::v1::HistoryRequest& request, size_t max_revisions) const {
  const Indicator* indicator = catalog_->FindIndicator(request.indicator());
  if (indicator == nullptr) {
    return Error(fmt::format("unknown indicator '{}' (not in the catalog's indicators.csv)", request.indicator()));
  }
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  if (request.reporting_unit().empty()) return ProvinceHistory(*indicator, period, max_revisions);
  if (catalog_->FindUnit(request.reporting_unit()) == nullptr) {
    return Error(fmt::format("unknown reporting unit '{}' (not in the catalog's units.csv)", request.reporting_unit()));
  }
  LatestRevisions<tonghop::v1::FigureRevision> figures(max_revisions);
  Status parsed;
  Status read = view_->ReadHistory({{indicator->id, period.ToString(), request.reporting_unit()}},
                                   [&](uint64_t, const tonghop::storage::v1::AuditRecord& record) {
                                     tonghop::v1::FigureRevision revision;
                                     if (Status s = AuditRevision(record, &revision); !s.ok()) parsed = s;
                                     figures.Add(std::move(revision));
                                   });
  if (read.ok()) read = parsed;
  if (!read.ok()) return ReadError(read);
  tonghop::v1::QueryReply reply;
  figures.MoveTo(reply.mutable_history()->mutable_figures(), reply.mutable_history());
  return reply;
}

tonghop::v1::QueryReply SnapshotQueries::ProvinceHistory(const Indicator& indicator, const Period& period,
                                                         size_t max_revisions) const {
  // The province value over time: the audit log replayed, in the order the figures were applied,
  // through a scratch state with the same rules. The log is the one source of truth; no second
  // history of aggregates can disagree with it. The value, units reported and partial flag of a
  // period read only the figures of the periods within it, of the indicator and of its weight.
  std::vector<Period> within;
  AddPeriodsWithin(period, &within);
  std::vector<IngestStore::HistoryScope> scopes;
  for (const Period& p : within) {
    scopes.push_back({indicator.id, p.ToString(), std::nullopt});
    if (!indicator.weight_indicator.empty()) scopes.push_back({indicator.weight_indicator, p.ToString(), std::nullopt});
  }
  LatestRevisions<tonghop::v1::ProvinceRevision> province(max_revisions);
  const std::string canonical = period.ToString();
  ProvinceState replay(catalog_);
  std::optional<tonghop::v1::AggregateUpdate> last;
  Status parsed;
  Status read = view_->ReadHistory(scopes, [&](uint64_t, const tonghop::storage::v1::AuditRecord& record) {
    // A superseded figure never counted (docs/DATA-MODEL.md, "Which figure stands").
    if (record.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED || record.superseded() || !parsed.ok()) return;
    Period record_period;
    const Indicator* recorded = catalog_->FindIndicator(record.indicator());
    if (recorded == nullptr || !Period::Parse(record.period(), &record_period).ok()) return;
    tonghop::v1::ProvinceRevision revision;
    if (Status s = AuditRevision(record, revision.mutable_cause()); !s.ok()) {
      parsed = s;
      return;
    }
    if (record.voided()) {
      replay.RemoveUnitValue(*recorded, record_period, record.reporting_unit());
    } else {
      Decimal value;
      if (Status s = AuditValue(record, &value); !s.ok()) {
        parsed = s;
        return;
      }
      replay.SetUnitValue(*recorded, record_period, record.reporting_unit(), value, record.applied_at_ms(),
                          record.observed_at_ms());
    }
    if (!Within(record_period, period)) return;
    tonghop::v1::AggregateUpdate now = replay.Compute(indicator.id, canonical);
    if (last && last->value_decimal() == now.value_decimal() && last->units_reported() == now.units_reported()) return;
    if (auto province_value = ValueOf(now)) SetValue(*province_value, &revision);
    revision.set_units_reported(now.units_reported());
    revision.set_units_expected(static_cast<uint32_t>(catalog_->ExpectedUnits(indicator, period).size()));
    revision.set_partial(now.partial());
    revision.set_at_ms(record.applied_at_ms());
    province.Add(std::move(revision));
    last = std::move(now);
  });
  if (read.ok()) read = parsed;
  if (!read.ok()) return ReadError(read);
  tonghop::v1::QueryReply reply;
  province.MoveTo(reply.mutable_history()->mutable_province(), reply.mutable_history());
  return reply;
}

tonghop::v1::QueryReply SnapshotQueries::PeriodStatus(const tonghop::v1::StatusRequest& request, int64_t now_ms) const {
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  tonghop::v1::QueryReply reply;
  auto* status = reply.mutable_status();
  status->set_period(period.ToString());
  status->set_now_ms(now_ms);
  std::map<std::pair<std::string, std::string>, tonghop::v1::StatusCell> cells;
  for (const Indicator& indicator : catalog_->indicators()) {
    // Judged by the periods the indicator is due for within this one (completeness.h).
    const std::vector<Period> due = DuePeriodsWithin(indicator, period);
    std::vector<UnitValues> due_values(due.size());
    for (size_t i = 0; i < due.size(); ++i) {
      if (Status s = ValuesOfUnits(indicator, due[i], &due_values[i]); !s.ok()) return ReadError(s);
    }
    UnitValues of_period;
    if (due.empty()) {
      if (Status s = ValuesOfUnits(indicator, period, &of_period); !s.ok()) return ReadError(s);
    }
    for (const std::string& unit : catalog_->ExpectedUnits(indicator, period)) {
      auto& cell = cells[{unit, indicator.sector}];
      cell.set_reporting_unit(unit);
      cell.set_sector(indicator.sector);
      if (due.empty()) {
        // Not due for a period this short: a figure the unit chose to give is counted, not expected.
        if (auto it = of_period.find(unit); it != of_period.end() && it->second.complete) {
          cell.set_reported_not_due(cell.reported_not_due() + 1);
        }
        continue;
      }
      std::vector<const UnitValue*> of_unit;
      for (const UnitValues& values : due_values) {
        auto it = values.find(unit);
        of_unit.push_back(it == values.end() ? nullptr : &it->second);
      }
      const UnitTimeliness judged = JudgeUnit(indicator, due, of_unit, now_ms);
      cell.set_expected(cell.expected() + 1);
      if (judged.reported) cell.set_reported(cell.reported() + 1);
      if (judged.late) cell.set_late(cell.late() + 1);
      if (judged.overdue) cell.set_overdue(cell.overdue() + 1);
    }
  }
  // Units in catalog order (the order people read them in), sectors alphabetically.
  for (const ReportingUnit& unit : catalog_->units()) {
    for (auto& [key, cell] : cells) {
      if (key.first == unit.code) *status->add_cells() = cell;
    }
  }
  // Totals partial because of the level below say why, as they do in `watch`.
  Status read = view_->ReadAggregates("", status->period(), [&](const tonghop::v1::AggregateUpdate& version) {
    if (version.partial_reason().empty()) return;
    auto* total = status->add_partial_totals();
    total->set_indicator(version.indicator());
    total->set_reason(version.partial_reason());
  });
  if (!read.ok()) return ReadError(read);
  return reply;
}

std::string SnapshotQueries::CheckExport(const tonghop::v1::ExportRequest& request) {
  Period period;
  if (request.stored() && request.period().empty()) return "";
  if (request.period().empty()) return "field 'period' is empty: name the period whose unit values to export";
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return "field 'period': " + s.message();
  return "";
}

Status SnapshotQueries::ExportPage(const tonghop::v1::ExportRequest& request, std::string_view resume,
                                   size_t max_figures, tonghop::v1::ExportReply* reply, std::string* next) const {
  return request.stored() ? ExportStored(request, resume, max_figures, reply, next)
                          : ExportUnitValues(request, resume, max_figures, reply, next);
}

Status SnapshotQueries::ExportStored(const tonghop::v1::ExportRequest& request, std::string_view resume,
                                     size_t max_figures, tonghop::v1::ExportReply* reply, std::string* next) const {
  std::optional<Period> range;
  if (!request.period().empty()) {
    range.emplace();
    TONGHOP_RETURN_IF_ERROR(Period::Parse(request.period(), &*range));
  }
  const std::string& prefix = request.indicator_prefix();
  Status parsed;
  Status read = view_->ScanFigures(
      resume, prefix, max_figures * kRecordsReadPerPageFigure,
      [&](const std::string& indicator, const std::string& period, const std::string& unit,
          const tonghop::storage::v1::UnitValue& value) {
        Period stored;
        if (!indicator.starts_with(prefix)) return true;
        if (range && (!Period::Parse(period, &stored).ok() || !Within(stored, *range))) return true;
        Decimal stored_value;
        if (Status s = StoredValue(value, &stored_value); !s.ok()) {
          parsed = s;
          return false;
        }
        auto* figure = reply->add_figures();
        figure->set_reporting_unit(unit);
        figure->set_indicator(indicator);
        figure->set_period(period);
        SetValue(stored_value, figure);
        figure->set_complete(true);
        figure->set_applied_at_ms(value.applied_at_ms());
        return static_cast<size_t>(reply->figures_size()) < max_figures;
      },
      next);
  return read.ok() ? parsed : read;
}

Status SnapshotQueries::ExportUnitValues(const tonghop::v1::ExportRequest& request, std::string_view resume,
                                         size_t max_figures, tonghop::v1::ExportReply* reply, std::string* next) const {
  Period period;
  TONGHOP_RETURN_IF_ERROR(Period::Parse(request.period(), &period));
  const std::string canonical = period.ToString();
  uint64_t position = 0;
  if (!resume.empty() && !DecodeBigEndian64(resume, &position)) {
    return Status::InvalidArgument("field 'page_token' is not one this aggregator issued");
  }
  const std::vector<Indicator>& indicators = catalog_->indicators();
  next->clear();
  for (size_t i = position >> 32; i < indicators.size(); ++i) {
    const Indicator& indicator = indicators[i];
    if (!indicator.id.starts_with(request.indicator_prefix())) continue;
    UnitValues of_units;
    TONGHOP_RETURN_IF_ERROR(ValuesOfUnits(indicator, period, &of_units));
    const size_t first_unit = i == (position >> 32) ? (position & 0xffffffff) : 0;
    const std::vector<std::string>& expected = catalog_->ExpectedUnits(indicator, period);
    for (size_t u = first_unit; u < expected.size(); ++u) {
      const std::string& unit = expected[u];
      auto it = of_units.find(unit);
      if (it == of_units.end()) continue;
      SetUnitFigure(indicator, canonical, unit, it->second, reply->add_figures());
      if (static_cast<size_t>(reply->figures_size()) == max_figures) {
        *next = UnitValuesResume(i, u + 1);
        return Status::OK();
      }
    }
  }
  return Status::OK();
}

}  // namespace tonghop
