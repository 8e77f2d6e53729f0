#include "core/feed_metrics.h"

namespace tonghop {

FeedMetrics::FeedMetrics(MetricsRegistry& r)
    : seq(GaugeOf(r, "tonghop_feed_seq",
                  "The seq the feed vouches for, as its heartbeats and snapshots carry it: the aggregator's last "
                  "seq; a publisher's verified seq")),
      published(CounterOf(r, "tonghop_feed_updates_published_total", "Aggregate versions published on the feed")),
      heartbeats(CounterOf(r, "tonghop_feed_heartbeats_total", "Heartbeats published: one every heartbeat interval, and one at each change of stream")),
      snapshots_served(CounterOf(r, "tonghop_feed_snapshots_served_total", "Snapshot requests answered in full")),
      snapshots_abandoned(CounterOf(r, "tonghop_feed_snapshots_abandoned_total",
                                    "Snapshot answers given up because the requester could not take them (gone, "
                                    "or not reading); it asks again")),
      bad_requests(CounterOf(r, "tonghop_feed_snapshot_requests_malformed_total",
                             "Snapshot requests that were not a SnapshotRequest, answered with an empty reply")),
      subscribers(GaugeOf(r, "tonghop_feed_subscribers", "Connections to the feed's PUB socket (subscribers)")),
      subscriptions_bound(BoundHits(r, "max_subscriptions_per_peer")),
      request_rate_bound(BoundHits(r, "snapshot_requests_per_second")),
      transfers_bound(BoundHits(r, "max_snapshot_transfers")),
      peers_cut_off(BoundHits(r, "peer_cut_off")) {}

}  // namespace tonghop
