#include "core/metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include <fmt/format.h>
#include <prometheus/exposer.h>
#include <spdlog/spdlog.h>

#include "core/process.h"

namespace tonghop {
namespace {

// HOST:PORT with a numeric host: civetweb binds no host names.
const std::regex kAddress(R"(^(\d{1,3}(?:\.\d{1,3}){3}|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$)");

// Opens and closes a TCP connection to `host`:`port`, a numeric IPv4 or bracketed IPv6 address
// (the any-address is reached through loopback).
void Knock(std::string host, int port) {
  const bool v6 = host.front() == '[';
  if (v6) host = host.substr(1, host.size() - 2);
  if (host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::") host = "::1";
  sockaddr_storage peer{};
  socklen_t length = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&peer);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET6, host.c_str(), &a->sin6_addr) != 1) return;
    length = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&peer);
    a->sin_family = AF_INET;
    a->sin_port = htons(static_cast<uint16_t>(port));
    if (inet_pton(AF_INET, host.c_str(), &a->sin_addr) != 1) return;
    length = sizeof *a;
  }
  const int fd = socket(peer.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return;
  (void)connect(fd, reinterpret_cast<const sockaddr*>(&peer), length);
  close(fd);
}

}  // namespace

std::shared_ptr<MetricsRegistry> NewMetricsRegistry(const std::string& node) {
  auto registry = std::make_shared<MetricsRegistry>();
  GaugeOf(*registry, "tonghop_build_info", "The node and the version of tonghop it runs; always 1",
          {{"node", node}, {"version", Version()}})
      .Set(1);
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  GaugeOf(*registry, "tonghop_start_time_seconds", "When the node started, in seconds since the epoch")
      .Set(std::chrono::duration<double>(now).count());
  return registry;
}

prometheus::Counter& CounterOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                               const prometheus::Labels& labels) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add(labels);
}

prometheus::Gauge& GaugeOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                           const prometheus::Labels& labels) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add(labels);
}

prometheus::Histogram& HistogramOf(MetricsRegistry& registry, const std::string& name, const std::string& help,
                                   const std::vector<double>& buckets, const prometheus::Labels& labels) {
  return prometheus::BuildHistogram().Name(name).Help(help).Register(registry).Add(labels, buckets);
}

prometheus::Counter& BoundHits(MetricsRegistry& registry, const std::string& flag) {
  return CounterOf(registry, "tonghop_bound_hits_total",
                   "Times a bound on what a peer controls was hit (docs/SECURITY.md), by the flag that sets it",
                   {{"bound", flag}});
}

std::string RejectReasonLabel(tonghop::v1::RejectReason reason) {
  std::string label = tonghop::v1::RejectReason_Name(reason);
  constexpr std::string_view kPrefix = "REJECT_REASON_";
  if (label.starts_with(kPrefix)) label = label.substr(kPrefix.size());
  for (char& c : label) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return label;
}

std::vector<prometheus::Counter*> CountersByRejectReason(MetricsRegistry& registry, const std::string& name,
                                                         const std::string& help, prometheus::Labels labels) {
  const google::protobuf::EnumDescriptor* reasons = tonghop::v1::RejectReason_descriptor();
  std::vector<prometheus::Counter*> counters;
  for (int i = 0; i < reasons->value_count(); ++i) {
    const google::protobuf::EnumValueDescriptor* reason = reasons->value(i);
    if (reason->number() == tonghop::v1::REJECT_REASON_UNSPECIFIED) continue;
    labels["reason"] = RejectReasonLabel(static_cast<tonghop::v1::RejectReason>(reason->number()));
    if (counters.size() <= static_cast<size_t>(reason->number())) counters.resize(reason->number() + 1, nullptr);
    counters[reason->number()] = &CounterOf(registry, name, help, labels);
  }
  return counters;
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

Status MetricsEndpoint::Start(const std::string& address, std::shared_ptr<MetricsRegistry> registry,
                              const MetricsEndpointLimits& limits, std::unique_ptr<MetricsEndpoint>* out) {
  std::smatch parts;
  if (!std::regex_match(address, parts, kAddress) || std::stoi(parts[2].str()) > 65535) {
    return Status::InvalidArgument(fmt::format(
        "--metrics_endpoint '{}' is not HOST:PORT with a numeric host, e.g. 127.0.0.1:9550 (loopback only) or "
        "the address of the operators' network", address));
  }
  std::unique_ptr<MetricsEndpoint> endpoint(new MetricsEndpoint());
  endpoint->registry_ = std::move(registry);
  try {
    // No document_root: civetweb serves files only from one, so nothing but /metrics is served.
    endpoint->exposer_ = std::make_unique<prometheus::Exposer>(std::vector<std::string>{
        "listening_ports", address,
        "num_threads", std::to_string(limits.threads),
        "connection_queue", std::to_string(limits.connection_queue),
        "listen_backlog", std::to_string(limits.listen_backlog),
        "request_timeout_ms", std::to_string(limits.request_timeout_ms),
        "max_request_size", std::to_string(limits.max_request_bytes),
        "enable_keep_alive", "no"});
  } catch (const std::exception& e) {
    return Status::IOError(fmt::format("cannot serve metrics on --metrics_endpoint {}: {}; is the port taken by "
                                       "another node? choose another", address, e.what()));
  }
  endpoint->exposer_->RegisterCollectable(endpoint->registry_);
  const std::vector<int> ports = endpoint->exposer_->GetListeningPorts();
  const std::string host = parts[1].str();
  endpoint->host_ = host;
  endpoint->port_ = ports.empty() ? std::stoi(parts[2].str()) : ports[0];
  endpoint->url_ = fmt::format("http://{}:{}/metrics", host, endpoint->port_);
  *out = std::move(endpoint);
  return Status::OK();
}

MetricsEndpoint::~MetricsEndpoint() {
  if (!exposer_) return;
  // civetweb's listening thread polls in 2-second quanta and notices a stop only between them, so
  // a node would take up to 2 s more to exit: connections of our own wake it.
  std::atomic<bool> stopped{false};
  std::thread waker([&] {
    while (!stopped.load()) {
      Knock(host_, port_);
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  exposer_.reset();
  stopped = true;
  waker.join();
}

void AddMetricsFlag(CLI::App& app, std::string* endpoint, const std::string& example) {
  app.add_option("--metrics_endpoint", *endpoint,
                 fmt::format("HOST:PORT to serve Prometheus metrics on, at /metrics (e.g. {}); empty serves none. "
                             "Metrics name units and show their activity: bind loopback or the operators' network "
                             "only", example))
      ->capture_default_str();
}

Status StartMetricsEndpoint(const std::string& address, std::shared_ptr<MetricsRegistry> registry,
                            std::unique_ptr<MetricsEndpoint>* out) {
  if (address.empty()) return Status::OK();
  TONGHOP_RETURN_IF_ERROR(MetricsEndpoint::Start(address, std::move(registry), MetricsEndpointLimits(), out));
  spdlog::info("metrics: serving {}", (*out)->url());
  return Status::OK();
}

}  // namespace tonghop
