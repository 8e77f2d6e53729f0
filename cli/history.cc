#include "cli/history.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/aggregate_json.h"
#include "cli/aggregator_client.h"
#include "cli/data_value_set.h"
#include "core/clock.h"
#include "core/wire_protocol.h"

namespace tonghop::cli {
namespace {

nlohmann::ordered_json RevisionJson(const tonghop::v1::FigureRevision& r) {
  nlohmann::ordered_json object = {{"reporting_unit", r.reporting_unit()},
                                   {"previous_value", ExactNumberOrNull(PreviousValueOf(r))},
                                   {"value", ExactNumberOrNull(ValueOf(r))},
                                   {"node_id", r.node_id()},
                                   {"entered_by", r.entered_by()},
                                   {"observed_at", UtcIsoTime(r.observed_at_ms())},
                                   {"applied_at", UtcIsoTime(r.applied_at_ms())}};
  if (r.voided()) object["voided"] = true;
  if (r.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED) {
    object["rejected"] = tonghop::v1::RejectReason_Name(r.rejected());
    object["reject_text"] = r.reject_text();
  }
  return object;
}

// "previous -> value", "value" for a first figure, "previous -> VOIDED" for a void.
std::string ChangeText(const tonghop::v1::FigureRevision& r) {
  const std::optional<Decimal> previous = PreviousValueOf(r);
  if (r.voided()) return fmt::format("{} -> VOIDED", previous ? previous->ToString() : "?");
  return previous ? fmt::format("{} -> {}", previous->ToString(), ValueText(r)) : ValueText(r);
}

std::string RevisionText(const tonghop::v1::FigureRevision& r) {
  if (r.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED) {
    return fmt::format("{}  {:<16} REJECTED {}: {}", UtcIsoTime(r.applied_at_ms()), r.node_id(),
                       tonghop::v1::RejectReason_Name(r.rejected()), r.reject_text());
  }
  return fmt::format("{}  {:<24} {:<20} {:<16} {}", UtcIsoTime(r.applied_at_ms()), r.node_id(),
                     r.entered_by().empty() ? "-" : r.entered_by(), r.reporting_unit(), ChangeText(r));
}

// The revisions as a table, or as JSON; by_unit: the unit's figures, otherwise the province value.
std::string FormatHistory(const tonghop::v1::HistoryReply& history, bool by_unit, bool json) {
  if (json) {
    nlohmann::ordered_json rows = nlohmann::ordered_json::array();
    if (by_unit) {
      for (const auto& r : history.figures()) rows.push_back(RevisionJson(r));
    } else {
      for (const auto& p : history.province()) {
        rows.push_back({{"at", UtcIsoTime(p.at_ms())}, {"value", ExactNumberOrNull(ValueOf(p))}, {"units_reported", p.units_reported()},
                        {"units_expected", p.units_expected()}, {"partial", p.partial()}, {"cause", RevisionJson(p.cause())}});
      }
    }
    nlohmann::ordered_json document = {{by_unit ? "figures" : "province", std::move(rows)}};
    if (history.earlier_omitted() > 0) document["earlier_omitted"] = history.earlier_omitted();
    return DumpJson(document) + "\n";
  }
  std::string out;
  if (history.earlier_omitted() > 0) {
    out += fmt::format("({} earlier revisions left out: the aggregator lists the latest {}, its "
                       "--query_history_max_revisions)\n",
                       history.earlier_omitted(), by_unit ? history.figures_size() : history.province_size());
  }
  if (by_unit) {
    out += fmt::format("{:<20}  {:<24} {:<20} {:<16} {}\n", "applied at (UTC)", "source node", "entered by", "unit",
                       "value");
    for (const auto& r : history.figures()) out += RevisionText(r) + "\n";
    if (history.figures_size() == 0) out += "(the unit has reported nothing for this indicator and period)\n";
    return out;
  }
  out += fmt::format("{:<20}  {:>16}  {:>7}  {}\n", "applied at (UTC)", "province value", "units", "because of");
  for (const auto& p : history.province()) {
    const std::optional<Decimal> value = ValueOf(p);
    out += fmt::format("{:<20}  {:>16}  {:>7}  {} {} ({})\n", UtcIsoTime(p.at_ms()),
                       // A void that left no unit's figure leaves no province value.
                       p.cause().voided() && p.value_decimal().empty() ? "-"
                       : value                                         ? value->ToString()
                                                                       : fmt::format("{}", p.value()),
                       fmt::format("{}/{}{}", p.units_reported(), p.units_expected(), p.partial() ? "*" : ""),
                       p.cause().reporting_unit(), ChangeText(p.cause()), p.cause().node_id());
  }
  if (history.province_size() == 0) out += "(no figure for this indicator and period yet)\n";
  return out;
}

}  // namespace

CLI::App* AddHistoryCommand(CLI::App& app, HistoryOptions* options) {
  CLI::App* command = app.add_subcommand("history", "List every revision of a unit's figure, or of the province value, "
                                                    "from the aggregator's audit log");
  command->add_option("--indicator", options->indicator, "indicator id, e.g. agri.herd.pigs")->required();
  command->add_option("--period", options->period, "period, e.g. 2017-Q1")->required();
  command->add_option("--unit", options->unit, "a reporting unit's code: its own figures; without: the province value");
  command->add_flag("--json", options->json, "print JSON instead of a table");
  AddAggregatorFlags(command, &options->aggregator);
  command->footer("Examples:\n  tonghop history --unit cao-loc --indicator agri.herd.pigs --period 2017-Q1\n"
                  "  tonghop history --indicator agri.herd.pigs --period 2017-Q1");
  return command;
}

Status RunHistory(const HistoryOptions& options) {
  tonghop::v1::QueryRequest request;
  request.mutable_history()->set_indicator(options.indicator);
  request.mutable_history()->set_period(options.period);
  request.mutable_history()->set_reporting_unit(options.unit);
  tonghop::v1::QueryReply reply;
  TONGHOP_RETURN_IF_ERROR(CallAggregator(options.aggregator, request, &reply));
  fmt::print("{}", FormatHistory(reply.history(), !options.unit.empty(), options.json));
  return Status::OK();
}

}  // namespace tonghop::cli
