// `tonghop import FILE`: loads a data value set (data_value_set.h) into the aggregator through the
// ingest link, the way a collector sends: through the collector's own Sender (collector/sender.h)
// from an outbox of the import's own, so every figure goes through the same validation, write and
// audit log as live figures, appears in `tonghop history` as entered by the import's key, and is
// resent, rewound (OUT_OF_SEQUENCE) and retried (UNAVAILABLE, a refused handshake) as a
// collector's would be. docs/DATA-MODEL.md, "Import and export".
//
//  - The key: an office key sends every row, for any unit; a unit's collector key sends only that
//    unit's rows. Which one it is, the aggregator says in its first answer (Heartbeat.sender_key),
//    and the rows the key may not send are left out of the outbox, so they never take a seq.
//  - A pair (two ingest endpoints): as a collector of a pair does, it runs a Sender for each, and
//    a figure is settled once both hold it; the outbox keeps a position for each. The first
//    answer for a row is its verdict.
//  - The outbox lives in <state_dir>/imports/<file name>-<16 hex digits>/, the digits a hash of
//    the file's bytes, the endpoints (in sorted order: the order a pair is given in does not
//    matter) and both keys: running the same command again resumes it (nothing is numbered twice,
//    an aggregator that had a figure is not sent it again, and an import already complete sends
//    nothing), while another file, aggregator or key starts a new one.
//  - It runs one EventLoop until every figure is settled; on a terminal (stderr a tty) it shows
//    the progress, and it ends with a per-row verdict file beside the input,
//    <file>.verdicts.csv: line, unit, indicator (and its Vietnamese name), period, value, verdict
//    (stored, duplicate, refused, not_sent) and why.
// Fails (exit 1) when a row was refused or not sent, when an aggregator does not answer within
// timeout_ms or stops taking figures for that long (the message names it), or on SIGINT; the
// figures not yet settled wait in the outbox for the next run.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "core/link_security.h"
#include "core/status.h"

namespace tonghop::cli {

struct ImportOptions {
  std::string file;
  // The aggregator's ingest endpoint, or each of a pair's; none: the configuration file's, else
  // tcp://127.0.0.1:5550.
  std::vector<std::string> ingest_endpoints;
  std::string state_dir;        // "": as cli/client_config.h finds it
  std::string verdict_file;     // "": <file>.verdicts.csv
  std::string catalog_dir;      // for the indicators' names in the verdicts; optional
  std::string lang;             // "vi" or "en"; "": the configuration file's, else the locale
  // How long to wait for the aggregator's first answer, and for the next settled figure.
  int timeout_ms = 30'000;
  int ack_timeout_ms = 5'000;   // the Sender's: unanswered figures are resent after this long
  LinkSecurityFlags security;   // none: found as cli/client_config.h says
};

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options);
Status RunImport(const ImportOptions& options);

}  // namespace tonghop::cli
