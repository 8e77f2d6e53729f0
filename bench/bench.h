// tonghop-bench (docs/PERFORMANCE.md): the whole pipeline measured against its own ceilings.
//
// It starts the real tonghop-aggregator and tonghop-publisher (tests/mini_province.h) with a
// synthetic catalog (bench/workload.h), offers load from simulated collectors
// (bench/load_generator.h), follows the feed with real Clone subscribers
// (bench/subscriber_pool.h) and the web node's event stream (bench/sse_pool.h), and in the same run
// measures this machine's ceilings with the same libraries (bench/ceilings.h). Every figure goes
// into a BenchReport.
#pragma once

#include <string>
#include <vector>

#include "core/status.h"

namespace tonghop::bench {

struct BenchOptions {
  bool quick = false;           // every figure, on small counts and short runs: under a minute
  std::string work_dir;         // "" for a new folder under /tmp, removed afterwards
  std::string json_file;        // also write the report here as JSON
  int subscribers = 2;
  double run_seconds = 10;      // each throughput measurement
  double latency_seconds = 10;  // each fixed-load latency measurement
  uint64_t stored_values = 10'000'000;  // the large stored run, the backup and the pair's rebuild
  // Office clients asking for province histories during the queries run.
  int history_clients = 16;
  // The parts to run, of "ceilings", "live", "fsync", "queries", "stored", "flood", "metrics", "web", "backup",
  // "pair", "failover", "national"; empty for all.
  std::vector<std::string> only;
  // Clients of tonghop-web's event stream in the web part, and the load they follow.
  int sse_clients = 100;
  double sse_updates_per_s = 10'000;
  // Passed on to every tonghop-aggregator started, to measure a setting ("--max_batch_updates=5000").
  std::vector<std::string> aggregator_flags;
  // The metrics part: how often the scraper GETs every node's /metrics, and the rounds of runs
  // without and with it, alternated.
  int scrape_interval_ms = 1'000;
  int metrics_rounds = 3;
  std::string command;          // the command line, for the report
  // Each run of the part "flood" (bench/flood_bench.h).
  double flood_seconds = 10;
  // The part "national" (bench/national_bench.h): the updates per second all the country's
  // communes offer together in its paced run, and that run's length (its run at saturation lasts
  // run_seconds).
  double national_updates_per_s = 1'000;
  double national_seconds = 60;
};

// Runs every measurement, prints the table on stdout, and writes the JSON when asked.
Status RunBench(BenchOptions options);

}  // namespace tonghop::bench
