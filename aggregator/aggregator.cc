#include "aggregator/aggregator.h"

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "core/process.h"
#include "core/transport.h"

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

constexpr int kMaxUpdatesPerBatchMessage = 1000;
constexpr int64_t kStatisticsIntervalMs = 60'000;

void AddReject(tonghop::v1::UpdateReplies* replies, uint64_t seq, RejectReason reason, std::string text,
               uint64_t expected_seq = 0) {
  auto* reject = replies->add_rejects();
  reject->set_seq(seq);
  reject->set_reason(reason);
  reject->set_text(std::move(text));
  if (expected_seq) reject->set_expected_seq(expected_seq);
}

}  // namespace

Status ParseDurability(const std::string& text, Durability* out) {
  if (text == "wal") *out = Durability::kWal;
  else if (text == "fsync") *out = Durability::kFsync;
  else return Status::InvalidArgument(fmt::format("durability '{}' is not one of wal, fsync", text));
  return Status::OK();
}

Aggregator::Aggregator(AggregatorOptions options) : options_(std::move(options)), context_(1) {}

Aggregator::~Aggregator() {
  // Sockets must close before the context; the CloneServer's first.
  feed_.reset();
  ingest_.close();
}

Status Aggregator::Start() {
  TONGHOP_RETURN_IF_ERROR(Catalog::LoadFromDirectory(options_.catalog_dir, &catalog_));
  spdlog::info("catalog {}: {} reporting units, {} indicators", options_.catalog_dir, catalog_.units().size(),
               catalog_.indicators().size());
  validator_ = std::make_unique<UpdateValidator>(&catalog_);
  state_ = std::make_unique<ProvinceState>(&catalog_);
  TONGHOP_RETURN_IF_ERROR(IngestStore::Open(options_.data_dir, options_.durability, &store_));
  TONGHOP_RETURN_IF_ERROR(Restore());

  LinkOptions link;
  link.heartbeat_interval_ms = options_.heartbeat_interval_ms;
  link.heartbeat_timeout_ms = options_.heartbeat_interval_ms * 5;
  CloneServerOptions feed_options;
  feed_options.publish_endpoint = options_.publish_endpoint;
  feed_options.snapshot_endpoint = options_.snapshot_endpoint;
  feed_options.heartbeat_interval_ms = options_.heartbeat_interval_ms;
  feed_options.link = link;
  feed_ = std::make_unique<CloneServer>(context_, feed_options, &state_->table());
  feed_->set_stream_id(store_->stream_id());
  TONGHOP_RETURN_IF_ERROR(feed_->Start());

  try {
    ingest_ = zmq::socket_t(context_, zmq::socket_type::router);
    ConfigureRouter(ingest_, link);
    ingest_.bind(options_.ingest_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot bind the ingest endpoint {}: {} (is another aggregator running?)",
                                       options_.ingest_endpoint, e.what()));
  }
  spdlog::info("ready: aggregator stream={:016x} figures={} aggregates={} seq={} ingest={} publish={} snapshot={}",
               store_->stream_id(), state_->unit_value_count(), state_->table().size(), counters_.aggregate_seq,
               options_.ingest_endpoint, options_.publish_endpoint, options_.snapshot_endpoint);
  return Status::OK();
}

Status Aggregator::Restore() {
  state_->Clear();
  positions_.clear();
  size_t orphaned = 0;
  IngestStore::Visitor visitor;
  visitor.on_value = [&](const std::string& indicator_id, const std::string& period_text, const std::string& unit,
                         const tonghop::storage::v1::UnitValue& value) {
    const Indicator* indicator = catalog_.FindIndicator(indicator_id);
    Period period;
    if (indicator == nullptr || !Period::Parse(period_text, &period).ok()) {
      ++orphaned;  // kept in the database; the catalog no longer knows the indicator
      return;
    }
    state_->SetUnitValue(*indicator, period, unit, Decimal::FromMicros(value.value_micros()));
  };
  visitor.on_position = [&](uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position) {
    positions_[outbox_id] = position;
  };
  visitor.on_aggregate = [&](const tonghop::v1::AggregateUpdate& version) { state_->RestoreAggregate(version); };
  TONGHOP_RETURN_IF_ERROR(store_->Load(visitor, &counters_));
  if (orphaned) {
    spdlog::warn("{} stored figures belong to indicators the catalog no longer has; they are kept but not counted",
                 orphaned);
  }
  // Stored versions were computed with the catalog of their day; a changed plan or baseline
  // yields new versions here.
  auto versions = state_->Flush(&counters_.aggregate_seq, NowMs());
  if (!versions.empty()) {
    IngestStore::Batch writes = store_->NewBatch();
    for (const auto& version : versions) writes.PutAggregate(version);
    writes.PutCounters(counters_);
    TONGHOP_RETURN_IF_ERROR(store_->Commit(&writes));
    spdlog::info("recomputed {} aggregates whose catalog rules changed since they were stored", versions.size());
  }
  return Status::OK();
}

