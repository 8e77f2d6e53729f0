// The flood benchmark, `tonghop-bench --flood` (docs/PERFORMANCE.md, "A publisher under attack"):
// the real publisher's resident memory, and how long `tonghop watch --once` takes against it,
// under each attack of tests/feed_flood.h, against the same run without an attack.
#pragma once

#include <string>

#include "bench/bench.h"
#include "bench/bench_report.h"
#include "core/status.h"

namespace tonghop::bench {

// Runs the province of the flood tests under `root` and adds a figure per run to `report`: no
// attack, then each attack, each options.flood_seconds long.
Status MeasureFloods(const BenchOptions& options, const std::string& root, BenchReport& report);

}  // namespace tonghop::bench
