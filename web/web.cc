#include "web/web.h"

#include <exception>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "core/process.h"
#include "core/catalog.h"
#include "core/clone_replica.h"
#include "core/event_loop.h"
#include "core/metrics.h"
#include "web/access_tokens.h"
#include "web/asset_store.h"
#include "web/feed_follower.h"
#include "web/live_feed.h"
#include "web/query_worker.h"
#include "web/web_api.h"

namespace tonghop::web {
namespace {

Status LoadTokens(const std::string& path, std::shared_ptr<const AccessTokens>* out) {
  auto tokens = std::make_shared<AccessTokens>();
  TONGHOP_RETURN_IF_ERROR(AccessTokens::LoadFromFile(path, tokens.get()));
  *out = std::move(tokens);
  return Status::OK();
}

// The web node's metrics (docs/OPERATIONS.md, "Metrics"): its link to the publisher, and what its
// HTTP clients hold and the bounds they hit (docs/SECURITY.md).
struct WebMetrics {
  explicit WebMetrics(MetricsRegistry& r)
      : synced(GaugeOf(r, "tonghop_web_upstream_synced",
                       "1 while the copy of the publisher's table is complete (a snapshot taken, no catch-up due)")),
        resyncs(CounterOf(r, "tonghop_web_upstream_resyncs_total",
                          "Snapshots taken from the publisher after the first")),
        aggregates(GaugeOf(r, "tonghop_web_aggregates", "Province aggregates held")),
        open_streams(GaugeOf(r, "tonghop_web_open_streams", "Event streams open (GET /api/v1/stream)")),
        streams_cut_off(CounterOf(r, "tonghop_web_streams_cut_off_total",
                                  "Event streams cut off: more than --max_stream_queued_bytes behind, or a write not "
                                  "taken within --stream_write_timeout_ms")),
        connections_refused(BoundHits(r, "max_connections")),
        streams_refused(BoundHits(r, "max_streams")) {}
  prometheus::Gauge& synced;
  prometheus::Counter& resyncs;
  prometheus::Gauge& aggregates;
  prometheus::Gauge& open_streams;
  prometheus::Counter& streams_cut_off;
  prometheus::Counter& connections_refused;
  prometheus::Counter& streams_refused;
};

// Adds to `counter` what `now` has grown since `*counted`.
void CountUp(prometheus::Counter& counter, uint64_t now, uint64_t* counted) {
  counter.Increment(static_cast<double>(now - *counted));
  *counted = now;
}

Status CheckOptions(const WebOptions& options) {
  if (options.replay_log_bytes < options.http.max_stream_queued_bytes) {
    return Status::InvalidArgument(fmt::format(
        "--replay_log_bytes ({}) must be at least --max_stream_queued_bytes ({}): a stream may fall that far behind, "
        "and the log must still hold what it has not been sent", options.replay_log_bytes,
        options.http.max_stream_queued_bytes));
  }
  bool loopback = false;
  TONGHOP_RETURN_IF_ERROR(HttpServer::CheckBindAddress(options.http.bind_address, &loopback));
  if (options.access_tokens_file.empty() && !options.allow_anonymous_read && !loopback) {
    return Status::InvalidArgument(fmt::format(
        "--http_bind_address {} reaches beyond this machine, and no --access_tokens_file says who may read: give one "
        "(docs/SECURITY.md), or --allow_anonymous_read to let anyone who reaches the port read the totals",
        options.http.bind_address));
  }
  return Status::OK();
}

Status Run(const WebOptions& options) {
  TONGHOP_RETURN_IF_ERROR(CheckOptions(options));
  Catalog catalog;
  TONGHOP_RETURN_IF_ERROR(Catalog::LoadFromDirectory(options.catalog_dir, &catalog).WithContext("--catalog_dir"));
  std::shared_ptr<const AccessTokens> tokens;
  if (!options.access_tokens_file.empty()) {
    TONGHOP_RETURN_IF_ERROR(LoadTokens(options.access_tokens_file, &tokens).WithContext("--access_tokens_file"));
    spdlog::info("readers: {} access tokens in {}", tokens->size(), options.access_tokens_file);
  } else {
    spdlog::info("readers: anyone who reaches {}:{} (no --access_tokens_file)", options.http.bind_address,
                 options.http.port);
  }
  AssetStore assets;
  std::string chart_problem;
  TONGHOP_RETURN_IF_ERROR(AssetStore::Load(options.assets_dir, options.chart_js_file, &assets, &chart_problem));
  if (!chart_problem.empty()) spdlog::warn("{}", chart_problem);
  if (!options.upstream_curve.enabled()) {
    spdlog::info("publisher link: plain text (a public publisher)");
  }

  LiveFeed feed(options.replay_log_bytes, &catalog);
  auto queries = std::make_unique<QueryWorker>(options.aggregator, static_cast<size_t>(options.max_waiting_queries));
  WebApi api(&catalog, &assets, &feed, queries.get());
  api.SetAccessTokens(tokens);
  HttpServer server(options.http, &api, &feed);
  feed.set_on_change([&server] { server.Wake(); });
  TONGHOP_RETURN_IF_ERROR(server.Start());

  zmq::context_t context;
  CloneReplicaOptions upstream;
  upstream.publish_endpoint = options.upstream_publish_endpoint;
  upstream.snapshot_endpoint = options.upstream_snapshot_endpoint;
  upstream.snapshot_timeout_ms = options.upstream_snapshot_timeout_ms;
  upstream.server_timeout_ms = options.upstream_timeout_ms;
  upstream.link.curve = options.upstream_curve;
  CloneReplica replica(context, upstream);
  FeedFollowerOptions follow;
  follow.stale_after_ms = options.stale_after_ms;
  follow.source = options.upstream_publish_endpoint;
  FeedFollower follower(&feed, follow);
  TONGHOP_RETURN_IF_ERROR(replica.Start().WithContext("the publisher's feed"));
  auto registry = NewMetricsRegistry("web");
  WebMetrics metrics(*registry);
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  TONGHOP_RETURN_IF_ERROR(StartMetricsEndpoint(options.metrics_endpoint, registry, &metrics_endpoint));
  if (options.bound_port != nullptr) *options.bound_port = server.port();
  LogReady(fmt::format("web http://{}:{}/ publisher={} aggregator={}", options.http.bind_address, server.port(),
                       options.upstream_publish_endpoint, fmt::join(options.aggregator.endpoints, ",")));

  EventLoop loop(options.stop);
  if (!options.access_tokens_file.empty()) {
    loop.OnReload([&] {
      std::shared_ptr<const AccessTokens> reloaded;
      if (Status s = LoadTokens(options.access_tokens_file, &reloaded); !s.ok()) {
        spdlog::error("SIGHUP: the access tokens were not reloaded, the previous ones stay in force: {}", s.message());
      } else {
        api.SetAccessTokens(reloaded);
        spdlog::info("SIGHUP: access tokens reloaded: {}", reloaded->size());
      }
    });
  }
  // The replica reads its sockets in Process(), run every turn below; their readiness only wakes the loop.
  for (size_t i = 0; i < replica.PollItems().size(); ++i) {
    loop.AddSocket([&replica, i] { return replica.PollItems()[i]; }, [](short) {});
  }
  loop.AddTask({}, [&] {
    replica.Process([&](const tonghop::v1::AggregateUpdate& version) { follower.OnChange(version, replica.stream_id()); });
    follower.Update(replica);
  });
  HttpServer::Counters counted;
  uint64_t resyncs_counted = 0;
  loop.AddTimer(kMetricsRefreshMs, [&] {
    metrics.synced.Set(replica.synced() ? 1 : 0);
    CountUp(metrics.resyncs, replica.resyncs(), &resyncs_counted);
    metrics.aggregates.Set(static_cast<double>(replica.table().size()));
    const HttpServer::Counters now = server.counters();
    metrics.open_streams.Set(now.open_streams);
    CountUp(metrics.streams_cut_off, now.streams_cut_off, &counted.streams_cut_off);
    CountUp(metrics.connections_refused, now.connections_refused, &counted.connections_refused);
    CountUp(metrics.streams_refused, now.streams_refused, &counted.streams_refused);
  });
  TONGHOP_RETURN_IF_ERROR(loop.Run());
  // No answer from the aggregator may arrive once the server is gone.
  queries.reset();
  server.Stop();
  const HttpServer::Counters counters = server.counters();
  spdlog::info("web node stopping: {} aggregates up to seq {}; {} streams cut off, {} connections and {} streams "
               "refused", replica.table().size(), feed.seq(), counters.streams_cut_off, counters.connections_refused,
               counters.streams_refused);
  return Status::OK();
}

}  // namespace

Status RunWeb(const WebOptions& options) {
  try {
    return Run(options);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("web node: ZeroMQ error: {}", e.what()));
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("web node: {}", e.what()));
  }
}

}  // namespace tonghop::web
