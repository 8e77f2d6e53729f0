// The collector node (tonghop-collector): one process per reporting unit. It takes figures from a
// watched drop folder of CSV files (DropFolder) and from `tonghop submit` (LocalApi), stores each
// in its durable outbox (Outbox) before acknowledging it to anyone, and sends the outbox to the
// aggregator (Sender), which it leaves only when acked; a collector of a pair runs one Sender per
// aggregator, and a figure leaves the pending ones when both have acked it. A collector that restarts, or whose
// aggregator is unreachable for hours, loses nothing and resends. docs/COLLECTOR.md describes the
// drop folder and rejected.csv.
// It judges figures by the aggregator's catalog before it stores them (CollectorCatalog), and says
// "ready:" in its log only once it can take figures: with a catalog that has its unit, or, with no
// catalog at all (a first start with the aggregator out of reach), after catalog_wait_ms. A
// collector whose unit is not in the aggregator's catalog takes nothing: RunCollector returns
// InvalidArgument naming the unit.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <vector>

#include "core/status.h"
#include "core/transport.h"

namespace tonghop {

struct CollectorOptions {
  std::string reporting_unit;  // required: the unit's code, e.g. "cao-loc"
  std::string node_id;         // "" means collector-<reporting_unit>
  // The ingest endpoint of each aggregator the collector delivers every figure to: one, or the two
  // of a pair (docs/ARCHITECTURE.md, "Aggregators in pairs"). A figure stays pending until each
  // has settled it. The order names the outbox's positions: keep it when editing the list.
  std::vector<std::string> aggregator_endpoints = {"tcp://127.0.0.1:5550"};
  std::string data_dir = "var/collector";  // the outbox lives in <data_dir>/outbox
  std::string drop_dir;         // "" means <data_dir>/drop
  std::string submit_endpoint;  // "" means ipc://<data_dir>/submit.sock
  int max_in_flight = 1000;
  int scan_interval_ms = 500;
  int ack_timeout_ms = 5'000;
  int heartbeat_interval_ms = 1'000;
  // How long a collector with no catalog at all waits for the aggregator's before it takes figures
  // without (the aggregator still judges them).
  int catalog_wait_ms = 5'000;
  // How long, and up to how many bytes, the outbox keeps figures the aggregator has settled, to
  // send them again should the aggregator's database be restored from a backup (collector/outbox.h):
  // a week covers a backup a day and a restore within days.
  int retention_hours = 168;
  int64_t retention_max_bytes = int64_t{1} << 30;
  // HOST:PORT serving the node's metrics at /metrics (core/metrics.h); "" serves none.
  std::string metrics_endpoint;
  // The language of the drop folder's error files and of the answers to `tonghop submit` that do
  // not ask for one ("vi" or "en"; core/messages.h).
  std::string lang = "vi";
  std::string drop_xlsx_sheet;  // the sheet of a dropped workbook to read; "": its first
  int64_t max_drop_file_bytes = 8 << 20;
  int max_drop_file_rows = 20'000;
  // CURVE client keys towards the aggregator (core/link_security.h); disabled: plain text.
  CurveSocketKeys curve;
  // A relay (collector/relay.h, docs/OPERATIONS.md "Running a relay"): the publisher of the level
  // below whose totals become this unit's figures, e.g. the province publisher for a collector
  // whose reporting_unit is the province's code at the national aggregator. "" for none. Its
  // memory of what it enqueued lives in <data_dir>/relay.
  std::string relay_publish_endpoint;
  std::string relay_snapshot_endpoint;  // its snapshot ROUTER; set exactly when the above is
  CurveSocketKeys relay_curve;          // client keys towards that publisher; disabled: plain text
  // Drop files modified more recently than this are left for a later scan (not a flag: tests).
  int drop_min_age_ms = 500;
  // When set, the node also stops once it is true (tests run the node in a thread).
  std::atomic<bool>* stop = nullptr;
};

// Runs the node until ShutdownRequested() (or *options.stop). Returns a non-ok Status, saying what
// to do, when it cannot start (bad options, unwritable data_dir, outbox in use, endpoint taken).
Status RunCollector(const CollectorOptions& options);

}  // namespace tonghop
