// tonghop-aggregator: validates, stores and totals the figures of every reporting unit.
#include "aggregator/aggregator.h"
#include "core/link_security.h"
#include "core/peer_bounds.h"
#include "core/metrics.h"
#include "core/process.h"

int main(int argc, char** argv) {
  tonghop::AggregatorOptions options;
  tonghop::CommonFlags common;
  std::string durability = "fsync";
  CLI::App app{"tonghop-aggregator: receives figures from the collectors, validates and stores them, keeps the "
               "province totals and feeds them to the publisher.\nExample: tonghop-aggregator --config "
               "deploy/local/aggregator.toml"};
  app.add_option("--catalog_dir", options.catalog_dir, "folder with units.csv, indicators.csv, plans.csv, baselines.csv, years.csv")->capture_default_str();
  app.add_option("--data_dir", options.data_dir, "RocksDB database folder (created if missing)")->capture_default_str();
  app.add_option("--ingest_endpoint", options.ingest_endpoint, "ROUTER the collectors connect to")->capture_default_str();
  app.add_option("--publish_endpoint", options.publish_endpoint, "PUB of the aggregate feed (the publisher subscribes)")->capture_default_str();
  app.add_option("--snapshot_endpoint", options.snapshot_endpoint, "ROUTER answering snapshot requests")->capture_default_str();
  app.add_option("--query_endpoint", options.query_endpoint, "ROUTER answering tonghop status, history, query, export and report")->capture_default_str();
  app.add_option("--query_max_open_exports", options.query_limits.max_open_exports, "exports (tonghop export) open at once, "
                 "each holding a snapshot of the database between its pages; one more is refused until one ends")->check(CLI::Range(1, 1000))->capture_default_str();
  app.add_option("--query_export_page_figures", options.query_limits.export_page_figures, "most figures in one export "
                 "page (about 100 bytes each in the reply)")->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--query_export_idle_ms", options.query_limits.export_idle_ms, "an export not asked for its next page "
                 "for this long is dropped and its snapshot released")->check(CLI::Range(100, 3600000))->capture_default_str();
  app.add_option("--query_history_max_revisions", options.query_limits.history_max_revisions, "most revisions in one "
                 "history reply, the latest (about 100 bytes each); the reply says how many earlier ones it leaves "
                 "out")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--backup_chunk_bytes", options.query_limits.backup.chunk_bytes, "most bytes of a file in one reply "
                 "to `tonghop backup` (one backup is served at a time)")
      ->check(CLI::Range(4096, 8 << 20))->capture_default_str();
  app.add_option("--backup_idle_ms", options.query_limits.backup.idle_ms, "a backup not asked for anything for this "
                 "long is dropped and its checkpoint removed")->check(CLI::Range(100, 3600000))->capture_default_str();
  app.add_option("--durability", durability, "when acks go out: wal (after the log write; survives a process crash) "
                 "or fsync (after the log is fsynced; survives a power loss)")->check(CLI::IsMember({"wal", "fsync"}))->capture_default_str();
  app.add_option("--max_batch_updates", options.max_batch_updates, "most updates written and acked together")->check(CLI::Range(1, 100000))->capture_default_str();
  // Bounds on what a collector controls (docs/SECURITY.md, "Bounds on what a peer controls").
  app.add_option("--max_ingest_message_bytes", options.max_ingest_message_bytes,
                 "largest message a collector may send; a larger one closes its connection (a batch of 1,000 "
                 "updates is at most about 640 kB)")->check(CLI::Range(int64_t{4096}, int64_t{1} << 30))->capture_default_str();
  app.add_option("--ingest_receive_hwm_messages", options.ingest_receive_hwm_messages,
                 "messages queued per collector connection; past it the aggregator stops reading that "
                 "connection until it catches up")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--ingest_send_hwm_messages", options.ingest_send_hwm_messages,
                 "answers queued per collector connection; past it they are dropped (counted and logged), and "
                 "the collector resends what stays unanswered")->check(CLI::Range(10, 1000000))->capture_default_str();
  app.add_option("--max_messages_per_burst", options.max_messages_per_burst,
                 "most ingest messages read before the other sockets are served again")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--max_updates_per_batch_message", options.max_updates_per_batch_message,
                 "most updates in one batch a collector sends (it sends 100); a larger batch is refused MALFORMED")
      ->check(CLI::Range(1, 100000))->capture_default_str();
  app.add_option("--max_outboxes_per_unit", options.max_outboxes_per_unit,
                 "most outboxes the keys of one unit may bring into use (a collector makes one per fresh data "
                 "folder, `tonghop import` one per run); a batch for one more is refused UNAUTHORIZED. Under "
                 "CURVE only")->check(CLI::Range(1, 1000000))->capture_default_str();
  app.add_option("--heartbeat_interval_ms", options.heartbeat_interval_ms, "feed heartbeat to the publishers this often, however busy the feed")->check(CLI::Range(10, 60000))->capture_default_str();
  tonghop::AddPeerBoundsFlags(app, &options.feed_bounds, "publisher");
  tonghop::AddMetricsFlag(app, &options.metrics_endpoint, "127.0.0.1:9550");
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
