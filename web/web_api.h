// WebApi: what the web node answers, apart from the HTTP transport (docs/openapi.yaml is the
// contract, docs/ARCHITECTURE.md "The web node" the design):
//   GET /                                                   the dashboard (web/assets/)
//   GET /assets/<file>, /vendor/chart.min.js                its files
//   GET /api/v1/aggregates?indicator=&period=               current versions, from the feed
//   GET /api/v1/aggregates/{indicator}/{period}             one of them
//   GET /api/v1/aggregates/{indicator}/{period}/units       each unit's figure (query link)
//   GET /api/v1/aggregates/{indicator}/{period}/groups      the comparable groups' sums (query link)
//   GET /api/v1/aggregates/{indicator}/{period}/history     the province value's revisions (query link)
//   GET /api/v1/completeness?period=                        units x sectors: reported, late (query link)
//   GET /api/v1/report?period=&format=html|md               the report (cli/report.h) from the feed
//   GET /api/v1/catalog                                     indicators, sectors, units
//   GET /api/v1/status                                      the feed's health
//   GET /api/v1/stream?filter=                              Server-Sent Events (web/http_server.h)
// Every error is {"error":{"status","message"}} with the status that fits. With access tokens,
// everything under /api/ needs one, as "Authorization: Bearer <token>" or the cookie
// "tonghop_token" (the dashboard sets it; EventSource cannot send headers); the page's own files
// do not, as they hold no figures.
//
// Thread-safety: Handle and OpenStream from any thread; SetAccessTokens from any thread.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "core/catalog.h"
#include "core/log_limiter.h"
#include "web/access_tokens.h"
#include "web/asset_store.h"
#include "web/http_message.h"
#include "web/live_feed.h"
#include "web/query_worker.h"

namespace tonghop::web {

class WebApi {
 public:
  using Reply = std::function<void(HttpResponse)>;
  static constexpr std::string_view kStreamPath = "/api/v1/stream";
  static constexpr std::string_view kTokenCookie = "tonghop_token";

  // Every pointer outlives the WebApi; `queries` may be null (answers from the aggregator then
  // fail with 503).
  WebApi(const Catalog* catalog, const AssetStore* assets, LiveFeed* feed, QueryWorker* queries);

  // Tokens a reader must present; null: anyone who reaches the node may read.
  void SetAccessTokens(std::shared_ptr<const AccessTokens> tokens);

  // Answers `request` through `reply`, exactly once: at once for what the node holds, on the
  // query worker's thread for what it asks the aggregator.
  void Handle(const HttpRequest& request, const Reply& reply) const;

  // For GET /api/v1/stream: checks access and parameters. nullopt when the stream may open, with
  // its topic filter ("" for everything) and the Last-Event-ID (header, or the last_event_id
  // parameter) if any; otherwise the error to answer.
  std::optional<HttpResponse> OpenStream(const HttpRequest& request, std::string* filter,
                                         std::optional<uint64_t>* last_event_id) const;

 private:
  // The error to answer when `request` may not read, else nullopt.
  std::optional<HttpResponse> CheckAccess(const HttpRequest& request) const;
  void HandleApi(const HttpRequest& request, const Reply& reply) const;
  void AskAggregator(tonghop::v1::QueryRequest query, const Reply& reply,
                     std::function<HttpResponse(const tonghop::v1::QueryReply&)> answer) const;
  HttpResponse Units(const std::string& indicator, const std::string& period, const tonghop::v1::QueryReply& reply) const;
  HttpResponse History(const std::string& indicator, const std::string& period,
                       const tonghop::v1::QueryReply& reply) const;
  HttpResponse Completeness(const tonghop::v1::QueryReply& reply) const;
  HttpResponse Report(const std::string& period, const std::string& format) const;
  // The unit's name in the catalog, or its code.
  std::string UnitName(const std::string& code) const;

  const Catalog* catalog_;
  const AssetStore* assets_;
  LiveFeed* feed_;
  QueryWorker* queries_;
  std::string catalog_json_;
  mutable std::mutex tokens_mutex_;
  std::shared_ptr<const AccessTokens> tokens_;
  mutable std::mutex busy_log_mutex_;
  mutable LogLimiter busy_log_;  // questions refused at --max_waiting_queries
};

}  // namespace tonghop::web