Status Aggregator::Run() {
  int64_t now = MonotonicMs();
  last_log_ms_ = now;
  while (!ShutdownRequested() && !(options_.stop && options_.stop->load())) {
    std::vector<zmq::pollitem_t> items = {
        {ingest_.handle(), 0, ZMQ_POLLIN, 0},
        {feed_->snapshot_socket().handle(), 0, ZMQ_POLLIN, 0},
    };
    try {
      zmq::poll(items, std::chrono::milliseconds(std::clamp(feed_->MillisUntilHeartbeat(), 0, 100)));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::IOError(fmt::format("polling: {}", e.what()));
    }
    if (items[0].revents & ZMQ_POLLIN) IngestBurst();
    if (items[1].revents & ZMQ_POLLIN) feed_->ServeSnapshots();
    feed_->Tick();
    LogStatistics(MonotonicMs());
  }
  spdlog::info("aggregator stopping: seq={} figures={}", counters_.aggregate_seq, state_->unit_value_count());
  return Status::OK();
}

void Aggregator::IngestBurst() {
  IngestStore::Batch writes = store_->NewBatch();
  std::vector<std::pair<zmq::message_t, tonghop::v1::AggregatorMessage>> replies;
  const int64_t now = NowMs();
  int updates = 0;
  while (updates < options_.max_batch_updates) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(ingest_, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
    } catch (const zmq::error_t& e) {
      spdlog::warn("receiving from a collector: {}", e.what());
      break;
    }
    tonghop::v1::CollectorMessage message;
    if (frames.size() != 2 || !ParseProto(frames[1], &message)) {
      spdlog::warn("dropped a malformed message from a collector ({} frames, {} bytes): expected one "
                   "tonghop.v1.CollectorMessage frame", frames.size(), frames.empty() ? 0 : frames.back().size());
      continue;
    }
    tonghop::v1::AggregatorMessage reply;
    if (message.has_heartbeat()) {
      reply.mutable_heartbeat()->set_sent_at_ms(now);
      (void)SendRouted(ingest_, frames[0], reply);  // a lost heartbeat answer is just a missed beat
      continue;
    }
    if (!message.has_updates()) {
      spdlog::warn("dropped a CollectorMessage with no body from a collector (unknown message type?)");
      continue;
    }
    HandleUpdates(message.updates(), now, &writes, reply.mutable_replies());
    updates += message.updates().updates_size();
    replies.emplace_back(std::move(frames[0]), std::move(reply));
  }
  if (replies.empty()) return;

  std::vector<tonghop::v1::AggregateUpdate> versions = state_->Flush(&counters_.aggregate_seq, now);
  for (const auto& version : versions) writes.PutAggregate(version);
  writes.PutCounters(counters_);
  Status written = store_->Commit(&writes);
  if (!written.ok()) {
    spdlog::error("cannot store {} updates, none acknowledged; collectors will resend: {}", updates,
                  written.ToString());
    Status restored = Restore();
    if (!restored.ok()) spdlog::error("reloading the state after the failed write: {}", restored.ToString());
    for (auto& [identity, reply] : replies) {
      auto* r = reply.mutable_replies();
      std::vector<uint64_t> seqs;
      for (const auto& ack : r->acks()) seqs.push_back(ack.seq());
      for (const auto& reject : r->rejects()) seqs.push_back(reject.seq());
      r->clear_acks();
      r->clear_rejects();
      for (uint64_t seq : seqs) {
        AddReject(r, seq, RejectReason::REJECT_REASON_UNAVAILABLE, "the aggregator cannot store updates now: " + written.message());
      }
    }
  }
  for (auto& [identity, reply] : replies) {
    Status sent = SendRouted(ingest_, identity, reply);
    if (!sent.ok()) spdlog::debug("reply to a collector not sent ({}); it will resend and get a duplicate ack", sent.message());
  }
  if (written.ok()) {
    for (const auto& version : versions) feed_->Publish(version);
  }
}

