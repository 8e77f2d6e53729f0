#include "aggregator/aggregator.h"

#include <unordered_set>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "core/clock.h"
#include "core/event_loop.h"
#include "core/link_security.h"
#include "core/process.h"
#include "core/transport.h"
#include "core/wire_protocol.h"

namespace tonghop {
namespace {

using tonghop::v1::RejectReason;

constexpr int64_t kStatisticsIntervalMs = 60'000;
constexpr int64_t kStorageRetryIntervalMs = 1'000;

void AddReject(tonghop::v1::UpdateReplies* replies, uint64_t seq, RejectReason reason, std::string text,
               uint64_t expected_seq = 0) {
  auto* reject = replies->add_rejects();
  reject->set_seq(seq);
  reject->set_reason(reason);
  reject->set_text(std::move(text));
  if (expected_seq) reject->set_expected_seq(expected_seq);
}

// What an update is answered while the store cannot write: `why` is the store's error.
std::string UnavailableText(const std::string& why) { return "the aggregator cannot store updates now: " + why; }

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
  query_.reset();
  ingest_.close();
}

Status Aggregator::Start() {
  TONGHOP_RETURN_IF_ERROR(Catalog::LoadFromDirectory(options_.catalog_dir, &catalog_));
  spdlog::info("catalog {}: {} reporting units, {} indicators", options_.catalog_dir, catalog_.units().size(),
               catalog_.indicators().size());
  metrics_ = std::make_unique<AggregatorMetrics>(*metrics_registry_, catalog_);
  validator_ = std::make_unique<UpdateValidator>(&catalog_);
  auto* files = catalog_files_.mutable_catalog();
  files->set_version(catalog_.fingerprint());
  for (const char* name : Catalog::FileNames()) {  // the order the version hashes them in
    auto* file = files->add_files();
    file->set_name(name);
    file->set_content(catalog_.files().at(name));
  }
  state_ = std::make_unique<ProvinceState>(&catalog_);
  TONGHOP_RETURN_IF_ERROR(IngestStore::Open(options_.data_dir, options_.durability, &store_));
  TONGHOP_RETURN_IF_ERROR(Restore());

  LinkOptions link;
  if (options_.curve.enabled()) {
    TONGHOP_RETURN_IF_ERROR(authorizer_.Start(options_.key_registry_file, options_.max_outboxes_per_unit));
    authorizer_.CountOutboxCapHitsIn(&metrics_->outboxes_bound);
  } else {
    WarnPlaintext("the ingest (collectors), feed (publisher) and query (office) endpoints");
  }
  LinkOptions ingest_link = link.WithCurve(options_.curve, KeyRegistry::kIngestDomain);
  ingest_link.max_message_bytes = options_.max_ingest_message_bytes;
  ingest_link.receive_hwm = options_.ingest_receive_hwm_messages;
  ingest_link.send_hwm = options_.ingest_send_hwm_messages;
  CloneServerOptions feed_options;
  feed_options.publish_endpoint = options_.publish_endpoint;
  feed_options.snapshot_endpoint = options_.snapshot_endpoint;
  feed_options.heartbeat_interval_ms = options_.heartbeat_interval_ms;
  feed_options.link = link.WithCurve(options_.curve, KeyRegistry::kPublisher);
  feed_options.bounds = options_.feed_bounds;
  feed_options.metrics = metrics_registry_;
  feed_ = std::make_unique<CloneServer>(context_, feed_options, &state_->table());
  feed_->set_stream_id(store_->stream_id());
  TONGHOP_RETURN_IF_ERROR(feed_->Start());
  query_ = std::make_unique<QueryService>(context_, &catalog_, store_.get(), &authorizer_, options_.query_limits,
                                          metrics_registry_);
  TONGHOP_RETURN_IF_ERROR(query_->Start(options_.query_endpoint, link.WithCurve(options_.curve, KeyRegistry::kQueryDomain)));

  try {
    ingest_ = zmq::socket_t(context_, zmq::socket_type::router);
    ConfigureRouter(ingest_, ingest_link);
    ingest_.bind(options_.ingest_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot bind the ingest endpoint {}: {} (is another aggregator running?)",
                                       options_.ingest_endpoint, e.what()));
  }
  TONGHOP_RETURN_IF_ERROR(StartMetricsEndpoint(options_.metrics_endpoint, metrics_registry_, &metrics_endpoint_));
  RefreshMetrics();
  LogReady(fmt::format("aggregator stream={:016x} figures={} aggregates={} seq={} ingest={} publish={} snapshot={} query={}",
               store_->stream_id(), state_->unit_value_count(), state_->table().size(), counters_.aggregate_seq,
               options_.ingest_endpoint, options_.publish_endpoint, options_.snapshot_endpoint, options_.query_endpoint));
  return Status::OK();
}

