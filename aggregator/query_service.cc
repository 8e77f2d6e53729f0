#include "aggregator/query_service.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "aggregator/snapshot_queries.h"
#include "core/clock.h"
#include "core/rocksdb_util.h"

namespace tonghop {
namespace {

constexpr int kMaxRequestsPerServe = 16;
// An answer interrupted by reopens of the store this many times in a row goes out with the error.
constexpr int kMaxAnswerAttempts = 3;
// The query thread's nice value. Answers are background work beside ingest: when the cores are
// busy the scheduler gives it about 1/70 of a core where the ingest thread would get a whole one
// (docs/PERFORMANCE.md measures it), and all that is left when they are not.
constexpr int kQueryThreadNice = 19;
// A page token is the export's snapshot id and the key to resume at: values keys are three ids of
// at most 200 bytes.
constexpr size_t kMaxPageTokenBytes = 8 + 1024;
// How often each unit's overdue figures are counted for the metrics (QueryMetrics).
constexpr int64_t kOverdueIntervalMs = 60'000;

tonghop::v1::QueryReply Error(std::string text) {
  tonghop::v1::QueryReply reply;
  reply.set_error(std::move(text));
  return reply;
}

}  // namespace

QueryService::QueryService(zmq::context_t& context, const Catalog* catalog, const IngestStore* store,
                           const IngestAuthorizer* authorizer, QueryLimits limits,
                           std::shared_ptr<MetricsRegistry> metrics)
    : catalog_(catalog),
      store_(store),
      authorizer_(authorizer),
      limits_(limits),
      socket_(context, zmq::socket_type::router),
      backups_(store, limits.backup),
      metrics_registry_(std::move(metrics)),
      metrics_(*metrics_registry_) {}

QueryService::~QueryService() { Stop(); }

Status QueryService::Start(const std::string& endpoint, const LinkOptions& link) {
  try {
    ConfigureRouter(socket_, link);
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot bind the query endpoint {}: {} (is another aggregator running?)",
                                       endpoint, e.what()));
  }
  loop_.AddReader(socket_, [this] { Serve(); });
  loop_.AddTimer(std::clamp(std::min(limits_.export_idle_ms, limits_.backup.idle_ms) / 4, 10, 1'000), [this] {
    ExpireIdleExports();
    backups_.ExpireIdle();
  });
  loop_.AddTimer(kOverdueIntervalMs, [this] { CountOverdue(); });
  // From here on only the query thread touches the socket, the loop and the exports.
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "query");
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), kQueryThreadNice) != 0) {
      spdlog::debug("the query thread keeps the process's priority: setpriority: {}", std::strerror(errno));
    }
    CountOverdue();
    Status run = loop_.Run();
    if (!run.ok()) spdlog::error("the query thread stopped; queries go unanswered until a restart: {}", run.ToString());
  });
  return Status::OK();
}

void QueryService::Stop() {
  if (!thread_.joinable()) return;
  stopping_ = true;
  loop_.Stop();
  thread_.join();
  for (const auto& [id, open] : exports_) store_->Release(id);
  exports_.clear();
  open_exports_ = 0;
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
    if (!authorizer_->Registered(frames.back(), KeyRegistry::kQueryDomain)) {
      metrics_.refused.Increment();
      reply = Error("the key this query was sent with is no longer registered as an office or viewer key (revoked by "
                    "a reload of the key registry)");
      if (refusal_log_.Allow()) {
        spdlog::warn("refused a query: the sender's key {} is no longer registered as office (revoked) ({} more held "
                     "back)", PeerPublicKey(frames.back()), refusal_log_.suppressed());
      }
    } else if (!ParseProto(frames.back(), &request) ||
               request.body_case() == tonghop::v1::QueryRequest::BODY_NOT_SET) {
      metrics_.malformed.Increment();
      reply = Error("the request is not a tonghop.v1.QueryRequest with a body; use a tonghop client of the same version");
    } else if (request.body_case() == tonghop::v1::QueryRequest::kBackup &&
               !authorizer_->Registered(frames.back(), KeyRegistry::kOffice)) {
      metrics_.refused.Increment();
      reply = Error("a backup copies the whole database, so only an office key may take one; this key is a viewer's "
                    "(the web node's): run tonghop backup with an office key");
    } else {
      metrics_.requests.Increment();
      reply = Answer(request);
    }
    Status sent = SendReply(socket_, frames, reply);
    if (!sent.ok()) spdlog::debug("query reply not sent: {}", sent.message());
  }
}

tonghop::v1::QueryReply QueryService::Answer(const tonghop::v1::QueryRequest& request) {
  if (request.body_case() == tonghop::v1::QueryRequest::kExportFigures) return ExportPage(request.export_figures());
  if (request.body_case() == tonghop::v1::QueryRequest::kBackup) return backups_.Answer(request.backup());
  tonghop::v1::QueryReply reply;
  for (int attempt = 1;; ++attempt) {
    std::unique_ptr<IngestStore::ReadView> view;
    if (Status s = store_->NewReadView(&view, &stopping_); !s.ok()) {
      return Error("the aggregator cannot read its database now: " + s.message());
    }
    SnapshotQueries queries(catalog_, view.get());
    switch (request.body_case()) {
      case tonghop::v1::QueryRequest::kValues: reply = queries.Values(request.values()); break;
      case tonghop::v1::QueryRequest::kHistory:
        reply = queries.History(request.history(), static_cast<size_t>(limits_.history_max_revisions));
        if (reply.history().earlier_omitted() > 0) metrics_.history_bound.Increment();
        if (reply.history().earlier_omitted() > 0 && limit_log_.Allow()) {
          spdlog::info("a history of {} {} has {} revisions; the reply lists the latest {} "
                       "(--query_history_max_revisions) ({} more held back)", request.history().indicator(),
                       request.history().period(), reply.history().earlier_omitted() + limits_.history_max_revisions,
                       limits_.history_max_revisions, limit_log_.suppressed());
        }
        break;
      case tonghop::v1::QueryRequest::kStatus: reply = queries.PeriodStatus(request.status(), NowMs()); break;
      default: return Error("the request has no body");
    }
    // A reopen of the store interrupted the answer: the next view waits for it, and reads the
    // state the reopen recovered.
    if (!view->interrupted() || stopping_ || attempt == kMaxAnswerAttempts) return reply;
  }
}

