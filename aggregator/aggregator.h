// The aggregator daemon: validates every update from the collectors, stores it, keeps the province
// totals, and is the source of the aggregate feed (docs/ARCHITECTURE.md, docs/PROTOCOL.md).
//
// One thread runs the node's EventLoop (core/event_loop.h) over two ROUTER sockets: ingest
// (collectors) and the CloneServer's snapshot socket (publishers); the CloneServer's PUB is written,
// never polled. No answer waits for its peer: one that cannot be sent at once is dropped and
// counted, and the peer's resend covers it. The query ROUTER (the office's CLI) has a thread of
// its own that reads database snapshots (aggregator/query_service.h), so no query holds up
// ingest. Updates are handled in bursts: everything waiting on the ingest socket (up to
// max_batch_updates updates, 1,000 messages) is validated and applied in memory, the touched
// aggregates are recomputed once, and all of it is written in one RocksDB WriteBatch; only then
// are the acks sent and the new aggregate versions published. A failed write acks nothing: the
// store is reopened (read-only while the disk stays full), the in-memory state is reloaded from
// it, every update of the burst is answered UNAVAILABLE, and so is every update after it, with
// the reason also in the heartbeat answers, until a reopen retried every second succeeds.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>

#include <zmq.hpp>

#include "aggregator/aggregator_metrics.h"
#include "aggregator/ingest_authorizer.h"
#include "aggregator/ingest_store.h"
#include "aggregator/province_state.h"
#include "aggregator/query_service.h"
#include "core/update_validator.h"
#include "core/catalog.h"
#include "core/clone_server.h"
#include "core/peer_bounds.h"
#include "core/metrics.h"
#include "core/status.h"

namespace tonghop {

struct AggregatorOptions {
  std::string catalog_dir = "deploy/lang-son";
  std::string data_dir = "var/aggregator";
  std::string ingest_endpoint = "tcp://*:5550";
  std::string publish_endpoint = "tcp://*:5551";
  std::string snapshot_endpoint = "tcp://*:5552";
  // ROUTER answering `tonghop status|history|query|export|report` (aggregator/query_service.h).
  std::string query_endpoint = "tcp://*:5553";
  QueryLimits query_limits;
  Durability durability = Durability::kFsync;
  // Bursts this large amortize recomputing the touched totals over a thousand communes
  // (docs/PERFORMANCE.md); a burst is also capped at max_messages_per_burst messages.
  int max_batch_updates = 10000;
  // Bounds on what a collector controls (docs/SECURITY.md, "Bounds on what a peer controls").
  // A legitimate batch is at most 1,000 updates of three 200-byte ids (about 640 kB), and a
  // collector has only a few batches in flight; a larger message disconnects its sender.
  int64_t max_ingest_message_bytes = 1 << 20;
  // Messages queued per collector connection before libzmq stops reading from it.
  int ingest_receive_hwm_messages = 1000;
  // Answers queued per collector connection; past it they are dropped (a collector that does not
  // read its answers costs at most this much memory). A collector has at most 1,000 updates, so
  // ten batch answers, and one heartbeat answer in flight.
  int ingest_send_hwm_messages = 1000;
  // Ingest messages read per burst, whatever they hold: a flood of heartbeats or garbage cannot
  // keep the loop from the other sockets. The ROUTER fair-queues between collectors.
  int max_messages_per_burst = 1000;
  // Updates in one UpdateBatch message; a larger batch is refused MALFORMED (a collector sends 100).
  int max_updates_per_batch_message = 1000;
  // Outboxes a unit's keys may bring into use (IngestAuthorizer; not in plain-text mode).
  int max_outboxes_per_unit = 100;
  int heartbeat_interval_ms = 1000;
  // What one connection to the feed (a publisher) may cost (docs/SECURITY.md).
  PeerBounds feed_bounds;
  // HOST:PORT serving the node's metrics at /metrics (core/metrics.h); "" serves none.
  std::string metrics_endpoint;
  // CURVE (docs/SECURITY.md): the aggregator's key pair (server), and the registry of the keys
  // that may connect. Disabled keys mean plain text, which in-process tests use.
  CurveSocketKeys curve;
  std::string key_registry_file;
  // Tests stop the loop through this instead of a signal.
  const std::atomic<bool>* stop = nullptr;
};

class Aggregator {
 public:
  explicit Aggregator(AggregatorOptions options);
  ~Aggregator();

