// `tonghop import FILE`: loads a data value set (data_value_set.h) into the aggregator through
// the ingest link, exactly as a collector would send it: an UpdateBatch stream of its own (a fresh
// random outbox id, node id "import:<file name>"), so every figure goes through the same
// validation, WriteBatch and audit log as live updates, and appears in `tonghop history`. Used to
// load earlier years (2016) that then serve as year-on-year baselines. An aggregator with CURVE
// keys admits on that link only collector keys, each for its own unit (docs/SECURITY.md): with
// one, the file's figures of that unit are stored and the others refused UNAUTHORIZED.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/link_security.h"
#include "core/status.h"

namespace tonghop::cli {

struct ImportOptions {
  std::string file;
  std::string ingest_endpoint = "tcp://127.0.0.1:5550";
  int timeout_ms = 10'000;
  LinkSecurityFlags security;  // none: plain text
};

CLI::App* AddImportCommand(CLI::App& app, ImportOptions* options);
// Sends the figures in batches, one at a time: each batch is resent after timeout_ms without an
// answer, and only an answer whose seqs all belong to it counts (a late answer to an earlier batch
// is dropped). Prints "file:line: why" for each rejected figure and a summary; fails when any was
// rejected (the others are stored) or when the aggregator cannot be reached.
Status RunImport(const ImportOptions& options);

}  // namespace tonghop::cli
