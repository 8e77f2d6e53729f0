// tonghop-web: the province office's live dashboard and an HTTP API, fed by a publisher (web/web.h).
#include <CLI/CLI.hpp>

#include "core/link_security.h"
#include "core/metrics.h"
#include "core/process.h"
#include "web/web.h"

int main(int argc, char** argv) {
  CLI::App app{"tonghop-web: the province totals live in a browser (dashboard) and over HTTP (JSON, Server-Sent "
               "Events), following a publisher; docs/openapi.yaml describes the API"};
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  tonghop::web::WebOptions o;
  auto& h = o.http;
  app.add_option("--catalog_dir", o.catalog_dir, "the province's catalog, as the aggregator's (names, sectors, units)")->required();
  app.add_option("--http_bind_address", h.bind_address, "IP address to listen on; beyond loopback it needs --access_tokens_file or --allow_anonymous_read")->capture_default_str();
  app.add_option("--http_port", h.port, "TCP port to listen on (0: any free one, printed on the ready line)")->capture_default_str()->check(CLI::Range(0, 65535));
  app.add_option("--access_tokens_file", o.access_tokens_file, "CSV name,token[,comment] of who may read (mode 0600; docs/SECURITY.md); reloaded on SIGHUP. None: anyone who reaches the port");
  app.add_flag("--allow_anonymous_read", o.allow_anonymous_read, "listen beyond loopback without access tokens: anyone who reaches the port reads the totals");
  app.add_option("--upstream_publish_endpoint", o.upstream_publish_endpoint, "the publisher's PUB socket")->capture_default_str();
  app.add_option("--upstream_snapshot_endpoint", o.upstream_snapshot_endpoint, "the publisher's snapshot socket")->capture_default_str();
  app.add_option("--upstream_snapshot_timeout_ms", o.upstream_snapshot_timeout_ms, "ask the publisher again for a snapshot not complete after this")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upstream_timeout_ms", o.upstream_timeout_ms, "reconnect to the publisher after silence this long")->capture_default_str()->check(CLI::PositiveNumber);
  std::string upstream_server_key;
  app.add_option("--upstream_curve_server_public_key", upstream_server_key, "a publisher with --subscriber_access authenticated: its public key (40 Z85 characters or its .pub file); this node then connects with --curve_secret_key_file, which must be registered there as a subscriber");
  app.add_option("--aggregator_query_endpoint", o.aggregator.endpoints, "the aggregator's --query_endpoint, for each unit's figure, revisions and completeness; for a pair, both (A,B or the flag twice): each question is answered by whichever answers, the one that answered last first (default: tcp://127.0.0.1:5553)")->delimiter(',');
  app.add_option("--query_timeout_ms", o.aggregator.timeout_ms, "how long to wait for the aggregator's answer")->capture_default_str()->check(CLI::Range(1, 600000));
  app.add_option("--max_waiting_queries", o.max_waiting_queries, "questions for the aggregator waiting at once; more get 503")->capture_default_str()->check(CLI::Range(1, 10000));
  tonghop::AddClientSecurityFlags(app, &o.aggregator.security, "the aggregator (its query endpoint admits keys of role office or viewer; give this node a viewer key)", true);
  app.add_option("--max_connections", h.max_connections, "open HTTP connections, streams included; more are refused with 503")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--max_streams", h.max_streams, "open event streams (GET /api/v1/stream); more get 503")->capture_default_str()->check(CLI::Range(1, 100000));
  app.add_option("--max_request_header_bytes", h.max_request_header_bytes, "request line and headers; larger get 431")->capture_default_str()->check(CLI::Range(512, 1 << 20));
  app.add_option("--max_url_bytes", h.max_url_bytes, "request URL; longer get 414")->capture_default_str()->check(CLI::Range(64, 1 << 20));
  app.add_option("--request_timeout_ms", h.request_timeout_ms, "time to send a whole request, and to stay idle between two, before the connection is closed")->capture_default_str()->check(CLI::Range(100, 3600000));
  app.add_option("--max_stream_queued_bytes", h.max_stream_queued_bytes, "feed bytes an event stream may fall behind before it is cut off")->capture_default_str()->check(CLI::Range(size_t{64} << 10, size_t{1} << 34));
  app.add_option("--stream_write_timeout_ms", h.stream_write_timeout_ms, "an event stream whose write has not completed in this time is cut off")->capture_default_str()->check(CLI::Range(100, 3600000));
  app.add_option("--stream_keepalive_ms", h.stream_keepalive_ms, "a status event on a stream silent this long")->capture_default_str()->check(CLI::Range(100, 3600000));
  app.add_option("--stream_flush_interval_ms", h.stream_flush_interval_ms, "streams take what is new at most this often: fewer, larger writes for at most this much more latency")->capture_default_str()->check(CLI::Range(0, 1000));
  app.add_option("--replay_log_bytes", o.replay_log_bytes, "events kept for streams that reconnect with Last-Event-ID (at least --max_stream_queued_bytes)")->capture_default_str()->check(CLI::Range(size_t{64} << 10, size_t{1} << 36));
  app.add_option("--stale_after_ms", o.stale_after_ms, "the page says stale when the publisher has been silent, or this node out of sync, this long")->capture_default_str()->check(CLI::Range(100, 3600000));
  app.add_option("--assets_dir", o.assets_dir, "serve the dashboard from this folder (web/assets) instead of the copy in the binary");
  app.add_option("--chart_js_file", o.chart_js_file, "chart.js (Debian's libjs-chart.js); without it the page shows tables only")->capture_default_str();
  tonghop::AddMetricsFlag(app, &o.metrics_endpoint, "127.0.0.1:9565");
  return tonghop::RunMain(app, argc, argv, "web", common, [&] {
    // Checked now, not at the first question: a node that cannot query says so when it starts.
    tonghop::CurveSocketKeys query_keys;
    TONGHOP_RETURN_IF_ERROR(tonghop::LoadClientKeys(o.aggregator.security, true, &query_keys).WithContext("the aggregator's query link"));
    if (!query_keys.enabled()) tonghop::WarnPlaintext("the questions to the aggregator's query endpoint");
    if (!upstream_server_key.empty()) {
      tonghop::LinkSecurityFlags upstream;
      upstream.curve_secret_key_file = o.aggregator.security.curve_secret_key_file;
      upstream.curve_server_public_key = upstream_server_key;
      TONGHOP_RETURN_IF_ERROR(tonghop::LoadClientKeys(upstream, true, &o.upstream_curve).WithContext("--upstream_curve_server_public_key"));
    }
    return tonghop::web::RunWeb(o);
  });
}
