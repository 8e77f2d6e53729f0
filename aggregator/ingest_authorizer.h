// IngestAuthorizer: under CURVE, who sent each ingest message and which reporting units it may
// report for (docs/SECURITY.md). It owns the aggregator's ZapHandler and its KeyRegistry:
//  - at the handshake, the ZapHandler admits only keys registered as role "collector" or
//    "office" on the ingest socket, "publisher" on the feed sockets and "office" on the query
//    socket;
//  - per UpdateBatch, Authorize() looks the sender's key up in the registry as it is now (so a
//    key revoked by a reload stops at once, even on a connection opened before), and refuses the
//    batch when the key is gone or when the outbox it names belongs to another owner: an outbox
//    belongs to the unit whose collector key first used it, or to the office (by the office key's
//    name) whose key did (otherwise a key could advance, and so silence, another's sequence);
//  - per UpdateBatch for an outbox new to its owner, Authorize() refuses it when the unit (or
//    the office name) already owns max_outboxes_per_unit outboxes: a key inventing outbox ids
//    would otherwise grow the aggregator's positions (memory and disk, kept for good) without
//    bound. The aggregator counts the outboxes it stores (CountOutbox), and at start-up the
//    stored ones;
//  - per update, the aggregator rejects a reporting_unit other than a collector key's unit; an
//    office key reports for any unit (the catalog then decides, as for every figure);
//  - per query, the QueryService asks Registered() the same way about the office key.
// Refusals are REJECT_REASON_UNAUTHORIZED, not final: nothing is stored and the collector keeps
// the update until its key is registered or the cap raised. In plain-text mode (no keys) every unit
// is allowed, and any number of outboxes.
// Reload() (on SIGHUP) re-reads the registry file; a broken file leaves the current one in force.
// Not thread-safe apart from the ZapHandler's own thread and Registered(), which the query thread
// calls (aggregator/query_service.h): the aggregator's loop owns it.
#pragma once

#include <map>
#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include <prometheus/counter.h>
#include <zmq.hpp>

#include "core/catalog.h"
#include "core/key_registry.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/zap_handler.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

class IngestAuthorizer {
 public:
  // The key an ingest batch came with, as the registry says now.
  struct Sender {
    std::string role;  // KeyRegistry::kCollector or kOffice; "" in plain-text mode
    std::string name;  // the unit's code for a collector, the office's name for an office key
    // The unit it may report for: "" for any (an office key, or plain-text mode).
    std::string unit() const { return role == KeyRegistry::kCollector ? name : std::string(); }
    // "collector:cao-loc", "office:office-1", as the audit log records who entered a figure; ""
    // in plain-text mode.
    std::string key() const { return role.empty() ? std::string() : role + ":" + name; }
  };

  IngestAuthorizer(zmq::context_t& context, const Catalog* catalog);

  // Loads `registry_file` (every collector key must name a unit of the catalog) and starts the
  // ZAP handler. Call before any server socket binds. Each unit's keys may then bring at most
  // `max_outboxes_per_unit` outboxes into use.
  Status Start(const std::string& registry_file, int max_outboxes_per_unit);
  bool enabled() const { return zap_ != nullptr; }

  // Re-reads the registry file; logs what changed, or why the file was not taken.
  void Reload();

  // For a batch received in `body` from an outbox at `position`: "" and who sent it in *sender;
  // otherwise why the whole batch is refused.
  std::string Authorize(const zmq::message_t& body, const tonghop::storage::v1::OutboxPosition& position,
                        Sender* sender) const;

  // Sender::key() of the key `body` came with: "" in plain-text mode, and for a key no longer
  // registered (or of another role) on the ingest link.
  std::string IngestKeyOf(const zmq::message_t& body) const;

  // Whether the sender of `body` holds a key of `role` in the registry as it is now (always true
  // in plain-text mode). The handshake admitted it; this catches a key revoked since. Safe from
  // any thread, at the same time as Reload().
  bool Registered(const zmq::message_t& body, std::string_view role) const;

  // The unit the sender of `body` holds a collector key for, as the registry is now; "" for none
  // and in plain-text mode.
  std::string UnitOf(const zmq::message_t& body) const;

  // Where Authorize counts the batches it refuses because their unit is at max_outboxes_per_unit
  // (the aggregator's metrics); none when not called.
  void CountOutboxCapHitsIn(prometheus::Counter* hits) { outbox_cap_hits_ = hits; }

  // Counts and logs (at most once a second) one refused update or batch.
  void CountRefusal(const std::string& node_id, const std::string& why);

  // The outboxes each unit, and each office name, owns (OutboxPosition::owner_unit and
  // owner_office): ForgetOutboxes, then CountOutbox for each stored position at start-up, and for
  // each outbox the aggregator then stores for an owner. An outbox without an owner (stored in
  // plain-text mode) counts for none.
  void ForgetOutboxes() { outboxes_of_owner_.clear(); }
  void CountOutbox(const tonghop::storage::v1::OutboxPosition& position);

 private:
  Status Load(std::shared_ptr<const KeyRegistry>* out) const;
  // Outboxes owned by `owner`: a unit's code, or "office:<name>".
  size_t OutboxesOf(std::string_view owner) const;

  zmq::context_t& context_;
  const Catalog* catalog_;
  std::string registry_file_;
  std::unique_ptr<ZapHandler> zap_;
  // Swapped whole by Reload() on the loop thread while the query thread reads it.
  std::atomic<std::shared_ptr<const KeyRegistry>> registry_;
  int max_outboxes_per_unit_ = 0;
  prometheus::Counter* outbox_cap_hits_ = nullptr;
  // The owner's outbox count, by OwnerOf: units of the catalog, and office keys' names of the
  // registry (or of stored positions), so bounded; the refused path only looks up.
  std::map<std::string, size_t, std::less<>> outboxes_of_owner_;
  uint64_t refused_total_ = 0;
  LogLimiter refusal_log_;
};

}  // namespace tonghop
