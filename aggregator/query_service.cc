#include "aggregator/query_service.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

namespace tonghop {
namespace {

constexpr int kMaxRequestsPerServe = 16;
constexpr int64_t kMsPerDay = 86'400'000;

tonghop::v1::QueryReply Error(std::string text) {
  tonghop::v1::QueryReply reply;
  reply.set_error(std::move(text));
  return reply;
}

double MicrosToDouble(int64_t micros) { return Decimal::FromMicros(micros).ToDouble(); }

tonghop::v1::FigureRevision Revision(const tonghop::storage::v1::AuditRecord& record) {
  tonghop::v1::FigureRevision revision;
  revision.set_reporting_unit(record.reporting_unit());
  if (record.has_previous_micros()) revision.set_previous_value(MicrosToDouble(record.previous_micros()));
  revision.set_value(MicrosToDouble(record.value_micros()));
  revision.set_node_id(record.node_id());
  revision.set_entered_by(record.entered_by());
  revision.set_observed_at_ms(record.observed_at_ms());
  revision.set_applied_at_ms(record.applied_at_ms());
  revision.set_rejected(record.rejected());
  revision.set_reject_text(record.reject_text());
  return revision;
}

// Whether `inner` lies within `outer` (the same period, or one of its months, quarters...).
bool Within(const Period& inner, const Period& outer) {
  return inner.year() == outer.year() && inner.first_month() >= outer.first_month() &&
         inner.last_month() <= outer.last_month();
}

}  // namespace

QueryService::QueryService(zmq::context_t& context, const Catalog* catalog, const ProvinceState* state,
                           const IngestStore* store, const IngestAuthorizer* authorizer)
    : catalog_(catalog),
      state_(state),
      store_(store),
      authorizer_(authorizer),
      socket_(context, zmq::socket_type::router) {}

Status QueryService::Start(const std::string& endpoint, const LinkOptions& link) {
  try {
    ConfigureRouter(socket_, link);
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot bind the query endpoint {}: {} (is another aggregator running?)",
                                       endpoint, e.what()));
  }
  return Status::OK();
}

void QueryService::Serve() {
  for (int i = 0; i < kMaxRequestsPerServe; ++i) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(socket_, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t& e) {
      spdlog::warn("receiving a query: {}", e.what());
      return;
    }
    if (frames.size() < 2) continue;  // no identity to answer
    tonghop::v1::QueryRequest request;
    tonghop::v1::QueryReply reply;
    if (!authorizer_->Registered(frames.back(), KeyRegistry::kOffice)) {
      reply = Error("the key this query was sent with is no longer registered as an office key (revoked by a reload "
                    "of the key registry)");
      if (refusal_log_.Allow()) {
        spdlog::warn("refused a query: the sender's key {} is no longer registered as office (revoked) ({} more held "
                     "back)", PeerPublicKey(frames.back()), refusal_log_.suppressed());
      }
    } else if (!ParseProto(frames.back(), &request) ||
               request.body_case() == tonghop::v1::QueryRequest::BODY_NOT_SET) {
      reply = Error("the request is not a tonghop.v1.QueryRequest with a body; use a tonghop client of the same version");
    } else {
      reply = Answer(request, NowMs());
    }
    Status sent = SendReply(socket_, frames, reply);
    if (!sent.ok()) spdlog::debug("query reply not sent: {}", sent.message());
  }
}

tonghop::v1::QueryReply QueryService::Answer(const tonghop::v1::QueryRequest& request, int64_t now_ms) const {
  switch (request.body_case()) {
    case tonghop::v1::QueryRequest::kValues: return Values(request.values());
    case tonghop::v1::QueryRequest::kHistory: return History(request.history());
    case tonghop::v1::QueryRequest::kStatus: return PeriodStatus(request.status(), now_ms);
    default: return Error("the request has no body");
  }
}

tonghop::v1::QueryReply QueryService::Values(const tonghop::v1::ValuesRequest& request) const {
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  const std::string canonical = period.ToString();
  tonghop::v1::QueryReply reply;
  auto* values = reply.mutable_values();
  for (const auto& [key, version] : state_->table().entries()) {
    if (key.second == canonical && key.first.starts_with(request.indicator_prefix())) *values->add_aggregates() = version;
  }
  if (!request.by_unit()) return reply;
  for (const Indicator& indicator : catalog_->indicators()) {
    if (!indicator.id.starts_with(request.indicator_prefix())) continue;
    for (const std::string& unit : indicator.expected_units) {
      auto value = state_->ValueOfUnit(indicator, period, unit);
      if (!value) continue;
      auto* figure = values->add_figures();
      figure->set_reporting_unit(unit);
      figure->set_indicator(indicator.id);
      figure->set_period(canonical);
      figure->set_value(static_cast<double>(value->micros) / Decimal::kMicrosPerUnit);
      figure->set_derived(value->derived);
      figure->set_complete(value->complete);
      figure->set_applied_at_ms(value->last_applied_ms);
    }
  }
  return reply;
}

