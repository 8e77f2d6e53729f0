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
  // The language of the messages, here and in the collector's answer: "vi", "en", or "" (the
  // configuration file's lang, else the locale; core/messages.h).
  std::string lang;
};

// Declares the `submit` subcommand of `app`, binding its flags into `options`.
CLI::App* AddSubmitCommand(CLI::App& app, SubmitOptions* options);

// Checks the flags and builds the request (asking the collector to answer in the language of
// `options`); InvalidArgument names the flag that is wrong, in that language.
Status BuildSubmitRequest(const SubmitOptions& options, tonghop::v1::LocalRequest* request);

// Sends the figure and prints "accepted as seq N; ..." (in Vietnamese: "đã nhận, số thứ tự N; ...")
// on stdout. Fails with the collector's error, or when the collector does not answer.
Status RunSubmit(const SubmitOptions& options);

}  // namespace tonghop::cli
