// The web node (tonghop-web): the province office's dashboard and an HTTP API for downstream
// systems, fed live by the pipeline (docs/ARCHITECTURE.md, "The web node").
//
// It is built like the publisher: a CloneReplica of a publisher (everything, filter ""), run by
// one EventLoop; what the replica stores goes through FeedFollower into a LiveFeed, which the
// HTTP server (its own thread, web/http_server.h) serves as JSON and as Server-Sent Events.
// Figures the feed does not carry (each unit's, the revisions, who has reported) come from the
// aggregator's query link, under an office key, through QueryWorker.
//
// The HTTP port binds to loopback by default. Readers present a token of --access_tokens_file
// (reloaded on SIGHUP); without one the node refuses to listen beyond loopback unless told that
// anyone who reaches it may read (docs/SECURITY.md).
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

#include "cli/aggregator_client.h"
#include "core/status.h"
#include "core/transport.h"
#include "web/http_server.h"

namespace tonghop::web {

struct WebOptions {
  // The publisher to follow, as for tonghop-publisher's own upstream.
  std::string upstream_publish_endpoint = "tcp://127.0.0.1:5560";
  std::string upstream_snapshot_endpoint = "tcp://127.0.0.1:5561";
  int upstream_snapshot_timeout_ms = 3'000;
  int upstream_timeout_ms = 5'000;
  // CURVE towards a publisher whose --subscriber_access is authenticated; disabled: plain text.
  CurveSocketKeys upstream_curve;
  // The aggregator's query link (an office key under CURVE), and how many questions may wait.
  cli::AggregatorLink aggregator;
  int max_waiting_queries = 16;

  HttpServerOptions http;
  // name,token CSV (web/access_tokens.h); "" for none.
  std::string access_tokens_file;
  // Without tokens, listen beyond loopback all the same: anyone who reaches the port may read.
  bool allow_anonymous_read = false;
  std::string catalog_dir;
  // "" serves the dashboard compiled into the binary; a folder serves its files instead.
  std::string assets_dir;
  std::string chart_js_file = "/usr/share/javascript/chart.js/chart.min.js";
  // Event text kept for clients that reconnect (Last-Event-ID); at least max_stream_queued_bytes.
  size_t replay_log_bytes = 64 << 20;
  // The page says "stale" when the publisher has been silent, or the node out of sync, this long.
  int stale_after_ms = 3'000;
  // HOST:PORT serving the node's metrics at /metrics (core/metrics.h); "" serves none.
  std::string metrics_endpoint;
  // Stops the node when set, besides SIGINT/SIGTERM (lets tests run it in a thread).
  const std::atomic<bool>* stop = nullptr;
  // When given, set to the HTTP port once the node listens (tests run it with http.port 0).
  std::atomic<int>* bound_port = nullptr;
};

// Runs the web node until shutdown is requested. Fails only when it cannot start: a bad catalog,
// token file, assets folder or option, or an address it cannot listen on.
Status RunWeb(const WebOptions& options);

}  // namespace tonghop::web