  // Loads the catalog, opens the database, restores the state and binds the sockets.
  Status Start();
  // Serves until SIGINT/SIGTERM or options.stop; SIGHUP reloads the key registry.
  Status Run();

 private:
  Status Restore();
  void IngestBurst();
  // `body` is the frame the batch came in: under CURVE it names the sender's key.
  void HandleUpdates(const zmq::message_t& body, const tonghop::v1::UpdateBatch& batch, int64_t now_ms, IngestStore::Batch* writes,
                     tonghop::v1::UpdateReplies* replies);
  // `sender`: the key the batch came with: the units it may report for, and who entered the
  // figure (the audit record's entered_by).
  // `position`: the batch's outbox, advanced past every update it records.
  void ApplyUpdate(const tonghop::v1::UpdateBatch& batch, const IngestAuthorizer::Sender& sender,
                   const tonghop::v1::IndicatorUpdate& update, int64_t now_ms,
                   tonghop::storage::v1::OutboxPosition* position, IngestStore::Batch* writes,
                   tonghop::v1::UpdateReplies* replies);
  // A valid void of ApplyUpdate: removes the unit's figure and records that in `audit`, or refuses
  // it NOTHING_TO_VOID (final) when the unit has none there.
  void ApplyVoid(const ValidatedUpdate& valid, const tonghop::v1::IndicatorUpdate& update,
                 tonghop::storage::v1::AuditRecord* audit, IngestStore::Batch* writes,
                 tonghop::v1::UpdateReplies* replies);
  // Answering a collector's heartbeat (sent in `body`): when its outbox's settled_seq is above the
  // last seq held of that outbox (the database was restored from a backup taken before it had
  // them), asks the collector to send them again, from the first one missing. Only for an outbox the
  // sender's key may use: a key cannot learn another unit's positions.
  void AskForWhatIsMissing(const zmq::message_t& body, const tonghop::v1::Heartbeat& heartbeat,
                           tonghop::v1::Heartbeat* answer);
  // Sends one answer on the ingest ROUTER without waiting; a collector that cannot take it loses it
  // (counted and logged): it resends what stays unanswered.
  void SendReply(const zmq::message_t& identity, const tonghop::v1::AggregatorMessage& reply);
  void LogStatistics();
  // Sets the gauges that mirror the state (every kMetricsRefreshMs).
  void RefreshMetrics();
  // While the store cannot write: retries it every kStorageRetryIntervalMs; true once writable.
  bool StorageWritable(int64_t now_ms);

  AggregatorOptions options_;
  Catalog catalog_;
  // The catalog's files, for the collectors that ask (CatalogRequest): made once at Start.
  tonghop::v1::AggregatorMessage catalog_files_;
  std::shared_ptr<MetricsRegistry> metrics_registry_ = NewMetricsRegistry("aggregator");
  std::unique_ptr<AggregatorMetrics> metrics_;  // made with the catalog, whose units it follows
  std::unique_ptr<MetricsEndpoint> metrics_endpoint_;
  std::unique_ptr<UpdateValidator> validator_;
  std::unique_ptr<IngestStore> store_;
  std::unique_ptr<ProvinceState> state_;
  IngestStore::Counters counters_;
  std::map<uint64_t, tonghop::storage::v1::OutboxPosition> positions_;
  zmq::context_t context_;
  // Declared after the context, which must outlive its ZAP socket.
  IngestAuthorizer authorizer_{context_, &catalog_};
  LogLimiter bad_input_log_;
  // Updates the catalog refuses: a few a day from people, a flood from a misused key.
  LogLimiter rejected_log_;
  LogLimiter full_burst_log_{60'000};
  LogLimiter resend_log_;
  zmq::socket_t ingest_;
  std::unique_ptr<CloneServer> feed_;
  std::unique_ptr<QueryService> query_;

  // Why the last write failed; empty while writes succeed. Updates are answered UNAVAILABLE
  // (not even applied in memory) until a retry succeeds.
  std::string storage_error_;
  int64_t next_storage_retry_ms_ = 0;

  // For the periodic statistics line.
  uint64_t applied_since_log_ = 0;
  uint64_t rejected_since_log_ = 0;
  uint64_t replies_dropped_since_log_ = 0;
  LogLimiter dropped_reply_log_{10'000};
};

Status ParseDurability(const std::string& text, Durability* out);

// Start() then Run(): the whole of tonghop-aggregator.
Status RunAggregator(const AggregatorOptions& options);

}  // namespace tonghop
