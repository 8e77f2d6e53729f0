#include "publisher/publisher.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <exception>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "core/clone_replica.h"
#include "core/clone_server.h"
#include "core/event_loop.h"
#include "core/key_registry.h"
#include "core/link_security.h"
#include "core/metrics.h"
#include "core/process.h"
#include "core/zap_handler.h"

namespace tonghop {
namespace {

// The publisher's own metrics; its feed's are the CloneServer's (core/feed_metrics.h).
struct PublisherMetrics {
  explicit PublisherMetrics(MetricsRegistry& r)
      : synced(GaugeOf(r, "tonghop_publisher_upstream_synced",
                       "1 while the copy of the aggregator's table is complete (a snapshot taken, no catch-up due)")),
        resyncs(CounterOf(r, "tonghop_publisher_upstream_resyncs_total",
                          "Snapshots taken from the aggregator after the first: catch-ups after a gap, and starts "
                          "over after a new stream or a silence")),
        switches(CounterOf(r, "tonghop_publisher_upstream_switches_total",
                           "Moves to the next aggregator of --upstream_publish_endpoint after the one followed was "
                           "silent for --upstream_timeout_ms")),
        upstream(GaugeOf(r, "tonghop_publisher_upstream_index",
                         "Position (from 0) in --upstream_publish_endpoint of the aggregator followed")),
        aggregates(GaugeOf(r, "tonghop_publisher_aggregates", "Province aggregates held")) {}
  prometheus::Gauge& synced;
  prometheus::Counter& resyncs;
  prometheus::Counter& switches;
  prometheus::Gauge& upstream;
  prometheus::Gauge& aggregates;
};

Status Run(const PublisherOptions& options) {
  auto registry = NewMetricsRegistry("publisher");
  PublisherMetrics metrics(*registry);
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  zmq::context_t context;

  CloneReplicaOptions upstream;
  upstream.publish_endpoint = options.upstream_publish_endpoints[0];
  upstream.snapshot_endpoint = options.upstream_snapshot_endpoints[0];
  for (size_t i = 1; i < options.upstream_publish_endpoints.size(); ++i) {
    upstream.other_servers.push_back({options.upstream_publish_endpoints[i], options.upstream_snapshot_endpoints[i]});
  }
  upstream.filter = "";
  upstream.snapshot_timeout_ms = options.upstream_snapshot_timeout_ms;
  upstream.server_timeout_ms = options.upstream_timeout_ms;
  upstream.link.curve = options.upstream_curve;
  if (!options.upstream_curve.enabled()) WarnPlaintext("the links to the aggregator");
  CloneReplica replica(context, upstream);

  // Subscribers with keys only: the ZAP handler must be up before the sockets bind.
  ZapHandler zap(context);
  auto load_registry = [&](std::shared_ptr<const KeyRegistry>* out) {
    auto registry = std::make_shared<KeyRegistry>();
    TONGHOP_RETURN_IF_ERROR(KeyRegistry::LoadFromFile(options.subscriber_key_registry_file, registry.get()));
    *out = std::move(registry);
    return Status::OK();
  };
  if (options.subscriber_curve.enabled()) {
    std::shared_ptr<const KeyRegistry> registry;
    TONGHOP_RETURN_IF_ERROR(load_registry(&registry));
    TONGHOP_RETURN_IF_ERROR(zap.Start(registry));
    spdlog::info("subscribers: CURVE, {} subscriber keys in {}", registry->Count(KeyRegistry::kSubscriber),
                 options.subscriber_key_registry_file);
  } else {
    spdlog::info("subscribers: public (plain text; anyone who reaches {} may read the totals)",
                 options.publish_endpoint);
  }

  CloneServerOptions downstream;
  downstream.publish_endpoint = options.publish_endpoint;
  downstream.snapshot_endpoint = options.snapshot_endpoint;
  downstream.heartbeat_interval_ms = options.heartbeat_interval_ms;
  downstream.link.send_hwm = options.subscriber_hwm;
  downstream.bounds = options.subscriber_bounds;
  downstream.link = downstream.link.WithCurve(options.subscriber_curve, KeyRegistry::kSubscriber);
  downstream.metrics = registry;
  CloneServer server(context, downstream, &replica.table());
  // While the replica fills a hole, its table holds versions above it: subscribers must not
  // believe themselves complete beyond what this relay has verified.
  server.set_complete_seq_source([&replica] { return replica.verified_seq(); });

  TONGHOP_RETURN_IF_ERROR(server.Start());
  TONGHOP_RETURN_IF_ERROR(replica.Start().WithContext("upstream feed"));
  TONGHOP_RETURN_IF_ERROR(StartMetricsEndpoint(options.metrics_endpoint, registry, &metrics_endpoint));
  LogReady(fmt::format("publisher publish={} snapshot={} upstream={} upstream_snapshot={}",
               server.bound_publish_endpoint(), server.bound_snapshot_endpoint(),
               fmt::join(options.upstream_publish_endpoints, ","), fmt::join(options.upstream_snapshot_endpoints, ",")));

  // Info for the first sync and the first after each change of stream; catch-ups are routine.
  bool announce_sync = true;
  // Subscribers get the upstream stream only while the table holds the whole of it; while it
  // refills from a full snapshot (the first, or after the other aggregator of a pair took over),
  // stream 0, which no subscriber takes for a whole state (core/clone_replica.h).
  auto follow_stream = [&] {
    const uint64_t relayed = replica.has_whole_stream() ? replica.stream_id() : 0;
    if (server.stream_id() == relayed) return;
    if (relayed == 0) {
      spdlog::info("refilling the table from a full snapshot of upstream {} (stream {:016x}); subscribers get "
                   "stream 0 until it is whole", replica.server().snapshot_endpoint, replica.stream_id());
    } else {
      spdlog::info("upstream stream is now {:016x}; relaying it to subscribers", relayed);
    }
    server.set_stream_id(relayed);
    announce_sync = true;
  };
  auto relay = [&](const tonghop::v1::AggregateUpdate& update) {
    follow_stream();
    server.Publish(update);
  };

  EventLoop loop(options.stop);
  if (options.subscriber_curve.enabled()) {
    loop.OnReload([&] {
      std::shared_ptr<const KeyRegistry> registry;
      if (Status s = load_registry(&registry); !s.ok()) {
        spdlog::error("SIGHUP: the key registry was not reloaded, the previous one stays in force: {}", s.message());
      } else {
        zap.SetRegistry(registry);
        spdlog::info("SIGHUP: key registry reloaded: {} subscriber keys", registry->Count(KeyRegistry::kSubscriber));
      }
    });
  }
  // The replica reads its sockets in Process(), run every turn below; their readiness only wakes the loop.
  for (size_t i = 0; i < replica.PollItems().size(); ++i) {
    loop.AddSocket([&replica, i] { return replica.PollItems()[i]; }, [](short) {});
  }
  loop.AddReader(server.publish_socket(), [&] { server.ReadSubscriptions(); });
  loop.AddReader(server.snapshot_socket(), [&] { server.ServeSnapshots(); });
  loop.AddTask([&] { return server.MillisUntilDue(); }, [&] {
    replica.Process(relay);
    follow_stream();
    server.set_upstream_unreachable(replica.server_silent());
    server.Tick();
    if (announce_sync && replica.synced()) {
      spdlog::info("synced with upstream {}: {} aggregates, verified up to seq {}, stream {:016x}",
                   replica.server().snapshot_endpoint, replica.table().size(), replica.verified_seq(),
                   replica.stream_id());
      announce_sync = false;
    }
  });
  uint64_t resyncs_counted = 0;
  uint64_t switches_counted = 0;
  loop.AddTimer(kMetricsRefreshMs, [&] {
    metrics.synced.Set(replica.synced() ? 1 : 0);
    metrics.resyncs.Increment(static_cast<double>(replica.resyncs() - resyncs_counted));
    resyncs_counted = replica.resyncs();
    metrics.aggregates.Set(static_cast<double>(replica.table().size()));
    metrics.switches.Increment(static_cast<double>(replica.switches() - switches_counted));
    switches_counted = replica.switches();
    metrics.upstream.Set(static_cast<double>(replica.server_index()));
  });
  TONGHOP_RETURN_IF_ERROR(loop.Run());
  spdlog::info("publisher stopping: {} aggregates up to seq {}, {} upstream resyncs", replica.table().size(),
               replica.table().max_seq(), replica.resyncs());
  return Status::OK();
}

}  // namespace

Status RunPublisher(const PublisherOptions& options) {
  if (options.upstream_publish_endpoints.empty() ||
      options.upstream_publish_endpoints.size() != options.upstream_snapshot_endpoints.size()) {
    return Status::InvalidArgument(fmt::format(
        "--upstream_publish_endpoint names {} aggregators and --upstream_snapshot_endpoint {}: give each aggregator's "
        "publish and snapshot endpoint, in the same order",
        options.upstream_publish_endpoints.size(), options.upstream_snapshot_endpoints.size()));
  }
  try {
    return Run(options);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("publisher: ZeroMQ error: {}", e.what()));
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("publisher: {}", e.what()));
  }
}

}  // namespace tonghop
