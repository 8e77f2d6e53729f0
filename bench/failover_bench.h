// The failover benchmark, `tonghop-bench --only failover` (docs/PERFORMANCE.md, "A publisher
// failing over"): a pair of aggregators under steady load, each fed by simulated collectors of
// its own, a publisher given both (A first) and subscribers of it; A is killed (SIGKILL), and each
// subscriber's stale time is measured: from the kill until it holds B's stream in sync and sees a
// new version of it. Beside it, its floor in the same run: the publisher's --upstream_timeout_ms
// (the silence it must see before it moves) plus a full snapshot of B of the same size.
#pragma once

#include <string>

#include "bench/bench.h"
#include "bench/bench_report.h"
#include "bench/workload.h"
#include "core/status.h"

namespace tonghop::bench {

// Runs the failovers (5, or 2 with options.quick), each on a fresh pair under `root`, with
// options.subscribers subscribers, and adds the stale times and their floor to `report`.
Status MeasureFailovers(const Workload& workload, const BenchOptions& options, const std::string& root,
                        BenchReport& report);

}  // namespace tonghop::bench
