#include "bench/workload.h"

#include <filesystem>

#include <cmath>

#include <fmt/format.h>

#include "core/csv.h"
#include "core/period.h"
#include "core/wire_protocol.h"

namespace tonghop::bench {
namespace {

// Month `back` months before the live one ("2026-11" back 1 is "2026-10").
std::string MonthBefore(const std::string& live_period, uint64_t back) {
  Period live;
  (void)Period::Parse(live_period, &live);
  const int64_t months = static_cast<int64_t>(live.year()) * 12 + (live.first_month() - 1) - static_cast<int64_t>(back);
  return fmt::format("{:04d}-{:02d}", months / 12, months % 12 + 1);
}

}  // namespace

std::string UnitCode(const Workload& workload, int unit) {
  return workload.named_units.empty() ? fmt::format("commune-{:05d}", unit) : workload.named_units[unit].code;
}
std::string IndicatorId(int indicator) { return fmt::format("bench.counter{:03d}", indicator); }

Status WriteCatalog(const Workload& workload, const std::string& dir) {
  std::error_code error;
  std::filesystem::create_directories(dir, error);
  if (!workload.named_units.empty() && static_cast<int>(workload.named_units.size()) != workload.units) {
    return Status::InvalidArgument(fmt::format("a workload of {} units names {}", workload.units,
                                               workload.named_units.size()));
  }
  std::string units = "code,name_vi,kind\n";
  std::string reporting_kinds = workload.named_units.empty() ? "commune" : "";
  for (const WorkloadUnit& unit : workload.named_units) {
    units += fmt::format("{},{},{}\n", unit.code, CsvEscape(unit.name_vi), unit.kind);
    if (("|" + reporting_kinds + "|").find("|" + unit.kind + "|") == std::string::npos) {
      reporting_kinds += (reporting_kinds.empty() ? "" : "|") + unit.kind;
    }
  }
  if (workload.named_units.empty()) {
    for (int u = 0; u < workload.units; ++u) units += fmt::format("{},Xã {},commune\n", UnitCode(workload, u), u);
  }
  std::string indicators = "id,sector,name_vi,unit,reported_by,space_agg,time_agg,period_type,non_negative\n";
  std::string plans = "indicator,year,plan\n";
  Period live;
  TONGHOP_RETURN_IF_ERROR(Period::Parse(workload.live_period, &live));
  for (int i = 0; i < workload.indicators; ++i) {
    indicators += fmt::format("{},bench,Bộ đếm {},lượt,{},sum,sum,month,yes\n", IndicatorId(i), i, reporting_kinds);
    plans += fmt::format("{},{},{}\n", IndicatorId(i), live.year(), 1'000'000'000);
  }
  indicators += fmt::format("{},bench,Đầu dò độ trễ,lượt,{},max,last,month,yes\n", kProbeIndicator,
                            UnitCode(workload, 0));
  TONGHOP_RETURN_IF_ERROR(WriteStringToFile(dir + "/units.csv", units));
  TONGHOP_RETURN_IF_ERROR(WriteStringToFile(dir + "/indicators.csv", indicators));
  TONGHOP_RETURN_IF_ERROR(WriteStringToFile(dir + "/plans.csv", plans));
  TONGHOP_RETURN_IF_ERROR(WriteStringToFile(dir + "/baselines.csv", "indicator,period,value\n"));
  // Stored-value runs fill as many months before the live one as they need.
  return WriteStringToFile(dir + "/years.csv", "first_year,last_year\n1900,2999\n");
}

void MakeLiveUpdate(const Workload& workload, int unit, uint64_t seq, int64_t observed_at_ms,
                    tonghop::v1::IndicatorUpdate* update) {
  update->set_seq(seq);
  update->set_reporting_unit(UnitCode(workload, unit));
  update->set_indicator(unit == 0 ? std::string(kProbeIndicator)
                                  : IndicatorId(static_cast<int>(seq % workload.live_indicators)));
  update->set_period(workload.live_period);
  // A counter that grows: every update changes the unit's figure, and so the province total.
  SetFigureValue(Decimal::FromUnits(static_cast<int64_t>(seq)), update);
  update->set_observed_at_ms(observed_at_ms);
}

void MakeLiveBatch(const Workload& workload, int unit, uint64_t first_seq, int count, int64_t observed_at_ms,
                   tonghop::v1::UpdateBatch* batch) {
  batch->Clear();
  batch->set_node_id(fmt::format("bench-{}", unit));
  batch->set_outbox_id(static_cast<uint64_t>(unit) + 1);
  for (int n = 0; n < count; ++n) {
    MakeLiveUpdate(workload, unit, first_seq + n, observed_at_ms, batch->add_updates());
  }
}

void MakeStoredUpdate(const Workload& workload, uint64_t i, tonghop::v1::IndicatorUpdate* update) {
  const uint64_t units = workload.units;
  const uint64_t indicators = workload.indicators;
  update->set_reporting_unit(UnitCode(workload, static_cast<int>(i % units)));
  update->set_indicator(IndicatorId(static_cast<int>(i / units % indicators)));
  update->set_period(MonthBefore(workload.live_period, 1 + i / (units * indicators)));
  SetFigureValue(Decimal::FromUnits(static_cast<int64_t>(i % 1000 + 1)), update);
}

tonghop::storage::v1::UnitValue MakeStoredValue(const std::string& node_id, uint64_t outbox_id,
                                                const tonghop::v1::IndicatorUpdate& update, int64_t applied_at_ms) {
  tonghop::storage::v1::UnitValue value;
  Decimal figure;
  (void)FigureValue(update, &figure);  // the workload's own figures, always readable
  SetStoredValue(figure, &value);
  value.set_node_id(node_id);
  value.set_outbox_id(outbox_id);
  value.set_seq(update.seq());
  value.set_observed_at_ms(update.observed_at_ms());
  value.set_applied_at_ms(applied_at_ms);
  return value;
}

tonghop::storage::v1::AuditRecord MakeStoredAudit(const tonghop::storage::v1::UnitValue& value,
                                                  const tonghop::v1::IndicatorUpdate& update, bool replaces_a_figure) {
  tonghop::storage::v1::AuditRecord audit;
  audit.set_reporting_unit(update.reporting_unit());
  audit.set_indicator(update.indicator());
  audit.set_period(update.period());
  Decimal figure;
  (void)StoredValue(value, &figure);  // written by MakeStoredValue
  if (replaces_a_figure) SetAuditPreviousValue(figure, &audit);
  SetAuditValue(figure, &audit);
  audit.set_node_id(value.node_id());
  audit.set_outbox_id(value.outbox_id());
  audit.set_seq(value.seq());
  audit.set_observed_at_ms(value.observed_at_ms());
  audit.set_applied_at_ms(value.applied_at_ms());
  return audit;
}

}  // namespace tonghop::bench
