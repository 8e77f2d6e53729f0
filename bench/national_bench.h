// The national part, `tonghop-bench --only national` (docs/PERFORMANCE.md, "A country: 34
// provinces"): the three levels of issue 16 as real processes on this machine. Each province is a
// tonghop-aggregator with a catalog of its communes and a tonghop-publisher; its communes are
// simulated collectors (bench/load_generator.h, one generator per province, each in its thread);
// a relay per province (tonghop-collector --relay_publish_endpoint) turns the province's totals
// into its figures at the national aggregator, whose catalog's units are the provinces, followed
// by its own publisher and a Clone subscriber.
//
// Lạng Sơn, the first province, has its 65 real communes (deploy/lang-son/communes-2025.csv) and
// is the probe province: its commune 0's updates set bench.probe, which the national catalog
// expects from Lạng Sơn alone (the other provinces' relays skip their own probe totals), so the
// national subscriber seeing value v knows that every Lạng Sơn probe up to v reached the national
// total. The other provinces (deploy/vietnam/units.csv) have sample communes ("Xã mẫu N"), as many
// as make the country's 3,321 commune-level units.
#pragma once

#include <string>

#include "bench/bench.h"
#include "bench/bench_report.h"
#include "core/status.h"

namespace tonghop::bench {

// Starts the country under `root` (3 provinces of 20 communes with options.quick) and adds to
// `report`: a paced run of options.national_updates_per_s for options.national_seconds, and a run
// at all the communes can offer for options.run_seconds, each with the updates per second entering the country, the
// province totals applied per second at the national aggregator, and the latency from a commune's
// figure to the national total beside the latency to its province total in the same run.
Status MeasureNation(const BenchOptions& options, const std::string& root, BenchReport& report);

}  // namespace tonghop::bench
