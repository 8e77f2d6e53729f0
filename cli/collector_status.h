// `tonghop collector-status`: what a collector's outbox holds and whether its aggregator answers.
// deploy/local/province.sh reads the "pending:" line, so its wording is part of the interface.
#pragma once

#include <cstdint>
#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

struct CollectorStatusOptions {
  std::string collector_endpoint;
  int timeout_ms = 3'000;
};

// Declares the `collector-status` subcommand of `app`, binding its flags into `options`.
CLI::App* AddCollectorStatusCommand(CLI::App& app, CollectorStatusOptions* options);

// The status as printed, one "name: value" line each; `now_ms` dates the last ack ("12 s ago").
std::string FormatCollectorStatus(const tonghop::v1::LocalReply& reply, int64_t now_ms);

// Asks the collector and prints its status on stdout.
Status RunCollectorStatus(const CollectorStatusOptions& options);

}  // namespace tonghop::cli
