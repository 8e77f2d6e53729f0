// `tonghop submit` and `tonghop void`: hands one figure (or the void of one) to the local collector, which judges it by the aggregator's
// catalog, stores it in its durable outbox and sends it to the aggregator when it can. Then, unless
// --no-wait, asks the collector for the aggregator's verdict until it has one: success means
// "stored by the aggregator"; with --no-wait, "stored at the collector".
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
  std::string value;           // text, parsed exactly with Decimal::Parse; none for a void
  // `tonghop void`: removes the unit's figure of (indicator, period) instead of storing one.
  bool void_figure = false;
  std::string reporting_unit;  // "" = the collector's own unit
  int timeout_ms = 5'000;
  bool no_wait = false;  // return once the collector stored it, as before the verdict
  int wait_ms = 30'000;  // how long to wait for the aggregator's verdict
  // The language of the messages, here and in the collector's answer: "vi", "en", or "" (the
  // configuration file's lang, else the locale; core/messages.h).
  std::string lang;
};

// Declares the `submit` subcommand of `app`, binding its flags into `options`.
CLI::App* AddSubmitCommand(CLI::App& app, SubmitOptions* options);
// Declares the `void` subcommand: the same path as submit, for a void (options->void_figure set).
// RunSubmit runs it.
CLI::App* AddVoidCommand(CLI::App& app, SubmitOptions* options);

// Checks the flags and builds the request (asking the collector to answer in the language of
// `options`); InvalidArgument names the flag that is wrong, in that language.
Status BuildSubmitRequest(const SubmitOptions& options, tonghop::v1::LocalRequest* request);

// Sends the figure; with no_wait prints "accepted as seq N; ..." (in Vietnamese: "đã nhận, số thứ
// tự N; ...") on stdout, otherwise waits for the aggregator's verdict and prints "stored by the
// aggregator as seq N". Fails with the collector's error, when the collector does not answer, when
// the aggregator refused the figure (InvalidArgument, with its reason), or when it has not
// answered within wait_ms (Unavailable; the figure stays in the collector's outbox and is sent
// when the aggregator is reachable).
Status RunSubmit(const SubmitOptions& options);

}  // namespace tonghop::cli
