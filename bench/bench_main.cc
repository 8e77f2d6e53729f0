// tonghop-bench: the whole pipeline measured against this machine's ceilings (bench/bench.h,
// docs/PERFORMANCE.md). Not a test: it prints figures.
#include <CLI/CLI.hpp>

#include "bench/bench.h"
#include "core/process.h"

int main(int argc, char** argv) {
  CLI::App app{"tonghop-bench: throughput, latency, scaling, restart and memory of the real aggregator, "
               "publisher and web node, each against the ceilings of this machine measured in the same run"};
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  tonghop::bench::BenchOptions o;
  app.add_flag("--quick", o.quick, "every figure on short runs and small counts: under a minute");
  app.add_option("--json", o.json_file, "also write the figures as JSON to this file");
  app.add_option("--work_dir", o.work_dir, "folder for the databases and logs (default: a new one under /tmp, removed)");
  app.add_option("--subscribers", o.subscribers, "subscribers following the publisher")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--run_seconds", o.run_seconds, "length of each throughput run")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--latency_seconds", o.latency_seconds, "length of each fixed-load latency run")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--stored_values", o.stored_values, "figures stored before the large stored-values run and the restart, "
                 "and the backup run, and the pair's rebuild")->capture_default_str();
  app.add_option("--history_clients", o.history_clients, "office clients asking for province histories, one after "
                 "another, during the latency run beside queries")->capture_default_str()->check(CLI::Range(1, 100));
  app.add_option("--only", o.only, "run only these parts (repeat, or separate with commas): ceilings, live (WAL "
                 "throughput, latency, scaling, collector), fsync, queries (latency beside history queries), stored "
                 "(over stored figures, restart), flood (the publisher's memory under each attack, docs/PERFORMANCE.md), "
                 "metrics (throughput without and with a scraper of every node's /metrics), web (event streams of "
                 "tonghop-web), backup (an online backup of the stored figures beside ingest), pair (ingest to a pair of aggregators against one, and "
                 "the rebuild of one from the other's backup), failover (subscribers' stale time when the publisher's aggregator "
                 "of a pair is killed), national (a country of 34 provinces, their relays and the national aggregator); all by "
                 "default")
      ->delimiter(',')
      ->check(CLI::IsMember({"ceilings", "live", "fsync", "queries", "stored", "flood", "metrics", "web", "backup", "pair",
                             "failover", "national"}));
  app.add_option("--flood_seconds", o.flood_seconds, "length of each run of --only flood")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--scrape_interval_ms", o.scrape_interval_ms, "the metrics part: how often the scraper GETs every "
                 "node's /metrics (Prometheus's scrape interval)")->capture_default_str()->check(CLI::Range(10, 60000));
  app.add_option("--metrics_rounds", o.metrics_rounds, "the metrics part: runs without and with the scraper, "
                 "alternated")->capture_default_str()->check(CLI::Range(1, 20));
  app.add_option("--sse_clients", o.sse_clients, "clients of tonghop-web's event stream in the web part")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--sse_updates_per_s", o.sse_updates_per_s, "updates per second offered while they follow it")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--national_updates_per_s", o.national_updates_per_s, "the national part: updates per second all "
                 "the country's communes offer together in its paced run")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--national_seconds", o.national_seconds, "the national part: length of its paced run (its run "
                 "at all the communes can offer lasts --run_seconds)")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--aggregator_flag", o.aggregator_flags, "a flag for every tonghop-aggregator started, e.g. "
                 "--aggregator_flag=--max_batch_updates=5000; repeat for more");
  for (int i = 0; i < argc; ++i) o.command += (i ? " " : "") + std::string(argv[i]);
  return tonghop::RunMain(app, argc, argv, "bench", common, [&] { return tonghop::bench::RunBench(o); });
}