Status Aggregator::Restore() {
  state_->Clear();
  positions_.clear();
  authorizer_.ForgetOutboxes();
  size_t orphaned = 0;
  size_t outside_window = 0;
  size_t unreadable = 0;
  const int current_year = UtcYearOfMs(NowMs());
  // Stored versions were computed by the rules of their day (catalog and code). Under the same
  // rules they are kept as they are, and a restart only loads; else every total is recomputed,
  // and a changed plan or baseline yields new versions.
  const uint64_t rules = state_->RulesFingerprint();
  IngestStore::Counters stored;
  TONGHOP_RETURN_IF_ERROR(store_->ReadCounters(&stored));
  const bool same_rules = stored.rules_fingerprint == rules;
  IngestStore::Visitor visitor;
  visitor.on_value = [&](const std::string& indicator_id, const std::string& period_text, const std::string& unit,
                         const tonghop::storage::v1::UnitValue& value) {
    const Indicator* indicator = catalog_.FindIndicator(indicator_id);
    Decimal figure;
    Period period;
    if (!StoredValue(value, &figure).ok()) {
      ++unreadable;  // kept in the database as it is; nothing this build wrote
      return;
    }
    if (indicator == nullptr || !Period::Parse(period_text, &period).ok()) {
      ++orphaned;  // kept in the database; the catalog no longer knows the indicator
      return;
    }
    if (!catalog_.year_window().Contains(period, current_year)) {
      ++outside_window;  // kept in the database; years.csv was narrowed since it was stored
      return;
    }
    metrics_->FigureStored(unit, value.applied_at_ms());
    const FigureVersion version = VersionOf(value.entered_at_ms(), value.applied_at_ms(), value.outbox_id(), value.seq());
    if (same_rules) {
      state_->LoadUnitValue(*indicator, period, unit, figure, value.applied_at_ms(), value.observed_at_ms(), version,
                            StoredBelowCompleteness(value));
      return;
    }
    state_->SetUnitValue(*indicator, period, unit, figure, value.applied_at_ms(), value.observed_at_ms(), version,
                         StoredBelowCompleteness(value));
  };
  visitor.on_position = [&](uint64_t outbox_id, const tonghop::storage::v1::OutboxPosition& position) {
    positions_[outbox_id] = position;
    authorizer_.CountOutbox(position);
  };
  visitor.on_aggregate = [&](const tonghop::v1::AggregateUpdate& version) {
    Period period;
    state_->RestoreAggregate(version, Period::Parse(version.period(), &period).ok() &&
                                          catalog_.year_window().Contains(period, current_year));
  };
  TONGHOP_RETURN_IF_ERROR(store_->Load(visitor, &counters_));
  if (orphaned) {
    spdlog::warn("{} stored figures belong to indicators the catalog no longer has; they are kept but not counted",
                 orphaned);
  }
  if (unreadable) {
    spdlog::error("{} stored figures have a value that is not a decimal (a damaged record?); they are kept but not "
                  "counted", unreadable);
  }
  if (outside_window) {
    spdlog::warn("{} stored figures are for years outside the catalog's window, {} (years.csv); they are kept but "
                 "not counted", outside_window, catalog_.year_window().ToString(current_year));
  }
  if (same_rules) return Status::OK();
  auto versions = state_->Flush(&counters_.aggregate_seq, NowMs());
  counters_.rules_fingerprint = rules;
  IngestStore::Batch writes = store_->NewBatch();
  for (const auto& version : versions) writes.PutAggregate(version);
  writes.PutCounters(counters_);
  TONGHOP_RETURN_IF_ERROR(store_->Commit(&writes));
  if (!versions.empty()) {
    spdlog::info("recomputed {} aggregates whose catalog rules changed since they were stored", versions.size());
  }
  return Status::OK();
}

