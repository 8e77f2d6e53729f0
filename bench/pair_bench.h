// The pair part, `tonghop-bench --only pair` (docs/PERFORMANCE.md, "A pair of aggregators";
// issue 15): what delivering every figure to two aggregators costs ingest against one aggregator,
// in the same run, and how long rebuilding a replica of options.stored_values figures takes, step
// by step as OPERATIONS.md ("Running a pair") tells an operator to do it.
#pragma once

#include <string>

#include "bench/bench.h"
#include "bench/bench_report.h"
#include "bench/workload.h"
#include "core/status.h"

namespace tonghop::bench {

// Runs both measurements in provinces under `work_dir` (which holds the workload's catalog/) and
// adds their figures to `report`.
Status MeasurePair(const Workload& workload, const BenchOptions& options, const std::string& work_dir,
                   BenchReport& report);

}  // namespace tonghop::bench