void Aggregator::HandleUpdates(const tonghop::v1::UpdateBatch& batch, int64_t now_ms, IngestStore::Batch* writes,
                               tonghop::v1::UpdateReplies* replies) {
  replies->set_outbox_id(batch.outbox_id());
  std::string malformed;
  if (batch.outbox_id() == 0) malformed = "field 'outbox_id' is 0; a collector must send its outbox's non-zero id";
  else if (batch.node_id().empty() || batch.node_id().size() > kMaxIdLength) malformed = "field 'node_id' is empty or too long";
  else if (batch.updates_size() > kMaxUpdatesPerBatchMessage) {
    malformed = fmt::format("{} updates in one batch; at most {}", batch.updates_size(), kMaxUpdatesPerBatchMessage);
  }
  if (!malformed.empty()) {
    spdlog::warn("rejected a batch from '{}': {}", batch.node_id().substr(0, kMaxIdLength), malformed);
    for (const auto& update : batch.updates()) {
      AddReject(replies, update.seq(), RejectReason::REJECT_REASON_MALFORMED, malformed);
    }
    return;
  }
  uint64_t before = positions_[batch.outbox_id()].last_seq();
  for (const auto& update : batch.updates()) ApplyUpdate(batch, update, now_ms, writes, replies);
  auto& position = positions_[batch.outbox_id()];
  if (position.last_seq() != before) {
    position.set_node_id(batch.node_id());
    writes->PutPosition(batch.outbox_id(), position);
  }
}

void Aggregator::ApplyUpdate(const tonghop::v1::UpdateBatch& batch, const tonghop::v1::IndicatorUpdate& update,
                             int64_t now_ms, IngestStore::Batch* writes, tonghop::v1::UpdateReplies* replies) {
  auto& position = positions_[batch.outbox_id()];
  const uint64_t expected = position.last_seq() + 1;
  if (update.seq() < expected) {
    auto* ack = replies->add_acks();
    ack->set_seq(update.seq());
    ack->set_duplicate(true);
    return;
  }
  if (update.seq() > expected) {
    AddReject(replies, update.seq(), RejectReason::REJECT_REASON_OUT_OF_SEQUENCE,
              fmt::format("seq {} received but {} expected next from this outbox; resend from {}", update.seq(),
                          expected, expected),
              expected);
    return;
  }

  tonghop::storage::v1::AuditRecord audit;
  audit.set_reporting_unit(update.reporting_unit().substr(0, kMaxIdLength));
  audit.set_indicator(update.indicator().substr(0, kMaxIdLength));
  audit.set_period(update.period().substr(0, kMaxIdLength));
  audit.set_node_id(batch.node_id());
  audit.set_outbox_id(batch.outbox_id());
  audit.set_seq(update.seq());
  audit.set_observed_at_ms(update.observed_at_ms());
  audit.set_applied_at_ms(now_ms);

  ValidatedUpdate valid;
  std::string text;
  RejectReason reason = validator_->Validate(update, &valid, &text);
  if (reason != RejectReason::REJECT_REASON_UNSPECIFIED) {
    audit.set_rejected(reason);
    audit.set_reject_text(text);
    spdlog::info("rejected update {} of {}: {}", update.seq(), batch.node_id(), text);
    AddReject(replies, update.seq(), reason, text);
    ++rejected_since_log_;
  } else {
    std::optional<Decimal> previous = state_->SetUnitValue(*valid.indicator, valid.period, update.reporting_unit(), valid.value);
    tonghop::storage::v1::UnitValue stored;
    stored.set_value_micros(valid.value.micros());
    stored.set_node_id(batch.node_id());
    stored.set_outbox_id(batch.outbox_id());
    stored.set_seq(update.seq());
    stored.set_observed_at_ms(update.observed_at_ms());
    stored.set_applied_at_ms(now_ms);
    writes->PutValue(valid.indicator->id, update.period(), update.reporting_unit(), stored);
    if (previous) audit.set_previous_micros(previous->micros());
    audit.set_value_micros(valid.value.micros());
    replies->add_acks()->set_seq(update.seq());
    ++applied_since_log_;
  }
  writes->PutAudit(++counters_.audit_seq, audit);
  position.set_last_seq(update.seq());
}

void Aggregator::LogStatistics(int64_t now_ms) {
  if (now_ms - last_log_ms_ < kStatisticsIntervalMs) return;
  if (applied_since_log_ || rejected_since_log_) {
    spdlog::info("last {} s: {} updates applied, {} rejected; {} figures, {} aggregates, seq {}",
                 (now_ms - last_log_ms_) / 1000, applied_since_log_, rejected_since_log_, state_->unit_value_count(),
                 state_->table().size(), counters_.aggregate_seq);
  }
  applied_since_log_ = rejected_since_log_ = 0;
  last_log_ms_ = now_ms;
}

Status RunAggregator(const AggregatorOptions& options) {
  Aggregator aggregator(options);
  TONGHOP_RETURN_IF_ERROR(aggregator.Start());
  return aggregator.Run();
}

}  // namespace tonghop
