#include "collector/collector.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <filesystem>
#include <malloc.h>
#include <memory>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "collector/collector_catalog.h"
#include "collector/collector_metrics.h"
#include "collector/drop_folder.h"
#include "collector/local_api.h"
#include "collector/outbox.h"
#include "collector/rejection_file.h"
#include "collector/relay.h"
#include "collector/sender.h"
#include "core/clock.h"
#include "core/event_loop.h"
#include "core/link_security.h"
#include "core/metrics.h"
#include "core/process.h"
#include "core/transport.h"
#include "core/messages.h"
#include "core/wire_text.h"

namespace tonghop {
namespace {

constexpr int kRetentionPruneIntervalMs = 10'000;

Status CheckOptions(const CollectorOptions& o) {
  if (o.reporting_unit.empty()) {
    return Status::InvalidArgument(
        "--reporting_unit is required: the code of the unit this collector reports for, as in "
        "units.csv of the catalog (e.g. --reporting_unit cao-loc)");
  }
  // Both travel in every batch, where the aggregator refuses what is not UTF-8 or too long.
  const std::string node_id = o.node_id.empty() ? "collector-" + o.reporting_unit : o.node_id;
  for (auto [flag, value] : {std::pair{"reporting_unit", &o.reporting_unit}, std::pair{"node_id", &node_id}}) {
    if (Status s = CheckId(*value); !s.ok()) return Status::InvalidArgument(fmt::format("--{} {}", flag, s.message()));
  }
  auto positive = [](const char* flag, int value) {
    return value > 0 ? Status::OK()
                     : Status::InvalidArgument(fmt::format("--{} must be above 0 (got {})", flag, value));
  };
  TONGHOP_RETURN_IF_ERROR(positive("max_in_flight", o.max_in_flight));
  TONGHOP_RETURN_IF_ERROR(positive("scan_interval_ms", o.scan_interval_ms));
  TONGHOP_RETURN_IF_ERROR(positive("ack_timeout_ms", o.ack_timeout_ms));
  TONGHOP_RETURN_IF_ERROR(positive("heartbeat_interval_ms", o.heartbeat_interval_ms));
  if (o.catalog_wait_ms < 0) {
    return Status::InvalidArgument(fmt::format("--catalog_wait_ms must be 0 or more (got {})", o.catalog_wait_ms));
  }
  TONGHOP_RETURN_IF_ERROR(positive("max_drop_file_rows", o.max_drop_file_rows));
  if (o.max_drop_file_bytes <= 0) {
    return Status::InvalidArgument(fmt::format("--max_drop_file_bytes must be above 0 (got {})", o.max_drop_file_bytes));
  }
  Language language;
  if (Status s = ParseLanguage(o.lang, &language); !s.ok()) return s.WithContext("--lang");
  TONGHOP_RETURN_IF_ERROR(CheckAggregatorEndpoints(o.aggregator_endpoints, "--aggregator_endpoint"));
  if (o.retention_hours < 0 || o.retention_max_bytes < 0) {
    return Status::InvalidArgument(fmt::format("--retention_hours ({}) and --retention_max_bytes ({}) must be 0 or "
                                               "more (0 keeps nothing once the aggregator has it)",
                                               o.retention_hours, o.retention_max_bytes));
  }
  if (o.relay_publish_endpoint.empty() != o.relay_snapshot_endpoint.empty()) {
    return Status::InvalidArgument(
        "--relay_publish_endpoint and --relay_snapshot_endpoint go together: the publisher of the level below's PUB "
        "and snapshot ROUTER (e.g. tcp://lang-son:5560 and tcp://lang-son:5561)");
  }
  return Status::OK();
}

// Drops from the outbox what the aggregator settled longer ago than the retention window, or
// beyond its size, a bounded number of records a turn, between the loop's other work.
void PruneRetention(const CollectorOptions& options, Outbox* outbox) {
  constexpr size_t kMaxPrunedPerTurn = 100'000;
  const int64_t settled_before_ms = NowMs() - int64_t{options.retention_hours} * 3'600'000;
  size_t pruned = 0;
  Status s = outbox->PruneRetained(settled_before_ms, static_cast<uint64_t>(options.retention_max_bytes),
                                   kMaxPrunedPerTurn, &pruned);
  if (!s.ok()) {
    spdlog::warn("cannot drop figures past the retention window from the outbox (tried again later): {}", s.message());
  } else if (pruned > 0) {
    spdlog::debug("dropped {} settled figures past the retention window; {} retained ({} bytes) from seq {}", pruned,
                  outbox->retained_count(), outbox->retained_bytes(), outbox->retained_from_seq());
  }
}

Status MakeDataDir(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec || !std::filesystem::is_directory(dir)) {
    return Status::IOError(fmt::format("cannot create --data_dir {}: {}; choose a writable folder", dir,
                                       ec ? ec.message() : "not a directory"));
  }
  return Status::OK();
}

}  // namespace

