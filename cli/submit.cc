#include "cli/submit.h"

#include <fmt/format.h>

#include "cli/client_config.h"
#include "cli/collector_client.h"
#include "collector/figure_check.h"
#include "core/decimal.h"
#include "core/messages.h"
#include "core/period.h"
#include "core/wire_text.h"

namespace tonghop::cli {

CLI::App* AddSubmitCommand(CLI::App& app, SubmitOptions* options) {
  CLI::App* command = app.add_subcommand(
      "submit",
      "Hand one figure to a collector. The collector stores it in its durable outbox and sends it\n"
      "to the aggregator (now, or once the aggregator is reachable again).");
  command->add_option("--collector", options->collector_endpoint,
                      "The collector's --submit_endpoint (its default is ipc://<data_dir>/submit.sock)")
      ->required();
  command->add_option("--indicator", options->indicator, "Indicator id from the catalog, e.g. agri.sown_area.total")
      ->required();
  command->add_option("--period", options->period, "Period: 2017, 2017-H1, 2017-Q1 or 2017-01")->required();
  command->add_option("--value", options->value,
                      "The figure in the indicator's unit; '.' as the decimal point, no thousands "
                      "separators (23134, 17.28)")
      ->required();
  command->add_option("--reporting_unit", options->reporting_unit,
                      "Unit code the figure belongs to (default: the collector's own unit)");
  command->add_option("--timeout_ms", options->timeout_ms, "How long to wait for the collector's answer")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  command->footer(
      "Examples:\n"
      "  tonghop submit --collector ipc://var/collectors/cao-loc/submit.sock \\\n"
      "      --indicator agri.sown_area.total --period 2017-Q1 --value 2310.5\n"
      "  tonghop submit --collector tcp://127.0.0.1:5570 --indicator agri.herd.pigs \\\n"
      "      --period 2017-03 --value 48.2 --reporting_unit cao-loc\n"
      "Exit code 0 when the collector stored the figure, 1 otherwise (the message says why). Messages are in\n"
      "Vietnamese; tonghop --lang en submit ... (or LANG=en_US.UTF-8) prints them in English.");
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
  if (Status s = ParseFigureValue(options.value, DecimalMark::kPoint, language, &value); !s.ok()) {
    return s.WithContext("--value");
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
  figure->set_value(value.ToDouble());
  return Status::OK();
}

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
  fmt::print("{}\n", Text(language, Msg::kSubmitAccepted, reply.seqs(0)));
  return Status::OK();
}

}  // namespace tonghop::cli
