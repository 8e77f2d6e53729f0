// tonghop-collector: one per reporting unit; see collector/collector.h and docs/COLLECTOR.md.
#include "collector/collector.h"
#include "core/link_security.h"
#include "core/metrics.h"
#include "core/process.h"

int main(int argc, char** argv) {
  tonghop::CollectorOptions o;
  tonghop::CommonFlags common;
  CLI::App app{"tonghop collector: sends a reporting unit's figures to the aggregator, losing none"};
  tonghop::AddCommonFlags(app, &common);
  app.add_option("--reporting_unit", o.reporting_unit, "code of the unit this collector reports for, as in units.csv (cao-loc)")
      ->required();
  app.add_option("--node_id", o.node_id, "name in the aggregator's logs (default collector-<unit>)");
  app.add_option("--aggregator_endpoint", o.aggregator_endpoints,
                 "aggregator ingest ROUTER; twice (or a,b) for a pair: every figure goes to each, and stays pending "
                 "until each has it (keep the order: it names the outbox's positions)")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--data_dir", o.data_dir, "folder of the outbox (<data_dir>/outbox)")->capture_default_str();
  app.add_option("--drop_dir", o.drop_dir, "watched folder of CSV and .xlsx files (default <data_dir>/drop)");
  app.add_option("--drop_xlsx_sheet", o.drop_xlsx_sheet,
                 "the sheet of a dropped .xlsx workbook to read (default: its first sheet)");
  app.add_option("--max_drop_file_bytes", o.max_drop_file_bytes,
                 "a larger drop file fails whole; each part of a workbook may unpack to this much")
      ->capture_default_str();
  app.add_option("--max_drop_file_rows", o.max_drop_file_rows, "a drop file with more rows fails whole")
      ->capture_default_str();
  app.add_option("--lang", o.lang,
                 "language of the drop folder's error files and of answers to tonghop submit: vi (Vietnamese) or "
                 "en (English); the log stays in English")
      ->check(CLI::IsMember({"vi", "en"}))
      ->capture_default_str();
  app.add_option("--submit_endpoint", o.submit_endpoint, "local API (default ipc://<data_dir>/submit.sock)");
  app.add_option("--max_in_flight", o.max_in_flight, "updates sent and not yet answered")->capture_default_str();
  app.add_option("--scan_interval_ms", o.scan_interval_ms, "drop folder scan period")->capture_default_str();
  app.add_option("--ack_timeout_ms", o.ack_timeout_ms, "resend what is unanswered this long")->capture_default_str();
  app.add_option("--heartbeat_interval_ms", o.heartbeat_interval_ms, "heartbeat when idle this long")
      ->capture_default_str();
  app.add_option("--catalog_wait_ms", o.catalog_wait_ms,
                 "with no catalog kept yet, how long to wait for the aggregator's before taking figures without "
                 "it (the aggregator still judges them); a kept catalog is used at once")
      ->capture_default_str();
  app.add_option("--retention_hours", o.retention_hours,
                 "keep figures the aggregator has acknowledged this long, to send them again should its database be "
                 "restored from a backup (cover the time between backups and a restore; 0: keep none)")
      ->capture_default_str();
  app.add_option("--retention_max_bytes", o.retention_max_bytes,
                 "and at most this many bytes of them: the oldest go first (docs/OPERATIONS.md, \"Retention\")")
      ->capture_default_str();
  app.add_option("--relay_publish_endpoint", o.relay_publish_endpoint,
                 "make this collector the relay of the level below: the PUB of that level's publisher (e.g. a "
                 "province's, tcp://lang-son:5560), whose totals become figures of --reporting_unit (the province's "
                 "code in the national catalog); with --relay_snapshot_endpoint (docs/OPERATIONS.md, \"Running a "
                 "relay\")");
  app.add_option("--relay_snapshot_endpoint", o.relay_snapshot_endpoint,
                 "that publisher's snapshot ROUTER (e.g. tcp://lang-son:5561)");
  std::string relay_server_key;
  app.add_option("--relay_curve_server_public_key", relay_server_key,
                 "a publisher below with --subscriber_access authenticated: its public key (40 Z85 characters or "
                 "its .pub file); the relay then connects with --curve_secret_key_file, which must be registered "
                 "there as a subscriber");
  tonghop::AddMetricsFlag(app, &o.metrics_endpoint, "127.0.0.1:9570");
  tonghop::LinkSecurityFlags security;
  tonghop::AddClientSecurityFlags(app, &security, "the aggregator", true);
  return tonghop::RunMain(app, argc, argv, "collector", common, [&] {
    TONGHOP_RETURN_IF_ERROR(tonghop::LoadClientKeys(security, true, &o.curve));
    if (!relay_server_key.empty()) {
      tonghop::LinkSecurityFlags relay_link;
      relay_link.curve_secret_key_file = security.curve_secret_key_file;
      relay_link.curve_server_public_key = relay_server_key;
      TONGHOP_RETURN_IF_ERROR(
          tonghop::LoadClientKeys(relay_link, true, &o.relay_curve).WithContext("--relay_curve_server_public_key"));
    }
    return tonghop::RunCollector(o);
  });
}
