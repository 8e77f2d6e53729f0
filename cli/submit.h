// `tonghop submit`: hands one figure to the local collector, which stores it in its durable
// outbox and sends it to the aggregator when it can. Success means "stored at the collector",
// not "counted in the province total".
#pragma once

#include <string>

#include <CLI/CLI.hpp>

#include "core/status.h"
#include "tonghop/v1/local.pb.h"

namespace tonghop::cli {

struct SubmitOptions {
  std::string collector_endpoint;
  std::string indicator;
  std::string period;
  std::string value;           // text, parsed exactly with Decimal::Parse
  std::string reporting_unit;  // "" = the collector's own unit
  int timeout_ms = 5'000;
};

// Declares the `submit` subcommand of `app`, binding its flags into `options`.
CLI::App* AddSubmitCommand(CLI::App& app, SubmitOptions* options);

// Checks the flags and builds the request; InvalidArgument names the flag that is wrong.
Status BuildSubmitRequest(const SubmitOptions& options, tonghop::v1::LocalRequest* request);

// Sends the figure and prints "accepted as seq N; ..." on stdout. Fails with the collector's
// error, or when the collector does not answer.
Status RunSubmit(const SubmitOptions& options);

}  // namespace tonghop::cli