Status RunCollector(const CollectorOptions& options) {
  TONGHOP_RETURN_IF_ERROR(CheckOptions(options));
  const std::string node_id = options.node_id.empty() ? "collector-" + options.reporting_unit : options.node_id;
  const std::string drop_dir = options.drop_dir.empty() ? options.data_dir + "/drop" : options.drop_dir;
  const std::string submit_endpoint =
      options.submit_endpoint.empty() ? "ipc://" + options.data_dir + "/submit.sock" : options.submit_endpoint;

  TONGHOP_RETURN_IF_ERROR(MakeDataDir(options.data_dir));
  std::unique_ptr<Outbox> outbox;
  TONGHOP_RETURN_IF_ERROR(Outbox::Open(options.data_dir + "/outbox", &outbox, options.aggregator_endpoints.size()));
  CollectorCatalog catalog(options.reporting_unit, outbox.get());
  catalog.Restore();
  DropFolderOptions drop_options;
  drop_options.dir = drop_dir;
  drop_options.reporting_unit = options.reporting_unit;
  drop_options.min_age_ms = options.drop_min_age_ms;
  (void)ParseLanguage(options.lang, &drop_options.language);  // checked above
  drop_options.xlsx_sheet = options.drop_xlsx_sheet;
  drop_options.max_file_bytes = static_cast<size_t>(options.max_drop_file_bytes);
  drop_options.max_rows = static_cast<size_t>(options.max_drop_file_rows);
  drop_options.catalog = &catalog;
  DropFolder drop_folder(drop_options, outbox.get());
  TONGHOP_RETURN_IF_ERROR(drop_folder.Init());
  RejectionFile rejections(drop_dir + "/" + DropFolder::kRejectionFileName, drop_options.language);

  auto registry = NewMetricsRegistry("collector");
  std::unique_ptr<MetricsEndpoint> metrics_endpoint;
  zmq::context_t context(1);
  if (!options.curve.enabled()) WarnPlaintext("the link to the aggregator");
  // One Sender per aggregator, each moving its own position in the outbox.
  std::vector<std::unique_ptr<Sender>> senders;
  std::vector<std::unique_ptr<CollectorMetrics>> link_metrics;
  for (size_t i = 0; i < options.aggregator_endpoints.size(); ++i) {
    SenderOptions sender_options;
    sender_options.aggregator_endpoint = options.aggregator_endpoints[i];
    sender_options.aggregator_index = i;
    sender_options.node_id = node_id;
    sender_options.reporting_unit = options.reporting_unit;
    sender_options.max_in_flight = options.max_in_flight;
    sender_options.ack_timeout_ms = options.ack_timeout_ms;
    sender_options.heartbeat_interval_ms = options.heartbeat_interval_ms;
    sender_options.link.curve = options.curve;
    sender_options.catalog = &catalog;
    sender_options.metrics = registry;
    senders.push_back(std::make_unique<Sender>(context, sender_options, outbox.get(), &rejections));
    link_metrics.push_back(
        std::make_unique<CollectorMetrics>(*registry, options.reporting_unit, options.aggregator_endpoints[i]));
  }
  LocalApiOptions api_options{submit_endpoint, options.reporting_unit, drop_options.language, {}};
  api_options.catalog = &catalog;
  std::vector<const Sender*> api_senders;
  for (const auto& sender : senders) api_senders.push_back(sender.get());
  LocalApi local_api(context, api_options, outbox.get(), api_senders);
  TONGHOP_RETURN_IF_ERROR(local_api.Start());
  for (auto& sender : senders) TONGHOP_RETURN_IF_ERROR(sender->Start());
  CollectorMetrics& metrics = *link_metrics.front();  // the outbox's own gauges are the same series in each
  std::unique_ptr<Relay> relay;
  if (!options.relay_publish_endpoint.empty()) {
    RelayOptions relay_options;
    relay_options.reporting_unit = options.reporting_unit;
    relay_options.replica.publish_endpoint = options.relay_publish_endpoint;
    relay_options.replica.snapshot_endpoint = options.relay_snapshot_endpoint;
    relay_options.replica.link.curve = options.relay_curve;
    relay_options.memory_dir = options.data_dir + "/relay";
    if (!options.relay_curve.enabled()) WarnPlaintext("the relay's link to the publisher below");
    relay = std::make_unique<Relay>(context, relay_options, outbox.get(), &catalog);
    TONGHOP_RETURN_IF_ERROR(relay->Start());
  }
  auto refresh_metrics = [&] {
    metrics.pending.Set(static_cast<double>(outbox->pending_count()));
    const int64_t pending_since = outbox->PendingSinceMs();
    metrics.oldest_pending_age_seconds.Set(pending_since == 0 ? 0 : static_cast<double>(NowMs() - pending_since) / 1e3);
    metrics.rejected.Set(static_cast<double>(outbox->rejected_count()));
    metrics.unreadable.Set(static_cast<double>(outbox->unreadable_count()));
    for (size_t i = 0; i < senders.size(); ++i) {
      const Sender& sender = *senders[i];
      CollectorMetrics& link = *link_metrics[i];
      link.pending_for_aggregator.Set(static_cast<double>(outbox->pending_count(i)));
      link.aggregator_reachable.Set(sender.aggregator_reachable() ? 1 : 0);
      link.aggregator_cannot_store.Set(sender.aggregator_storage_error().empty() ? 0 : 1);
      link.last_ack_timestamp_seconds.Set(static_cast<double>(sender.last_ack_at_ms()) / 1e3);
    }
  };
  refresh_metrics();
  TONGHOP_RETURN_IF_ERROR(StartMetricsEndpoint(options.metrics_endpoint, registry, &metrics_endpoint));

  // Ready once figures can be taken: with a catalog that has this unit, or with none at all after
  // catalog_wait_ms. A catalog without this unit stops the collector with the reason: one kept from
  // an earlier run only once catalog_wait_ms passed without the aggregator sending another.
  const int64_t started_ms = MonotonicMs();
  const uint64_t restored_version = catalog.version();
  bool ready = false;
  Status unit_missing;
  EventLoop loop(options.stop);
  auto follow_readiness = [&] {
    const bool waited = MonotonicMs() - started_ms >= options.catalog_wait_ms;
    if (catalog.has_catalog() && !catalog.knows_unit()) {
      if (catalog.version() == restored_version && !waited) return;
      unit_missing = Status::InvalidArgument(fmt::format(
          "reporting unit '{}' is not in the aggregator's catalog ({}): check --reporting_unit against its units.csv, "
          "or add the unit there and restart the aggregator", options.reporting_unit, catalog.Describe()));
      ready = false;
      loop.Stop();
      return;
    }
    if (ready || (!catalog.has_catalog() && !waited)) return;
    ready = true;
    LogReady(fmt::format("collector {} outbox={:016x} pending={} retained={} aggregator={} drop_dir={} submit={} {}",
                         options.reporting_unit, outbox->id(), outbox->pending_count(), outbox->retained_count(),
                         fmt::join(options.aggregator_endpoints, ","),
                         drop_dir, submit_endpoint,
                         catalog.has_catalog() ? catalog.Describe()
                                               : "no catalog yet (the aggregator has not answered; it judges the figures)"));
  };

  auto scan = [&] {
    if (!ready) return;  // files wait in the folder until they can be judged
    // A file's figures are parsed and stored in one batch; glibc keeps the freed heap, which
    // left a collector at 20.8 MB resident after a 10,000-figure file instead of 17.5 MB.
    const DropFolder::ScanResult scanned = drop_folder.Scan();
    metrics.drop_files_taken.Increment(scanned.ingested);
    metrics.drop_files_failed.Increment(scanned.failed);
    if (scanned.ingested > 0) malloc_trim(0);
  };
  follow_readiness();
  scan();
  loop.AddSocket([&] { return local_api.PollItem(); }, [&](short) { local_api.Process(); });
  // The sender reads its socket in Process(), run every turn below; its readiness only wakes the loop.
  for (auto& sender : senders) loop.AddSocket([&sender] { return sender->PollItem(); }, [](short) {});
  if (relay) {
    // The relay reads its sockets in Process(), run every turn below; their readiness only wakes the loop.
    for (size_t i = 0; i < relay->PollItems().size(); ++i) {
      loop.AddSocket([&relay, i] { return relay->PollItems()[i]; }, [](short) {});
    }
  }
  loop.AddTimer(options.scan_interval_ms, scan);
  loop.AddTimer(kRetentionPruneIntervalMs, [&] { PruneRetention(options, outbox.get()); });
  loop.AddTimer(kMetricsRefreshMs, refresh_metrics);
  // After the handlers, so that figures just submitted or dropped leave at once.
  auto millis_until_due = [&] {
    int due = senders.front()->MillisUntilDue();
    for (const auto& sender : senders) due = std::min(due, sender->MillisUntilDue());
    return due;
  };
  loop.AddTask(millis_until_due, [&] {
    // A relay's totals go into the outbox first, so that they leave in this same turn.
    if (relay) relay->Process(ready);
    for (auto& sender : senders) sender->Process();
    const bool was_ready = ready;
    follow_readiness();
    if (ready && !was_ready) scan();
  });
  TONGHOP_RETURN_IF_ERROR(loop.Run());
  TONGHOP_RETURN_IF_ERROR(unit_missing);
  spdlog::info("collector {} stopping; {} updates pending in the outbox", options.reporting_unit,
               outbox->pending_count());
  return Status::OK();
}

}  // namespace tonghop
