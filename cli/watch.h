// `tonghop watch`: a CloneReplica of the publisher's aggregates. Live on a terminal, it is a
// full-screen ncurses view (the table of watch_view.h fitted to the terminal, scrollable, with the
// column header, the current sector's title and a status line kept in view) updated as figures
// arrive, at most 5 times a second; ncurses sends the terminal only the cells that changed. Live
// with stdout not a terminal, it prints the whole table again on each change. With --once it
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
  std::string sector;     // shorthand for --indicator <sector>.
  bool show_derived = false;  // rows of derived periods and the YTD column (watch_view.h TableLayout)
  bool once = false;
  bool json = false;
  int timeout_ms = 5'000;  // --once: how long to wait for the snapshot
  // Where the indicator names come from; "" = deploy/lang-son when that folder exists here.
  std::string catalog_dir;
  // Of the column header and the status line: "vi", "en", or "" (the configuration file's, else
  // the locale: core/messages.h). Set from tonghop's --lang.
  std::string lang;
  // CURVE towards a publisher with --subscriber_access authenticated; none: public, plain text.
  LinkSecurityFlags security;
};

// Declares the `watch` subcommand of `app`, binding its flags into `options`.
CLI::App* AddWatchCommand(CLI::App& app, WatchOptions* options);

// The topic filter the options ask for ("" for everything). InvalidArgument names the flag.
// --period with --indicator or --sector subscribes to the indicators; the period is then selected
// by the view (TableLayout.period).
Status ResolveFilter(const WatchOptions& options, std::string* filter);

Status RunWatch(const WatchOptions& options);

}  // namespace tonghop::cli
