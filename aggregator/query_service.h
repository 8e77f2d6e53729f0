// QueryService: the aggregator's query link (docs/PROTOCOL.md, "Query link"). A ROUTER socket
// answering QueryRequest from `tonghop status|history|query|export|report`, on a thread of its own
// with its own EventLoop, so that no query, however long, holds up ingest: the ROUTER belongs to
// that thread alone, and every answer is read from one RocksDB snapshot of the aggregator's
// database (SnapshotQueries), never from the ingest thread's memory. A query can neither lose nor
// alter a figure. Each request gets exactly one QueryReply; a malformed one gets a reply whose
// `error` says so. Under CURVE only keys of role "office" complete the handshake (the socket's
// ZAP domain), and each request is checked again against the registry as it is now, so a key
// revoked by a reload gets no more answers on the connection it already has.
//
// A backup (BackupRequest) is a checkpoint of the database streamed file by file (BackupStreamer).
//
// Exports are paged (ExportRequest): the first page holds a snapshot of the database, which each
// later page of the same export reads, so the pages hold every figure exactly once while ingest
// goes on. What a peer can hold this way is bounded by QueryLimits, each an aggregator flag: open
// exports, figures per page, how long an idle export keeps its snapshot, and the revisions in a
// history reply.
//
// Thread-safety: Start() and Stop() from the owner's thread; everything else runs on the query
// thread. The store is read through read views and held snapshots (IngestStore), which the ingest
// thread's Reopen() waits for and releases; the authorizer's Registered() is safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "aggregator/backup_streamer.h"
#include "aggregator/ingest_authorizer.h"
#include "aggregator/ingest_store.h"
#include "aggregator/query_metrics.h"
#include "core/catalog.h"
#include "core/event_loop.h"
#include "core/log_limiter.h"
#include "core/status.h"
#include "core/transport.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop {

// What office clients may hold in the aggregator through paged exports (docs/SECURITY.md).
struct QueryLimits {
  // Exports open at once, each holding a database snapshot (which keeps the versions it reads
  // from being compacted away). One more is refused, with a reply saying to retry.
  int max_open_exports = 8;
  // Figures in one export page: about 100 bytes each in the reply.
  int export_page_figures = 10'000;
  // An export not asked for its next page for this long is dropped and its snapshot released: a
  // client that went away holds nothing past it.
  int export_idle_ms = 60'000;
  // Revisions in one history reply, the latest (about 100 bytes each); the reply counts the others.
  int history_max_revisions = 100'000;
  // Online backups (BackupStreamer): one at a time, with these bounds.
  BackupLimits backup;
};

class QueryService {
 public:
  // `authorizer` holds the key registry each request is checked against. `store` must outlive the
  // service. Its metrics (aggregator/query_metrics.h) go into `metrics`.
  QueryService(zmq::context_t& context, const Catalog* catalog, const IngestStore* store,
               const IngestAuthorizer* authorizer, QueryLimits limits,
               std::shared_ptr<MetricsRegistry> metrics = std::make_shared<MetricsRegistry>());
  // Stop().
  ~QueryService();

  // Binds the ROUTER (a CURVE server of ZAP domain "office" when `link` has keys), then serves it
  // on the query thread. Fails with the endpoint in the message.
  Status Start(const std::string& endpoint, const LinkOptions& link);
  // Ends the query thread within one turn of its loop (an answer in progress gives up at its next
  // record), releases what open exports hold, and joins it. SIGINT and SIGTERM end the loop by
  // themselves. Idempotent.
  void Stop();

  // Open exports (for tests).
  size_t open_exports() const { return open_exports_.load(); }
  // Where an open backup's checkpoint is (for tests).
  const std::string& backup_checkpoint_dir() const { return backups_.checkpoint_dir(); }

 private:
  struct Export {
    tonghop::v1::ExportRequest request;  // as the first page asked, without token
    int64_t last_used_ms = 0;
  };

  // Answers pending requests without blocking, at most 16 a turn so that the loop's timers run.
  void Serve();
  tonghop::v1::QueryReply Answer(const tonghop::v1::QueryRequest& request);
  tonghop::v1::QueryReply ExportPage(const tonghop::v1::ExportRequest& request);
  // Drops the exports idle for longer than limits_.export_idle_ms.
  void ExpireIdleExports();
  void DropExport(uint64_t id);
  // Counts each unit's overdue figures of the latest ended periods (QueryMetrics), every minute.
  void CountOverdue();

  const Catalog* catalog_;
  const IngestStore* store_;
  const IngestAuthorizer* authorizer_;
  const QueryLimits limits_;
  zmq::socket_t socket_;
  EventLoop loop_;
  std::thread thread_;
  // By the id of the snapshot each holds (IngestStore::HoldSnapshot).
  std::map<uint64_t, Export> exports_;
  BackupStreamer backups_;
  std::atomic<size_t> open_exports_{0};
  // Set by Stop(): the answer in progress gives up at its next record.
  std::atomic<bool> stopping_{false};
  LogLimiter refusal_log_;
  LogLimiter limit_log_;
  std::shared_ptr<MetricsRegistry> metrics_registry_;
  QueryMetrics metrics_;
};

}  // namespace tonghop
