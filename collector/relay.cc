#include "collector/relay.h"

#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/transport.h"
#include "core/wire_protocol.h"

namespace tonghop {

Relay::Relay(zmq::context_t& context, RelayOptions options, Outbox* outbox, const CollectorCatalog* catalog)
    : options_(std::move(options)), outbox_(outbox), catalog_(catalog), replica_(context, options_.replica) {}

Status Relay::Start() {
  TONGHOP_RETURN_IF_ERROR(RelayMemory::Open(options_.memory_dir, outbox_, &memory_));
  TONGHOP_RETURN_IF_ERROR(replica_.Start());
  spdlog::info("relay: totals of {} (snapshot {}) become figures of {}; {} aggregates enqueued before",
               options_.replica.publish_endpoint, options_.replica.snapshot_endpoint, options_.reporting_unit,
               memory_->size());
  return Status::OK();
}

std::optional<tonghop::v1::IndicatorUpdate> Relay::FigureOf(const tonghop::v1::AggregateUpdate& total) const {
  if (total.derived()) return std::nullopt;
  const std::optional<Decimal> value = ValueOf(total);
  if (!value) return std::nullopt;
  tonghop::v1::IndicatorUpdate figure;
  figure.set_reporting_unit(options_.reporting_unit);
  figure.set_indicator(total.indicator());
  figure.set_period(total.period());
  SetFigureValue(*value, &figure);
  figure.set_observed_at_ms(total.updated_at_ms());
  SetBelowCompleteness(BelowCompletenessOf(total), &figure);
  if (catalog_->has_catalog()) {
    const std::vector<FieldError> errors = catalog_->Check(figure, NowMs());
    if (!errors.empty()) {
      if (skipped_log_.Allow()) {
        spdlog::info("relay: {} {} is not relayed: {} '{}' ({} more held back)", total.indicator(), total.period(),
                     errors.front().field, errors.front().why, skipped_log_.suppressed());
      }
      return std::nullopt;
    }
  }
  return figure;
}

size_t Relay::Process(bool may_enqueue) {
  replica_.Process([&](const tonghop::v1::AggregateUpdate& total) {
    changed_[{total.indicator(), total.period()}] = total;
  });
  if (!may_enqueue || changed_.empty()) return 0;
  std::vector<tonghop::v1::IndicatorUpdate> figures;
  for (const auto& [key, total] : changed_) {
    std::optional<tonghop::v1::IndicatorUpdate> figure = FigureOf(total);
    if (figure && memory_->Changed(*figure)) figures.push_back(std::move(*figure));
  }
  if (!figures.empty()) {
    if (Status s = outbox_->Append(&figures); !s.ok()) {
      if (outbox_log_.Allow()) {
        spdlog::warn("relay: cannot enqueue {} totals (tried again next turn; {} more held back): {}", figures.size(),
                     outbox_log_.suppressed(), s.message());
      }
      return 0;
    }
    // The outbox has them; a memory that fails to record them is brought level at the next start.
    if (Status s = memory_->Record(figures); !s.ok() && outbox_log_.Allow()) {
      spdlog::warn("relay: {}", s.message());
    }
  }
  changed_.clear();
  relayed_ += figures.size();
  return figures.size();
}

}  // namespace tonghop
