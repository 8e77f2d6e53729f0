#include "cli/collector_status.h"

#include <algorithm>

#include <fmt/format.h>

#include "cli/client_config.h"
#include "cli/collector_client.h"
#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::cli {
namespace {

std::string AckTime(int64_t last_ack_ms, int64_t now_ms, Language language) {
  if (last_ack_ms <= 0) return Text(language, Msg::kStatusNever);
  return Text(language, Msg::kStatusAgo, LocalDateTime(last_ack_ms), std::max<int64_t>(0, (now_ms - last_ack_ms) / 1000));
}

}  // namespace

CLI::App* AddCollectorStatusCommand(CLI::App& app, CollectorStatusOptions* options) {
  CLI::App* command = app.add_subcommand(
      "collector-status",
      "Show a collector's outbox: figures waiting for the aggregator, figures it refused, and\n"
      "whether the aggregator answers.");
  command->add_option("--collector", options->collector_endpoint,
                      "The collector's --submit_endpoint (its default is ipc://<data_dir>/submit.sock)")
      ->required();
  command->add_option("--timeout_ms", options->timeout_ms, "How long to wait for the collector's answer")
      ->check(CLI::Range(1, 600'000))
      ->capture_default_str();
  command->footer(
      "Example:\n"
      "  tonghop collector-status --collector ipc://var/collectors/cao-loc/submit.sock\n"
      "pending counts figures stored in the outbox and not yet acknowledged by the aggregator (by\n"
      "both, for a collector of a pair, which also shows a line for each aggregator);\n"
      "rejected counts figures the aggregator refused for good (see the collector's log);\n"
      "unreadable counts outbox records the collector could not read and set aside (their figures\n"
      "must be entered again; docs/COLLECTOR.md);\n"
      "retained counts acknowledged figures kept for --retention_hours, to send again to an aggregator\n"
      "restored from a backup; lost counts those it asked for after they were dropped (docs/OPERATIONS.md).\n"
      "In Vietnamese unless English is asked for: scripts read\n"
      "tonghop --lang en collector-status, whose names are the fields'.");
  return command;
}

std::string FormatCollectorStatus(const tonghop::v1::LocalReply& reply, int64_t now_ms, Language language) {
  auto line = [&](Msg name, const std::string& value) { return Text(language, name) + ": " + value + "\n"; };
  auto state = [&](bool reachable, const std::string& error) {
    return !reachable ? Text(language, Msg::kStatusUnreachable)
           : error.empty() ? Text(language, Msg::kStatusReachable)
                           : Text(language, Msg::kStatusCannotStore, error);
  };
  // A collector of a pair: a line for each aggregator, with what it still lacks.
  std::string links;
  if (reply.aggregators_size() > 1) {
    for (const auto& link : reply.aggregators()) {
      links += fmt::format("{} {}: {}; {}: {}; {}: {}\n", Text(language, Msg::kStatusAggregator), link.endpoint(),
                           state(link.reachable(), link.aggregator_error()), Text(language, Msg::kStatusPending),
                           link.pending(), Text(language, Msg::kStatusLastAck),
                           AckTime(link.last_ack_at_ms(), now_ms, language));
    }
  }
  return line(Msg::kStatusUnit, reply.reporting_unit()) + line(Msg::kStatusOutbox, fmt::format("{:016x}", reply.outbox_id())) +
         line(Msg::kStatusPending, std::to_string(reply.pending())) +
         line(Msg::kStatusNextSeq, std::to_string(reply.next_seq())) +
         line(Msg::kStatusRejected, std::to_string(reply.rejected_total())) +
         line(Msg::kStatusUnreadable, reply.unreadable_total() == 0
                                          ? "0"
                                          : Text(language, Msg::kStatusUnreadableLast, reply.unreadable_total(),
                                                 reply.last_unreadable())) +
         line(Msg::kStatusRetained, reply.retained() == 0
                                        ? "0"
                                        : Text(language, Msg::kStatusRetainedOldest, reply.retained(),
                                               AckTime(reply.oldest_retained_at_ms(), now_ms, language))) +
         line(Msg::kStatusLost,
              reply.lost_total() == 0 ? "0" : Text(language, Msg::kStatusLostCount, reply.lost_total())) +
         line(Msg::kStatusAggregator, state(reply.aggregator_reachable(), reply.aggregator_error())) +
         line(Msg::kStatusLastAck, AckTime(reply.last_ack_at_ms(), now_ms, language)) + links;
}

Status RunCollectorStatus(const CollectorStatusOptions& options) {
  tonghop::v1::LocalRequest request;
  request.mutable_status();
  tonghop::v1::LocalReply reply;
  TONGHOP_RETURN_IF_ERROR(CallCollector(options.collector_endpoint, request, options.timeout_ms, &reply));
  if (!reply.error().empty()) {
    return Status::Unavailable(fmt::format("the collector could not report its status: {}", reply.error()));
  }
  fmt::print("{}", FormatCollectorStatus(reply, NowMs(), ChooseLanguage(ResolveLanguageCode(options.lang))));
  return Status::OK();
}

}  // namespace tonghop::cli
