// tonghop-aggregator: validates, stores and totals the figures of every reporting unit.
#include "aggregator/aggregator.h"
#include "core/link_security.h"
#include "core/peer_bounds.h"
#include "core/process.h"

int main(int argc, char** argv) {
  tonghop::AggregatorOptions options;
  tonghop::CommonFlags common;
  std::string durability = "fsync";
  CLI::App app{"tonghop-aggregator: receives figures from the collectors, validates and stores them, keeps the "
               "province totals and feeds them to the publisher.\nExample: tonghop-aggregator --config "
               "deploy/local/aggregator.toml"};
  app.add_option("--catalog_dir", options.catalog_dir, "folder with units.csv, indicators.csv, plans.csv, baselines.csv")->capture_default_str();
  app.add_option("--data_dir", options.data_dir, "RocksDB database folder (created if missing)")->capture_default_str();
  app.add_option("--ingest_endpoint", options.ingest_endpoint, "ROUTER the collectors connect to")->capture_default_str();
  app.add_option("--publish_endpoint", options.publish_endpoint, "PUB of the aggregate feed (the publisher subscribes)")->capture_default_str();
  app.add_option("--snapshot_endpoint", options.snapshot_endpoint, "ROUTER answering snapshot requests")->capture_default_str();
  app.add_option("--query_endpoint", options.query_endpoint, "ROUTER answering tonghop status, history, query, export and report")->capture_default_str();
  app.add_option("--durability", durability, "when acks go out: wal (after the log write; survives a process crash) "
                 "or fsync (after the log is fsynced; survives a power loss)")->check(CLI::IsMember({"wal", "fsync"}))->capture_default_str();
  app.add_option("--max_batch_updates", options.max_batch_updates, "most updates written and acked together")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--heartbeat_interval_ms", options.heartbeat_interval_ms, "feed heartbeat when idle; ZMTP ping interval")->check(CLI::Range(10, 60000))->capture_default_str();
  tonghop::AddPeerBoundsFlags(app, &options.feed_bounds, "publisher");
  tonghop::LinkSecurityFlags security;
  tonghop::AddServerSecurityFlags(app, &security);
  tonghop::AddCommonFlags(app, &common);
  return tonghop::RunMain(app, argc, argv, "aggregator", common, [&] {
    TONGHOP_RETURN_IF_ERROR(tonghop::ParseDurability(durability, &options.durability));
    TONGHOP_RETURN_IF_ERROR(tonghop::LoadServerKeys(security, &options.curve));
    options.key_registry_file = security.key_registry_file;
    return tonghop::RunAggregator(options);
  });
}