Status Aggregator::Run() {
  EventLoop loop(options_.stop);
  loop.AddReader(ingest_, [this] { IngestBurst(); });
  loop.AddReader(feed_->snapshot_socket(), [this] { feed_->ServeSnapshots(); });
  loop.AddReader(feed_->publish_socket(), [this] { feed_->ReadSubscriptions(); });
  loop.AddTask([this] { return feed_->MillisUntilDue(); }, [this] { feed_->Tick(); });
  loop.AddTimer(kStorageRetryIntervalMs, [this] { StorageWritable(MonotonicMs()); });
  loop.AddTimer(kStatisticsIntervalMs, [this] { LogStatistics(); });
  loop.AddTimer(kMetricsRefreshMs, [this] { RefreshMetrics(); });
  loop.OnReload([this] { authorizer_.Reload(); });
  TONGHOP_RETURN_IF_ERROR(loop.Run());
  spdlog::info("aggregator stopping: seq={} figures={}", counters_.aggregate_seq, state_->unit_value_count());
  return Status::OK();
}

void Aggregator::IngestBurst() {
  IngestStore::Batch writes = store_->NewBatch();
  std::vector<std::pair<zmq::message_t, tonghop::v1::AggregatorMessage>> replies;
  const int64_t now = NowMs();
  int updates = 0;
  int messages = 0;
  std::unordered_set<std::string> heartbeats_answered;  // the identities answered in this burst
  std::unordered_set<std::string> catalogs_sent;        // the identities sent the catalog in this burst
  while (updates < options_.max_batch_updates && messages < options_.max_messages_per_burst) {
    std::vector<zmq::message_t> frames;
    try {
      if (!zmq::recv_multipart(ingest_, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
    } catch (const zmq::error_t& e) {
      spdlog::warn("receiving from a collector: {}", e.what());
      break;
    }
    ++messages;
    tonghop::v1::CollectorMessage message;
    Status decoded = frames.size() == 2 ? DecodeCollectorMessage(frames[1].to_string_view(), &message)
                                        : Status::InvalidArgument("not one body frame");
    if (!decoded.ok()) {
      metrics_->malformed_messages.Increment();
      if (bad_input_log_.Allow()) {
        spdlog::warn("dropped a malformed message from a collector ({} frames, {} bytes): {}; expected one "
                     "tonghop.v1.CollectorMessage frame ({} more held back)", frames.size(),
                     frames.empty() ? 0 : frames.back().size(), decoded.message(), bad_input_log_.suppressed());
      }
      continue;
    }
    tonghop::v1::AggregatorMessage reply;
    if (message.has_heartbeat()) {
      // One answer per connection per burst: a collector sends one heartbeat a second, and a peer
      // that floods them must not make the aggregator answer each.
      if (!heartbeats_answered.insert(frames[0].to_string()).second) {
        metrics_->heartbeat_answers_bound.Increment();
        continue;
      }
      metrics_->UnitHeard(authorizer_.UnitOf(frames[1]), now);
      reply.mutable_heartbeat()->set_sent_at_ms(now);
      reply.mutable_heartbeat()->set_storage_error(storage_error_);
      reply.mutable_heartbeat()->set_catalog_version(catalog_.fingerprint());
      reply.mutable_heartbeat()->set_sender_key(authorizer_.IngestKeyOf(frames[1]));
      AskForWhatIsMissing(frames[1], message.heartbeat(), reply.mutable_heartbeat());
      SendReply(frames[0], reply);
      continue;
    }
    if (message.has_catalog_request()) {
      // The same: a collector asks once per catalog version it sees; one that floods the request
      // gets one answer per burst, and its send queue (--ingest_send_hwm_messages) bounds the rest.
      if (catalogs_sent.insert(frames[0].to_string()).second) SendReply(frames[0], catalog_files_);
      continue;
    }
    if (!message.has_updates()) {
      metrics_->malformed_messages.Increment();
      if (bad_input_log_.Allow()) {
        spdlog::warn("dropped a CollectorMessage with no body from a collector (unknown message type?) ({} more "
                     "held back)", bad_input_log_.suppressed());
      }
      continue;
    }
    metrics_->received.Increment(message.updates().updates_size());
    if (!StorageWritable(MonotonicMs())) {
      auto* replies_to_batch = reply.mutable_replies();
      replies_to_batch->set_outbox_id(message.updates().outbox_id());
      const std::string text = UnavailableText(storage_error_);
      for (const auto& update : message.updates().updates()) {
        AddReject(replies_to_batch, update.seq(), RejectReason::REJECT_REASON_UNAVAILABLE, text);
      }
    } else {
      HandleUpdates(frames[1], message.updates(), now, &writes, reply.mutable_replies());
    }
    updates += message.updates().updates_size();
    replies.emplace_back(std::move(frames[0]), std::move(reply));
  }
  if (messages == options_.max_messages_per_burst) metrics_->burst_messages_bound.Increment();
  if (updates >= options_.max_batch_updates) metrics_->burst_updates_bound.Increment();
  if (messages == options_.max_messages_per_burst && full_burst_log_.Allow()) {
    spdlog::info("read {} ingest messages in one burst, the most --max_messages_per_burst allows; the rest wait "
                 "for the next burst ({} more such bursts in the last minute)", messages, full_burst_log_.suppressed());
  }
  if (replies.empty()) return;
  metrics_->burst_updates.Observe(updates);

  std::vector<tonghop::v1::AggregateUpdate> versions = state_->Flush(&counters_.aggregate_seq, now);
  Status written;
  if (writes.size() > 0) {  // a burst of duplicates or refusals changes nothing on disk
    for (const auto& version : versions) writes.PutAggregate(version);
    writes.PutCounters(counters_);
    RocksDb::WriteTiming timing;
    written = store_->Commit(&writes, &timing);
    metrics_->commit_seconds.Observe(timing.seconds);
    metrics_->fsync_seconds.Observe(timing.fsync_seconds);
  }
  if (!written.ok()) {
    metrics_->commit_failures.Increment();
    metrics_->storage_writable.Set(0);
    if (storage_error_.empty()) {
      spdlog::error("cannot store updates; acking none until the store is writable again (collectors keep "
                    "them and resend). Free disk space or fix the device; retrying every {} ms: {}",
                    kStorageRetryIntervalMs, written.ToString());
    }
    storage_error_ = written.message();
    next_storage_retry_ms_ = 0;
    // Memory already holds the burst's figures; the store holds the last complete batch.
    StorageWritable(MonotonicMs());
    const std::string text = UnavailableText(written.message());
    for (auto& [identity, reply] : replies) {
      auto* r = reply.mutable_replies();
      std::vector<uint64_t> seqs;
      for (const auto& ack : r->acks()) seqs.push_back(ack.seq());
      for (const auto& reject : r->rejects()) seqs.push_back(reject.seq());
      r->clear_acks();
      r->clear_rejects();
      for (uint64_t seq : seqs) {
        AddReject(r, seq, RejectReason::REJECT_REASON_UNAVAILABLE, text);
      }
    }
  }
  for (auto& [identity, reply] : replies) {
    metrics_->CountAnswers(reply.replies());
    SendReply(identity, reply);
  }
  if (written.ok()) {
    for (const auto& version : versions) feed_->Publish(version);
  }
}

void Aggregator::HandleUpdates(const zmq::message_t& body, const tonghop::v1::UpdateBatch& batch, int64_t now_ms, IngestStore::Batch* writes,
                               tonghop::v1::UpdateReplies* replies) {
  replies->set_outbox_id(batch.outbox_id());
  replies->set_catalog_version(catalog_.fingerprint());
  std::string malformed;
  if (batch.outbox_id() == 0) malformed = "field 'outbox_id' is 0; a collector must send its outbox's non-zero id";
  else if (batch.node_id().empty() || batch.node_id().size() > kMaxIdLength) malformed = "field 'node_id' is empty or too long";
  else if (batch.updates_size() > options_.max_updates_per_batch_message) {
    malformed = fmt::format("{} updates in one batch; at most {} (--max_updates_per_batch_message)", batch.updates_size(),
                            options_.max_updates_per_batch_message);
  }
  if (!malformed.empty()) {
    if (batch.updates_size() > options_.max_updates_per_batch_message) metrics_->batch_updates_bound.Increment();
    if (bad_input_log_.Allow()) {
      spdlog::warn("rejected a batch from '{}': {} ({} more held back)", batch.node_id().substr(0, kMaxIdLength),
                   malformed, bad_input_log_.suppressed());
    }
    for (const auto& update : batch.updates()) {
      AddReject(replies, update.seq(), RejectReason::REJECT_REASON_MALFORMED, malformed);
    }
    return;
  }
  // A batch that is refused or consumes no seq must leave no entry behind, or a sender inventing
  // outbox ids would grow the map without bound.
  auto [entry, created] = positions_.try_emplace(batch.outbox_id());
  tonghop::storage::v1::OutboxPosition& position = entry->second;
  IngestAuthorizer::Sender sender;
  if (std::string refused = authorizer_.Authorize(body, position, &sender); !refused.empty()) {
    if (created) positions_.erase(entry);
    authorizer_.CountRefusal(batch.node_id(), refused);
    for (const auto& update : batch.updates()) {
      AddReject(replies, update.seq(), RejectReason::REJECT_REASON_UNAUTHORIZED, refused);
    }
    return;
  }
  // A unit is heard from its collector's key; plain text has no keys, so there the batch's unit
  // is the one its updates name. An office key's import speaks for no unit's link.
  if (sender.role != KeyRegistry::kOffice) {
    metrics_->UnitHeard(!sender.unit().empty() || batch.updates().empty() ? sender.unit()
                                                                          : batch.updates(0).reporting_unit(),
                        now_ms);
  }
  const uint64_t before = position.last_seq();
  for (const auto& update : batch.updates()) ApplyUpdate(batch, sender, update, now_ms, &position, writes, replies);
  if (position.last_seq() == before) {
    if (created) positions_.erase(entry);
    return;
  }
  position.set_node_id(batch.node_id());
  if (!sender.role.empty() && position.owner_unit().empty() && position.owner_office().empty()) {
    if (sender.role == KeyRegistry::kOffice) {
      position.set_owner_office(sender.name);
    } else {
      position.set_owner_unit(sender.name);
    }
    authorizer_.CountOutbox(position);
  }
  writes->PutPosition(batch.outbox_id(), position);
}

void Aggregator::ApplyUpdate(const tonghop::v1::UpdateBatch& batch, const IngestAuthorizer::Sender& sender,
                             const tonghop::v1::IndicatorUpdate& update, int64_t now_ms,
                             tonghop::storage::v1::OutboxPosition* position, IngestStore::Batch* writes,
                             tonghop::v1::UpdateReplies* replies) {
  const uint64_t expected = position->last_seq() + 1;
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
  const std::string key_unit = sender.unit();
  if (!key_unit.empty() && update.reporting_unit() != key_unit) {
    // Not recorded and the seq not consumed: a key may report for its own unit only.
    std::string why = fmt::format("field 'reporting_unit': '{}' is not '{}', the unit the sender's key is "
                                  "registered for; nothing was stored",
                                  ClipUtf8(update.reporting_unit(), kMaxIdLength), key_unit);
    authorizer_.CountRefusal(batch.node_id(), why);
    AddReject(replies, update.seq(), RejectReason::REJECT_REASON_UNAUTHORIZED, why);
    return;
  }

  tonghop::storage::v1::AuditRecord audit;
  // Ids over kMaxIdLength are rejected below; the audit record keeps their first characters, whole
  // (a character cut in two would make the record unreadable).
  const std::string_view unit = ClipUtf8(update.reporting_unit(), kMaxIdLength);
  const std::string_view indicator = ClipUtf8(update.indicator(), kMaxIdLength);
  const std::string_view period = ClipUtf8(update.period(), kMaxIdLength);
  audit.set_reporting_unit(unit.data(), unit.size());
  audit.set_indicator(indicator.data(), indicator.size());
  audit.set_period(period.data(), period.size());
  audit.set_node_id(batch.node_id());
  audit.set_entered_by(sender.key());
  audit.set_outbox_id(batch.outbox_id());
  audit.set_seq(update.seq());
  audit.set_observed_at_ms(update.observed_at_ms());
  audit.set_applied_at_ms(now_ms);

  ValidatedUpdate valid;
  std::string text;
  RejectReason reason = validator_->Validate(update, now_ms, &valid, &text);
  if (reason != RejectReason::REJECT_REASON_UNSPECIFIED) {
    audit.set_rejected(reason);
    audit.set_reject_text(text);
    if (rejected_log_.Allow()) {
      spdlog::info("rejected update {} of {}: {} ({} more held back)", update.seq(), batch.node_id(), text,
                   rejected_log_.suppressed());
    }
    AddReject(replies, update.seq(), reason, text);
    ++rejected_since_log_;
  } else if (update.kind() == tonghop::v1::UPDATE_KIND_VOID) {
    ApplyVoid(valid, update, &audit, writes, replies);
  } else {
    std::optional<Decimal> previous;
    const FigureVersion version = VersionOf(update.entered_at_ms(), now_ms, batch.outbox_id(), update.seq());
    audit.set_entered_at_ms(version.entered_at_ms);
    if (state_->ApplyFigure(*valid.indicator, valid.period, update.reporting_unit(), valid.value, now_ms,
                            update.observed_at_ms(), version, valid.below, &previous)) {
      tonghop::storage::v1::UnitValue stored;
      SetStoredValue(valid.value, &stored);
      SetStoredBelowCompleteness(valid.below, &stored);
      stored.set_node_id(batch.node_id());
      stored.set_outbox_id(batch.outbox_id());
      stored.set_seq(update.seq());
      stored.set_observed_at_ms(update.observed_at_ms());
      stored.set_applied_at_ms(now_ms);
      stored.set_entered_at_ms(version.entered_at_ms);
      writes->PutValue(valid.indicator->id, update.period(), update.reporting_unit(), stored);
      metrics_->FigureStored(update.reporting_unit(), now_ms);
    } else {
      // Entered before the figure held, which came from another outbox: stored in the audit log
      // only, so that every aggregator of a pair ends with the same figure whatever the order.
      audit.set_superseded(true);
    }
    if (previous) SetAuditPreviousValue(*previous, &audit);
    SetAuditValue(valid.value, &audit);
    replies->add_acks()->set_seq(update.seq());
    ++applied_since_log_;
  }
  writes->PutAudit(++counters_.audit_seq, audit);
  position->set_last_seq(update.seq());
}

void Aggregator::ApplyVoid(const ValidatedUpdate& valid, const tonghop::v1::IndicatorUpdate& update,
                           tonghop::storage::v1::AuditRecord* audit, IngestStore::Batch* writes,
                           tonghop::v1::UpdateReplies* replies) {
  std::optional<Decimal> removed = state_->RemoveUnitValue(*valid.indicator, valid.period, update.reporting_unit());
  if (!removed) {
    // Final like any refusal: the seq is consumed, and the audit log says a void found nothing.
    const std::string text = fmt::format("'{}' has no figure of '{}' for {} to void; nothing changed",
                                         update.reporting_unit(), valid.indicator->id, update.period());
    audit->set_rejected(RejectReason::REJECT_REASON_NOTHING_TO_VOID);
    audit->set_reject_text(text);
    AddReject(replies, update.seq(), RejectReason::REJECT_REASON_NOTHING_TO_VOID, text);
    ++rejected_since_log_;
    return;
  }
  writes->DeleteValue(valid.indicator->id, update.period(), update.reporting_unit());
  audit->set_voided(true);
  SetAuditPreviousValue(*removed, audit);
  replies->add_acks()->set_seq(update.seq());
  ++applied_since_log_;
}

void Aggregator::AskForWhatIsMissing(const zmq::message_t& body, const tonghop::v1::Heartbeat& heartbeat,
                                     tonghop::v1::Heartbeat* answer) {
  if (heartbeat.outbox_id() == 0 || heartbeat.settled_seq() == 0) return;
  auto it = positions_.find(heartbeat.outbox_id());
  const tonghop::storage::v1::OutboxPosition position =
      it == positions_.end() ? tonghop::storage::v1::OutboxPosition() : it->second;
  if (position.last_seq() >= heartbeat.settled_seq()) return;
  IngestAuthorizer::Sender sender;
  if (!authorizer_.Authorize(body, position, &sender).empty()) return;
  answer->set_outbox_id(heartbeat.outbox_id());
  answer->set_resend_from_seq(position.last_seq() + 1);
  if (resend_log_.Allow()) {
    spdlog::warn("outbox {:016x}{}: its collector says it had settled seqs up to {}, and this database holds them up "
                 "to {} (restored from a backup?): asking it to send them again from seq {} ({} more held back)",
                 heartbeat.outbox_id(), position.node_id().empty() ? "" : " of " + position.node_id(),
                 heartbeat.settled_seq(), position.last_seq(), position.last_seq() + 1, resend_log_.suppressed());
  }
}

bool Aggregator::StorageWritable(int64_t now_ms) {
  if (storage_error_.empty()) return true;
  if (now_ms < next_storage_retry_ms_) return false;
  const bool just_failed = next_storage_retry_ms_ == 0;
  next_storage_retry_ms_ = now_ms + kStorageRetryIntervalMs;
  // Reopening recovers the last complete batch (open read-only while the disk is still full).
  // The in-memory state is rebuilt from it right after the failure and once writable again, so
  // nothing half-written is ever served.
  Status reopened = store_->Reopen();
  if (!reopened.ok() && !just_failed) return false;
  Status restored = Restore();
  if (!restored.ok()) spdlog::error("reloading the state from the store: {}", restored.ToString());
  if (!reopened.ok() || !restored.ok()) return false;
  spdlog::info("the store is writable again; acking updates again (it failed with: {})", storage_error_);
  metrics_->storage_writable.Set(1);
  storage_error_.clear();
  return true;
}

void Aggregator::SendReply(const zmq::message_t& identity, const tonghop::v1::AggregatorMessage& reply) {
  if (SendRouted(ingest_, identity, reply).ok()) return;
  // A collector that does not read its answers (or is gone) loses them; its ack timeout resends
  // the updates and the duplicates are acked then. Waiting for it would stall every other one.
  ++replies_dropped_since_log_;
  metrics_->answers_dropped.Increment();
  if (dropped_reply_log_.Allow()) {
    spdlog::warn("an answer to a collector was dropped: it is gone or not reading its answers ({} more since the "
                 "last such line); it will resend", dropped_reply_log_.suppressed());
  }
}

void Aggregator::LogStatistics() {
  if (applied_since_log_ || rejected_since_log_ || replies_dropped_since_log_) {
    spdlog::info("last {} s: {} updates applied, {} rejected, {} answers dropped; {} figures, {} aggregates, seq {}",
                 kStatisticsIntervalMs / 1000, applied_since_log_, rejected_since_log_, replies_dropped_since_log_,
                 state_->unit_value_count(), state_->table().size(), counters_.aggregate_seq);
  }
  applied_since_log_ = rejected_since_log_ = replies_dropped_since_log_ = 0;
}

void Aggregator::RefreshMetrics() {
  metrics_->figures.Set(static_cast<double>(state_->unit_value_count()));
  metrics_->aggregates.Set(static_cast<double>(state_->table().size()));
  metrics_->seq.Set(static_cast<double>(counters_.aggregate_seq));
  metrics_->database_bytes.Set(static_cast<double>(store_->TableFileBytes()));
}

Status RunAggregator(const AggregatorOptions& options) {
  Aggregator aggregator(options);
  TONGHOP_RETURN_IF_ERROR(aggregator.Start());
  return aggregator.Run();
}

}  // namespace tonghop
