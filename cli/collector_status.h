// `tonghop collector-status`: what a collector's outbox holds and whether its aggregator answers.
// deploy/local/province.sh reads the "pending:" line of `--lang en`, so its wording is part of the
// interface.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "core/messages.h"
#include "core/status.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

struct CollectorStatusOptions {
  std::string collector_endpoint;
  int timeout_ms = 3'000;
  std::string lang;  // "vi", "en", or "": the configuration file's, else the locale
};

// Declares the `collector-status` subcommand of `app`, binding its flags into `options`.
CLI::App* AddCollectorStatusCommand(CLI::App& app, CollectorStatusOptions* options);

// The status as printed, one "name: value" line each; `now_ms` dates the last ack ("12 s ago").
// In English the names are the fields' ("pending: 12"), which scripts read; in Vietnamese they are
// words ("chờ gửi: 12").
std::string FormatCollectorStatus(const tonghop::v1::LocalReply& reply, int64_t now_ms,
                                  Language language = Language::kEnglish);

// Asks the collector and prints its status on stdout.
Status RunCollectorStatus(const CollectorStatusOptions& options);

}  // namespace tonghop::cli