tonghop::v1::QueryReply QueryService::ExportPage(const tonghop::v1::ExportRequest& request) {
  size_t max_figures = static_cast<size_t>(limits_.export_page_figures);
  if (request.max_figures() > max_figures) metrics_.export_page_bound.Increment();
  if (request.max_figures() > max_figures && limit_log_.Allow()) {
    spdlog::info("an export asked for pages of {} figures; pages hold at most {} (--query_export_page_figures) ({} "
                 "more held back)", request.max_figures(), max_figures, limit_log_.suppressed());
  }
  if (request.max_figures() > 0) max_figures = std::min<size_t>(max_figures, request.max_figures());

  uint64_t id = 0;
  std::string resume;
  if (request.page_token().empty()) {
    if (std::string wrong = SnapshotQueries::CheckExport(request); !wrong.empty()) return Error(wrong);
    if (exports_.size() >= static_cast<size_t>(limits_.max_open_exports)) {
      metrics_.open_exports_bound.Increment();
      if (limit_log_.Allow()) {
        spdlog::warn("refused an export: {} are open, the most held at once (--query_max_open_exports); an idle one "
                     "is dropped after {} ms ({} more held back)", exports_.size(), limits_.export_idle_ms,
                     limit_log_.suppressed());
      }
      return Error(fmt::format("{} exports are open, the most this aggregator holds at once (--query_max_open_exports): "
                               "retry when one has finished, or within {} s, when idle ones are dropped",
                               exports_.size(), limits_.export_idle_ms / 1000 + 1));
    }
    if (Status s = store_->HoldSnapshot(&id); !s.ok()) return Error("the aggregator cannot read its database now: " + s.message());
    Export& opened = exports_[id];
    opened.request = request;
    opened.last_used_ms = MonotonicMs();
    open_exports_ = exports_.size();
    metrics_.open_exports.Set(static_cast<double>(exports_.size()));
  } else {
    const std::string& token = request.page_token();
    if (token.size() < 8 || token.size() > kMaxPageTokenBytes || !DecodeBigEndian64(token.substr(0, 8), &id)) {
      return Error("field 'page_token' is not one this aggregator issued");
    }
    resume = token.substr(8);
  }
  auto open = exports_.find(id);
  std::unique_ptr<IngestStore::ReadView> view;
  if (open == exports_.end() || !store_->NewReadViewOfHeld(id, &view, &stopping_).ok()) {
    if (open != exports_.end()) DropExport(id);
    return Error(fmt::format("this export is no longer open: it was idle for more than {} ms (--query_export_idle_ms), "
                             "or the aggregator restarted or reopened its database since; run the export again",
                             limits_.export_idle_ms));
  }
  tonghop::v1::QueryReply reply;
  auto* page = reply.mutable_export_figures();
  std::string next;
  Status read = SnapshotQueries(catalog_, view.get()).ExportPage(open->second.request, resume, max_figures, page, &next);
  view.reset();
  if (read.IsInvalidArgument()) return Error(read.message());
  if (!read.ok()) {
    DropExport(id);
    return Error("reading the aggregator's database: " + read.message());
  }
  if (next.empty()) {
    DropExport(id);  // the last page
  } else {
    open->second.last_used_ms = MonotonicMs();
    page->set_next_page_token(EncodeBigEndian64(id) + next);
  }
  return reply;
}

void QueryService::ExpireIdleExports() {
  const int64_t now = MonotonicMs();
  std::vector<uint64_t> idle;
  for (const auto& [id, open] : exports_) {
    if (now - open.last_used_ms > limits_.export_idle_ms) idle.push_back(id);
  }
  for (uint64_t id : idle) {
    metrics_.export_idle_bound.Increment();
    if (limit_log_.Allow()) {
      spdlog::info("dropped an export idle for more than {} ms (--query_export_idle_ms) and released its snapshot; "
                   "its client went away or stalled ({} more held back)", limits_.export_idle_ms, limit_log_.suppressed());
    }
    DropExport(id);
  }
}

void QueryService::DropExport(uint64_t id) {
  store_->Release(id);
  exports_.erase(id);
  open_exports_ = exports_.size();
  metrics_.open_exports.Set(static_cast<double>(exports_.size()));
}

void QueryService::CountOverdue() {
  const int64_t now = NowMs();
  for (const std::string& period : QueryMetrics::LatestEndedPeriods(*catalog_, now)) {
    std::unique_ptr<IngestStore::ReadView> view;
    if (!store_->NewReadView(&view, &stopping_).ok()) return;  // the store is being reopened: next minute
    tonghop::v1::StatusRequest request;
    request.set_period(period);
    tonghop::v1::QueryReply reply = SnapshotQueries(catalog_, view.get()).PeriodStatus(request, now);
    if (view->interrupted() || !reply.has_status()) return;
    metrics_.SetOverdue(*catalog_, reply.status());
  }
}

}  // namespace tonghop
