// tonghop-publisher: relays the aggregator's feed to subscribers (publisher/publisher.h).
#include <CLI/CLI.hpp>

#include "core/link_security.h"
#include "core/peer_bounds.h"
#include "core/metrics.h"
#include "core/process.h"
#include "publisher/publisher.h"

int main(int argc, char** argv) {
  CLI::App app{"tonghop-publisher: relays the aggregator's province totals to subscribers (Clone pattern)"};
  tonghop::CommonFlags common;
  tonghop::AddCommonFlags(app, &common);
  tonghop::PublisherOptions o;
  app.add_option("--upstream_publish_endpoint", o.upstream_publish_endpoints,
                 "aggregator PUB to follow; twice (or a,b) for a pair: the first is followed, the next whenever the one "
                 "followed is silent for --upstream_timeout_ms")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--upstream_snapshot_endpoint", o.upstream_snapshot_endpoints,
                 "aggregator snapshot ROUTER; one for each --upstream_publish_endpoint, in the same order")
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--publish_endpoint", o.publish_endpoint, "PUB bind address for subscribers")->capture_default_str();
  app.add_option("--snapshot_endpoint", o.snapshot_endpoint, "snapshot ROUTER bind address for subscribers")->capture_default_str();
  app.add_option("--heartbeat_interval_ms", o.heartbeat_interval_ms, "heartbeat to subscribers this often, however busy the feed")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--subscriber_hwm", o.subscriber_hwm, "messages queued per subscriber before dropping for it")->capture_default_str()->check(CLI::PositiveNumber);
  tonghop::AddPeerBoundsFlags(app, &o.subscriber_bounds, "subscriber");
  app.add_option("--upstream_snapshot_timeout_ms", o.upstream_snapshot_timeout_ms, "re-request an upstream snapshot after this")->capture_default_str()->check(CLI::PositiveNumber);
  app.add_option("--upstream_timeout_ms", o.upstream_timeout_ms, "reconnect (or, with a pair, follow the other aggregator) after upstream silence this long")->capture_default_str()->check(CLI::PositiveNumber);
  tonghop::AddMetricsFlag(app, &o.metrics_endpoint, "127.0.0.1:9560");
  tonghop::LinkSecurityFlags security;
  tonghop::AddClientSecurityFlags(app, &security, "the aggregator", true);
  std::string subscriber_access = "public";
  app.add_option("--subscriber_access", subscriber_access,
                 "public: subscribers connect in plain text, anyone may read the totals; authenticated: CURVE "
                 "with this node's key pair, only keys of role subscriber in --key_registry_file")
      ->check(CLI::IsMember({"public", "authenticated"}))->capture_default_str();
  app.add_option("--key_registry_file", security.key_registry_file,
                 "with --subscriber_access authenticated: the subscribers' keys (docs/SECURITY.md); reloaded on SIGHUP");
  return tonghop::RunMain(app, argc, argv, "publisher", common, [&] {
    TONGHOP_RETURN_IF_ERROR(tonghop::LoadClientKeys(security, true, &o.upstream_curve));
    if (subscriber_access == "authenticated") {
      if (!o.upstream_curve.enabled() || security.key_registry_file.empty()) {
        return tonghop::Status::InvalidArgument(
            "--subscriber_access authenticated needs this node's --curve_secret_key_file and a --key_registry_file "
            "of subscriber keys (docs/SECURITY.md)");
      }
      o.subscriber_curve = o.upstream_curve;
      o.subscriber_curve.server = true;
      o.subscriber_curve.server_key.clear();
      o.subscriber_key_registry_file = security.key_registry_file;
    } else if (!security.key_registry_file.empty()) {
      return tonghop::Status::InvalidArgument("--key_registry_file is for --subscriber_access authenticated only");
    }
    return tonghop::RunPublisher(o);
  });
}
