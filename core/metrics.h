// The metrics of a node, for Prometheus (docs/OPERATIONS.md, "Metrics"; docs/SECURITY.md).
//
// Each node keeps its metrics in one MetricsRegistry (prometheus-cpp's Registry), which its parts
// fill through handles they take once, at construction: a prometheus::Counter&, Gauge& or
// Histogram&, so that an event costs an atomic add (a histogram: a short lock of its own) and no
// lookup. prometheus-cpp's metrics are thread-safe; a MetricsEndpoint serves the registry in
// Prometheus's text format over HTTP from threads of its own (civetweb, in prometheus-cpp's
// exposer), so a scrape never runs on the node's EventLoop and never waits for it. Gauges that
// mirror what a loop owns (an outbox's pending figures, a database's size) are set by that loop
// on a timer every kMetricsRefreshMs, never read from the endpoint's threads.
//
// Names follow Prometheus's conventions: the tonghop_ prefix, base units in the name (_seconds,
// _bytes), _total for counters. Label values come from fixed sets (reasons, flags) or from the
// catalog's units, never from what a peer sends, so no peer can make a series.
//
// Thread-safety: the registry, the handles and MetricsEndpoint may be used from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>

#include "core/status.h"
#include "tonghop/v1/tonghop.pb.h"

namespace prometheus {
class Exposer;
}

namespace tonghop {

using MetricsRegistry = prometheus::Registry;

// A registry with tonghop_build_info and tonghop_start_time_seconds, the metrics every node has.
std::shared_ptr<MetricsRegistry> NewMetricsRegistry(const std::string& node);

// How often a loop sets the gauges that mirror its state.
inline constexpr int64_t kMetricsRefreshMs = 1'000;

// The series `name`{labels} of `registry`, made on first use (later calls with the same name and
// help return the same family). The help is the HELP line Prometheus shows.
prometheus::Counter& CounterOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                               const prometheus::Labels& labels = {});
prometheus::Gauge& GaugeOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                           const prometheus::Labels& labels = {});
prometheus::Histogram& HistogramOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                                   const std::vector<double>& buckets, const prometheus::Labels& labels = {});

// tonghop_bound_hits_total{bound="<flag>"}: the times a bound of docs/SECURITY.md was hit, named
// by its flag without the dashes ("max_messages_per_burst").
prometheus::Counter& BoundHits(MetricsRegistry& registry, const std::string& flag);

// A RejectReason as a label value: its name in lower case without REJECT_REASON_ ("invalid_period").
std::string RejectReasonLabel(tonghop::v1::RejectReason reason);

// Counters of `name`{labels, reason="<RejectReasonLabel>"}, one for each RejectReason but
// UNSPECIFIED, made at once so that every series exists from the start. Index the result by the
// reason's number.
std::vector<prometheus::Counter*> CountersByRejectReason(MetricsRegistry& registry, const std::string& name,
                                                         const std::string& help, prometheus::Labels labels = {});

// Latency buckets from 100 µs to 10 s, in seconds.
std::vector<double> LatencyBuckets();

// What a scraper (anyone who reaches the endpoint) can hold of a node: docs/SECURITY.md.
struct MetricsEndpointLimits {
  // Requests served at once, each on a thread of its own; further connections wait in the queue.
  int threads = 2;
  // Accepted connections waiting for a thread; beyond them the kernel's backlog holds them.
  int connection_queue = 8;
  int listen_backlog = 16;
  // A request not received, or an answer not taken, within this long is dropped with its
  // connection, so that a client that stalls holds a thread no longer.
  int request_timeout_ms = 10'000;
  // The largest request head (request line and headers) read.
  int max_request_bytes = 8'192;
};

// Serves a registry at http://ADDRESS/metrics (and nothing else).
class MetricsEndpoint {
 public:
  // Binds `address`, "HOST:PORT" (127.0.0.1:9550, 0.0.0.0:9550, [::1]:9550; port 0 picks a free
  // one), and serves `registry` from there. Fails, naming the address and the flag, when it is
  // malformed or cannot be bound.
  static Status Start(const std::string& address, std::shared_ptr<MetricsRegistry> registry,
                      const MetricsEndpointLimits& limits, std::unique_ptr<MetricsEndpoint>* out);
  // Stops serving, within a few milliseconds.
  ~MetricsEndpoint();

  // http://HOST:PORT/metrics, with the port actually bound.
  const std::string& url() const { return url_; }

 private:
  MetricsEndpoint() = default;
  std::shared_ptr<MetricsRegistry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  std::string host_;
  int port_ = 0;
  std::string url_;
};

// Adds --metrics_endpoint to a daemon's flags; "" (the default) serves no metrics.
void AddMetricsFlag(CLI::App& app, std::string* endpoint, const std::string& example);

// Starts the endpoint when `address` is not empty and logs where it serves.
Status StartMetricsEndpoint(const std::string& address, std::shared_ptr<MetricsRegistry> registry,
                            std::unique_ptr<MetricsEndpoint>* out);

}  // namespace tonghop
