// tonghop-publisher: relays the aggregator's feed to subscribers (publisher/publisher.h).
#include <CLI/CLI.hpp>

#include "core/process.h"
#include "publisher/publisher.h"

int main(int argc, char** argv) {
  CLI::App app{"tonghop-publisher: relays the aggregator's province totals to subscribers (Clone pattern)"};
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  tonghop::PublisherOptions o;
  app.add_option("--upstream_publish_endpoint", o.upstream_publish_endpoint, "aggregator PUB to follow")->capture_default_str();
  app.add_option("--upstream_snapshot_endpoint", o.upstream_snapshot_endpoint, "aggregator snapshot ROUTER")->capture_default_str();
  app.add_option("--publish_endpoint", o.publish_endpoint, "PUB bind address for subscribers")->capture_default_str();
  app.add_option("--snapshot_endpoint", o.snapshot_endpoint, "snapshot ROUTER bind address for subscribers")->capture_default_str();
  app.add_option("--heartbeat_interval_ms", o.heartbeat_interval_ms, "heartbeat when idle this long")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--subscriber_hwm", o.subscriber_hwm, "messages queued per subscriber before dropping for it")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upstream_snapshot_timeout_ms", o.upstream_snapshot_timeout_ms, "re-request an upstream snapshot after this")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upstream_timeout_ms", o.upstream_timeout_ms, "reconnect after upstream silence this long")->capture_default_str()->check(CLI::PositiveNumber);
  return tonghop::RunMain(app, argc, argv, "publisher", common, [&] { return tonghop::RunPublisher(o); });
}
