// `tonghop watch`: a CloneReplica of the publisher's aggregates. Live, it redraws the table
// (watch_view.h) as updates arrive, at most 5 times a second, until SIGINT/SIGTERM; with --once it
// prints one complete snapshot (as text, or as the JSON of aggregate_json.h) and exits.
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/link_security.h"
#include "core/status.h"

namespace tonghop::cli {

struct WatchOptions {
  std::string publish_endpoint = "tcp://127.0.0.1:5560";
  std::string snapshot_endpoint = "tcp://127.0.0.1:5561";
  std::string filter;     // raw topic prefix
  std::string period;     // shorthand for filter p/<period>/
  std::string indicator;  // shorthand for filter i/<prefix>
  bool once = false;
  bool json = false;
  int timeout_ms = 5'000;  // --once: how long to wait for the snapshot
  // Where the indicator names come from; "" = deploy/lang-son when that folder exists here.
  std::string catalog_dir;
  // CURVE towards a publisher with --subscriber_access authenticated; none: public, plain text.
  LinkSecurityFlags security;
};

// Declares the `watch` subcommand of `app`, binding its flags into `options`.
CLI::App* AddWatchCommand(CLI::App& app, WatchOptions* options);

// The topic filter the options ask for ("" for everything). InvalidArgument names the flag.
Status ResolveFilter(const WatchOptions& options, std::string* filter);

Status RunWatch(const WatchOptions& options);

}  // namespace tonghop::cli