tonghop::v1::QueryReply QueryService::History(const tonghop::v1::HistoryRequest& request) const {
  const Indicator* indicator = catalog_->FindIndicator(request.indicator());
  if (indicator == nullptr) {
    return Error(fmt::format("unknown indicator '{}' (not in the catalog's indicators.csv)", request.indicator()));
  }
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  if (!request.reporting_unit().empty() && catalog_->FindUnit(request.reporting_unit()) == nullptr) {
    return Error(fmt::format("unknown reporting unit '{}' (not in the catalog's units.csv)", request.reporting_unit()));
  }
  tonghop::v1::QueryReply reply;
  auto* history = reply.mutable_history();
  const std::string canonical = period.ToString();
  // The province value over time: the audit log replayed, in the order the figures were applied,
  // through a scratch state with the same rules. The log is the one source of truth; no second
  // history of aggregates can disagree with it.
  ProvinceState replay(catalog_);
  std::optional<tonghop::v1::AggregateUpdate> last;
  Status read = store_->ReadAudit([&](uint64_t, const tonghop::storage::v1::AuditRecord& record) {
    if (record.indicator() != indicator->id && record.indicator() != indicator->weight_indicator) return;
    Period record_period;
    if (!Period::Parse(record.period(), &record_period).ok()) return;
    if (!request.reporting_unit().empty()) {
      if (record.indicator() == indicator->id && record.reporting_unit() == request.reporting_unit() &&
          record_period.ToString() == canonical) {
        *history->add_figures() = Revision(record);
      }
      return;
    }
    if (record.rejected() != tonghop::v1::REJECT_REASON_UNSPECIFIED) return;
    const Indicator* recorded = catalog_->FindIndicator(record.indicator());
    replay.SetUnitValue(*recorded, record_period, record.reporting_unit(), Decimal::FromMicros(record.value_micros()),
                        record.applied_at_ms());
    if (!Within(record_period, period)) return;
    tonghop::v1::AggregateUpdate now = replay.Compute(indicator->id, canonical);
    if (last && last->value() == now.value() && last->units_reported() == now.units_reported()) return;
    auto* revision = history->add_province();
    revision->set_value(now.value());
    revision->set_units_reported(now.units_reported());
    revision->set_units_expected(now.units_expected());
    revision->set_partial(now.partial());
    revision->set_at_ms(record.applied_at_ms());
    *revision->mutable_cause() = Revision(record);
    last = std::move(now);
  });
  if (!read.ok()) return Error("reading the audit log: " + read.message());
  return reply;
}

tonghop::v1::QueryReply QueryService::PeriodStatus(const tonghop::v1::StatusRequest& request, int64_t now_ms) const {
  Period period;
  if (Status s = Period::Parse(request.period(), &period); !s.ok()) return Error(s.message());
  tonghop::v1::QueryReply reply;
  auto* status = reply.mutable_status();
  status->set_period(period.ToString());
  status->set_now_ms(now_ms);
  std::map<std::pair<std::string, std::string>, tonghop::v1::StatusCell> cells;
  for (const Indicator& indicator : catalog_->indicators()) {
    const std::optional<int64_t> due =
        indicator.deadline_days ? std::optional<int64_t>(period.EndMs() + *indicator.deadline_days * kMsPerDay) : std::nullopt;
    for (const std::string& unit : indicator.expected_units) {
      auto& cell = cells[{unit, indicator.sector}];
      cell.set_reporting_unit(unit);
      cell.set_sector(indicator.sector);
      cell.set_expected(cell.expected() + 1);
      auto value = state_->ValueOfUnit(indicator, period, unit);
      if (value && value->complete) {
        cell.set_reported(cell.reported() + 1);
        if (due && value->last_applied_ms > *due) cell.set_late(cell.late() + 1);
      } else if (due && now_ms > *due) {
        cell.set_overdue(cell.overdue() + 1);
      }
    }
  }
  // Units in catalog order (the order people read them in), sectors alphabetically.
  for (const ReportingUnit& unit : catalog_->units()) {
    for (auto& [key, cell] : cells) {
      if (key.first == unit.code) *status->add_cells() = cell;
    }
  }
  return reply;
}

}  // namespace tonghop
