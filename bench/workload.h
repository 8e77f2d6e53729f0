// The benchmark's workload (docs/PERFORMANCE.md): live counters of many reporting units.
//
// A synthetic catalog of `units` communes (or units named by the caller: the national part's real
// and sample communes, and its provinces) and `indicators` counters (space sum, time sum,
// reported monthly, so each month also yields its quarter, half-year and year). Collector c is
// unit c; its update number `seq` sets that unit's figure for counter seq % live_indicators in
// the live month to seq — a counter (visitors at a border gate, vehicles) re-reported as it
// grows. Collector 0 is the latency probe instead: its updates set kProbeIndicator (max over
// units; only commune 0 reports it) to their seq, so a subscriber that sees value v knows exactly
// which probes its screen reflects. The figures stored beforehand for the "stored values" runs
// fill the months before the live one.
//
// The same update shapes feed the pipeline run and every ceiling, so that the ratios compare the
// same bytes and the same number of records.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::bench {

// A reporting unit of the catalog, as units.csv names it.
struct WorkloadUnit {
  std::string code, name_vi, kind;
};

struct Workload {
  int units = 1000;
  // The units by name (a real province's communes, the nation's provinces), `units` of them; empty
  // for synthetic communes ("commune-00000", "Xã 0", kind commune). The counters are reported by
  // every kind among them, the probe by unit 0.
  std::vector<WorkloadUnit> named_units;
  // The catalog's counters; live updates use the first live_indicators of them, stored figures
  // all of them (so that 10 million stored values need only 100 months of 1,000 units).
  int indicators = 100;
  int live_indicators = 10;
  // The live month; stored-value runs fill the months before it.
  std::string live_period = "2026-11";
  // Updates per UpdateBatch message and per collector in flight: the real collector's
  // (collector/sender.h: kMaxUpdatesPerBatch, max_in_flight).
  int batch_updates = 100;
  int window_updates = 1000;
};

// units.csv, indicators.csv, plans.csv, baselines.csv, years.csv of the workload's catalog in `dir`.
Status WriteCatalog(const Workload& workload, const std::string& dir);

inline constexpr char kProbeIndicator[] = "bench.probe";

std::string UnitCode(const Workload& workload, int unit);
std::string IndicatorId(int indicator);

// Fills `update` (seq, unit, indicator, period, value, observed_at_ms) with collector `unit`'s
// live update number `seq` (a probe for unit 0).
void MakeLiveUpdate(const Workload& workload, int unit, uint64_t seq, int64_t observed_at_ms,
                    tonghop::v1::IndicatorUpdate* update);

// Collector `unit`'s UpdateBatch of `count` live updates from `first_seq` (node_id "bench-<unit>",
// outbox_id unit + 1).
void MakeLiveBatch(const Workload& workload, int unit, uint64_t first_seq, int count, int64_t observed_at_ms,
                   tonghop::v1::UpdateBatch* batch);

// The i-th of the stored figures that precede the live month (every unit, indicator and month
// before live_period; unit fastest, then indicator, then month backwards): its unit, indicator,
// period and value; seq and observed_at_ms are left 0.
void MakeStoredUpdate(const Workload& workload, uint64_t i, tonghop::v1::IndicatorUpdate* update);

// What the aggregator stores for an applied update (aggregator/ingest_store.h): the unit's value
// record and its audit record. With `replaces_a_figure` the audit record carries a previous value
// (the same size as the real one). For the ceilings and for filling a database beforehand.
tonghop::storage::v1::UnitValue MakeStoredValue(const std::string& node_id, uint64_t outbox_id,
                                                const tonghop::v1::IndicatorUpdate& update, int64_t applied_at_ms);
tonghop::storage::v1::AuditRecord MakeStoredAudit(const tonghop::storage::v1::UnitValue& value,
                                                  const tonghop::v1::IndicatorUpdate& update, bool replaces_a_figure);

}  // namespace tonghop::bench
