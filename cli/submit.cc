#include "cli/submit.h"

#include <chrono>
#include <thread>

#include <fmt/format.h>

#include "cli/client_config.h"
#include "cli/collector_client.h"
#include "collector/figure_check.h"
#include "core/clock.h"
#include "core/decimal.h"
#include "core/messages.h"
#include "core/period.h"
#include "core/transport.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

namespace tonghop::cli {
namespace {

// submit and void both go through a collector and wait for it, then for the aggregator's verdict.
void AddCollectorOption(CLI::App* command, SubmitOptions* options) {
  command->add_option("--collector", options->collector_endpoint,
                      "The collector's --submit_endpoint (its default is ipc://<data_dir>/submit.sock)")
      ->required();
}

void AddWaitOptions(CLI::App* command, SubmitOptions* options, const std::string& thing) {
  command->add_option("--timeout_ms", options->timeout_ms, "How long to wait for the collector's answer")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  command->add_flag("--no-wait", options->no_wait,
                    "Return once the collector stored the " + thing + ", without waiting for the aggregator's verdict");
  command->add_option("--wait_ms", options->wait_ms, "How long to wait for the aggregator's verdict")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
}

}  // namespace

CLI::App* AddSubmitCommand(CLI::App& app, SubmitOptions* options) {
  CLI::App* command = app.add_subcommand(
      "submit",
      "Hand one figure to a collector. The collector stores it in its durable outbox and sends it\n"
      "to the aggregator (now, or once the aggregator is reachable again).");
  AddCollectorOption(command, options);
  command->add_option("--indicator", options->indicator, "Indicator id from the catalog, e.g. agri.sown_area.total")
      ->required();
  command->add_option("--period", options->period, "Period: 2017, 2017-H1, 2017-Q1 or 2017-01")->required();
  command->add_option("--value", options->value,
                      "The figure in the indicator's unit; '.' as the decimal point, no thousands "
                      "separators (23134, 17.28)")
      ->required();
  command->add_option("--reporting_unit", options->reporting_unit,
                      "Unit code the figure belongs to (default: the collector's own unit)");
  AddWaitOptions(command, options, "figure");
  command->footer(
      "Examples:\n"
      "  tonghop submit --collector ipc://var/collectors/cao-loc/submit.sock \\\n"
      "      --indicator agri.sown_area.total --period 2017-Q1 --value 2310.5\n"
      "  tonghop submit --collector tcp://127.0.0.1:5570 --indicator agri.herd.pigs \\\n"
      "      --period 2017-03 --value 48.2 --reporting_unit cao-loc\n"
      "Exit code 0 when the aggregator stored the figure (with --no-wait: when the collector stored it),\n"
      "1 otherwise: refused by the collector or the aggregator, or no verdict within --wait_ms (the\n"
      "message says which and why; a figure not yet answered stays in the collector's outbox). Messages\n"
      "are in Vietnamese; tonghop --lang en submit ... (or LANG=en_US.UTF-8) prints them in English.");
  return command;
}

CLI::App* AddVoidCommand(CLI::App& app, SubmitOptions* options) {
  options->void_figure = true;
  CLI::App* command = app.add_subcommand(
      "void",
      "Void a unit's figure: the aggregator removes it, so the unit no longer counts in the province value\n"
      "(a period left with no figure has no total any more), and records who voided it and when\n"
      "(`tonghop history`). Goes through a collector, as submit does: a unit's collector voids its own\n"
      "unit's figures only. To put a previous value back, submit it again.");
  AddCollectorOption(command, options);
  command->add_option("--unit,--reporting_unit", options->reporting_unit,
                      "Unit code whose figure to void (default: the collector's own unit)");
  command->add_option("--indicator", options->indicator, "Indicator id of the figure, e.g. agri.sown_area.total")
      ->required();
  command->add_option("--period", options->period, "Period of the figure: 2017, 2017-H1, 2017-Q1 or 2017-01")
      ->required();
  AddWaitOptions(command, options, "void");
  command->footer(
      "Example:\n"
      "  tonghop void --collector ipc://var/collectors/cao-loc/submit.sock \\\n"
      "      --indicator agri.sown_area.total --period 2030-Q1\n"
      "Exit code 0 when the aggregator voided the figure, 1 otherwise: refused (NOTHING_TO_VOID when the unit\n"
      "has no such figure; nothing changed), or no verdict within --wait_ms.");
  return command;
}

Status BuildSubmitRequest(const SubmitOptions& options, tonghop::v1::LocalRequest* request) {
  const Language language = ChooseLanguage(ResolveLanguageCode(options.lang));
  // A string the wire cannot carry would make the whole request unreadable to the collector.
  for (auto [flag, text] : {std::pair{"--indicator", &options.indicator}, std::pair{"--period", &options.period},
                            std::pair{"--reporting_unit", &options.reporting_unit}}) {
    if (size_t bad = FirstInvalidUtf8Byte(*text); bad != std::string::npos) {
      return Status::InvalidArgument(fmt::format("{}: {}; set the terminal to UTF-8", flag,
                                                 Text(language, Msg::kTextNotUtf8,
                                                      static_cast<unsigned char>((*text)[bad]), bad)));
    }
    if (text->size() > kMaxIdLength) {
      return Status::InvalidArgument(fmt::format("{}: {}", flag, Text(language, Msg::kTextTooLong, text->size(), kMaxIdLength)));
    }
  }
  Decimal value;
  if (!options.void_figure) {  // a void carries no value
    if (Status s = ParseFigureValue(options.value, DecimalMark::kPoint, language, &value); !s.ok()) {
      return s.WithContext("--value");
    }
  }
  Period period;
  if (!Period::Parse(options.period, &period).ok()) {
    return Status::InvalidArgument("--period: " + Text(language, Msg::kPeriodInvalid, options.period));
  }
  if (options.indicator.empty()) return Status::InvalidArgument("--indicator: " + Text(language, Msg::kIndicatorEmpty));

  request->set_language(LanguageCode(language));
  tonghop::v1::IndicatorUpdate* figure = request->mutable_submit()->add_figures();
  figure->set_reporting_unit(options.reporting_unit);
  figure->set_indicator(options.indicator);
  figure->set_period(options.period);
  if (options.void_figure) {
    figure->set_kind(tonghop::v1::UPDATE_KIND_VOID);
  } else {
    SetFigureValue(value, figure);
  }
  return Status::OK();
}

namespace {

// Asks the collector for the aggregator's verdict on `seq` until it is not pending.
Status AwaitVerdict(const SubmitOptions& options, Language language, uint64_t seq) {
  tonghop::v1::LocalRequest request;
  request.mutable_verdict()->add_seqs(seq);
  const int64_t deadline = MonotonicMs() + options.wait_ms;
  while (true) {
    tonghop::v1::LocalReply reply;
    TONGHOP_RETURN_IF_ERROR(CallCollector(options.collector_endpoint, request, options.timeout_ms, &reply));
    if (!reply.error().empty()) return Status::InvalidArgument("the collector: " + reply.error());
    if (reply.verdicts_size() != 1) {
      return Status::Corruption(fmt::format("the collector answered {} verdicts for one figure; is it the same "
                                            "version as this tonghop?", reply.verdicts_size()));
    }
    const tonghop::v1::Verdict& verdict = reply.verdicts(0);
    switch (verdict.state()) {
      case tonghop::v1::VERDICT_STATE_STORED:
        fmt::print("{}\n", Text(language, options.void_figure ? Msg::kVoidStored : Msg::kSubmitStored, seq));
        return Status::OK();
      case tonghop::v1::VERDICT_STATE_DUPLICATE:
        fmt::print("{}\n", Text(language, Msg::kSubmitStoredAlready, seq));
        return Status::OK();
      case tonghop::v1::VERDICT_STATE_REFUSED:
        return Status::InvalidArgument(Text(language, Msg::kSubmitRefusedByAggregator,
                                            tonghop::v1::RejectReason_Name(verdict.reason()), verdict.text(), seq));
      default:
        break;
    }
    if (MonotonicMs() >= deadline) {
      return Status::Unavailable(Text(language, Msg::kSubmitNoVerdictYet, seq, options.wait_ms));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace

Status RunSubmit(const SubmitOptions& options) {
  const Language language = ChooseLanguage(ResolveLanguageCode(options.lang));
  tonghop::v1::LocalRequest request;
  TONGHOP_RETURN_IF_ERROR(BuildSubmitRequest(options, &request));
  tonghop::v1::LocalReply reply;
  Status s = CallCollector(options.collector_endpoint, request, options.timeout_ms, &reply);
  if (s.IsUnavailable()) return Status::Unavailable(Text(language, Msg::kSubmitMaybeStored, s.message()));
  TONGHOP_RETURN_IF_ERROR(s);
  if (!reply.error().empty()) return Status::InvalidArgument(Text(language, Msg::kSubmitRefused, reply.error()));
  if (reply.seqs_size() != 1) {
    return Status::Corruption(fmt::format(
        "the collector answered with {} sequence numbers for one figure; is it the same version as "
        "this tonghop?", reply.seqs_size()));
  }
  const uint64_t seq = reply.seqs(0);
  if (options.no_wait) {
    fmt::print("{}\n", Text(language, Msg::kSubmitAccepted, seq));
    return Status::OK();
  }
  return AwaitVerdict(options, language, seq);
}

}  // namespace tonghop::cli
