#include "web/web.h"

#include <exception>
#include <memory>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "core/catalog.h"
#include "core/clone_replica.h"
#include "core/event_loop.h"
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

  LiveFeed feed(options.replay_log_bytes);
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
  if (options.bound_port != nullptr) *options.bound_port = server.port();
  spdlog::info("ready: web http://{}:{}/ publisher={} aggregator={}", options.http.bind_address, server.port(),
               options.upstream_publish_endpoint, options.aggregator.endpoint);

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
