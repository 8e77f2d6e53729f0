#include "cli/watch.h"

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <optional>

#include <unistd.h>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq.hpp>

#include "cli/aggregate_json.h"
#include "cli/client_config.h"
#include "cli/terminal_screen.h"
#include "cli/watch_view.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/messages.h"
#include "core/period.h"
#include "core/process.h"
#include "core/topics.h"
#include "core/transport.h"

namespace tonghop::cli {
namespace {

constexpr char kDefaultCatalogDir[] = "deploy/lang-son";
constexpr int64_t kMinRedrawIntervalMs = 200;  // at most 5 redraws a second
constexpr int64_t kIdleRedrawIntervalMs = 1'000;  // keeps "n s ago" and the stream state current
constexpr int kPollIntervalMs = 200;  // the replica's timers run in Process(): call it this often

const char kClearScreen[] = "\x1b[H\x1b[2J";

// The catalog for indicator names, or nullptr: watching works without names, so a catalog that
// does not load is worth a warning, not a failure.
const Catalog* LoadNames(const std::string& requested_dir, Catalog* catalog) {
  std::string dir = requested_dir;
  if (dir.empty()) {
    std::error_code ignored;
    if (!std::filesystem::is_directory(kDefaultCatalogDir, ignored)) return nullptr;
    dir = kDefaultCatalogDir;
  }
  Status s = Catalog::LoadFromDirectory(dir, catalog);
  if (!s.ok()) {
    spdlog::warn("indicator names not shown: {}", s.message());
    return nullptr;
  }
  return catalog;
}

Status NoSnapshot(const WatchOptions& options, const Status& cause) {
  if (!cause.IsUnavailable()) return cause.WithContext("watching the publisher at " + options.snapshot_endpoint);
  // An authenticated publisher answers a key it does not admit with silence, like one that is down.
  return Status::Unavailable(fmt::format(
      "no answer from the publisher at {} within {:g} s: is it running? (deploy/local/province.sh status) {}",
      options.snapshot_endpoint, options.timeout_ms / 1000.0,
      options.security.curve_secret_key_file.empty()
          ? "A publisher with --subscriber_access authenticated answers only a registered subscriber key: give "
            "--curve_secret_key_file and --curve_server_public_key"
          : "Check that the public key of " + options.security.curve_secret_key_file +
                " is registered as role subscriber at the publisher, and that --curve_server_public_key is its key"));
}

TableLayout LayoutOf(const WatchOptions& options) {
  TableLayout layout;
  layout.show_derived = options.show_derived;
  layout.period = options.period;
  layout.language = ChooseLanguage(ResolveLanguageCode(options.lang));
  return layout;
}

Status WatchOnce(CloneReplica& replica, const WatchOptions& options, const Catalog* names) {
  Status s = replica.WaitUntilSynced(options.timeout_ms);
  if (!s.ok()) return NoSnapshot(options, s);
  if (options.json) {
    fmt::print("{}\n", AggregatesToJson(replica.table(), replica.verified_seq(), names));
  } else {
    const TableLayout layout = LayoutOf(options);
    fmt::print("{}{}\n", FormatAggregateTable(replica.table(), names, layout),
               Text(layout.language, Msg::kWatchCounts, replica.verified_seq(), replica.table().size()));
  }
  return Status::OK();
}

// How the figures reach this replica, worst hop first.
FeedState StateOf(const CloneReplica& replica) {
  if (replica.server_silent()) return FeedState::kPublisherUnreachable;
  if (replica.source_unreachable()) return FeedState::kAggregatorUnreachable;
  return replica.synced() ? FeedState::kLive : FeedState::kResyncing;
}

Status WatchLive(CloneReplica& replica, const WatchOptions& options, const std::string& filter,
                 const Catalog* names) {
  const std::string title = fmt::format("tonghop watch | publisher {} | {}{}", options.publish_endpoint,
                                        filter.empty() ? "all" : filter,
                                        options.period.empty() || filter.starts_with(kPeriodTopicFamily)
                                            ? ""
                                            : " | " + options.period);
  TableLayout layout = LayoutOf(options);
  // Nodes take SIGHUP as "reload"; for a viewer it means its terminal or session is gone, and
  // with it anything to show: end, as a terminal program does.
  std::signal(SIGHUP, SIG_DFL);
  std::optional<TerminalScreen> screen;
  if (isatty(STDOUT_FILENO)) {
    // Log lines would tear the screen; the status line says what they would.
    spdlog::set_level(spdlog::level::off);
    screen.emplace();
  }
  int64_t last_change_ms = 0;
  int64_t waiting_since_ms = NowMs();
  FeedState shown_state = FeedState::kResyncing;
  bool was_live = false;
  int64_t resyncing_since_mono = 0;
  bool dirty = true;
  int64_t last_draw_mono = 0;
  const auto on_change = [&](const tonghop::v1::AggregateUpdate& update) {
    dirty = true;
    last_change_ms = std::max(last_change_ms, update.updated_at_ms() > 0 ? update.updated_at_ms() : NowMs());
  };

  while (!ShutdownRequested()) {
    std::vector<zmq::pollitem_t> items = replica.PollItems();
    try {
      zmq::poll(items, std::chrono::milliseconds(kPollIntervalMs));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) throw;
      continue;  // a signal (a resize, Ctrl-C): the loop condition and the keys decide
    }
    replica.Process(on_change);
    if (screen && screen->HandleKeys(&dirty)) break;
    const FeedState actual = StateOf(replica);
    if (actual != FeedState::kResyncing) {
      resyncing_since_mono = 0;
    } else if (resyncing_since_mono == 0) {
      resyncing_since_mono = MonotonicMs();
    }
    was_live = was_live || actual == FeedState::kLive;
    const FeedState state = ShownFeedState(actual, was_live, resyncing_since_mono, MonotonicMs());
    if (state != shown_state) {
      if (shown_state == FeedState::kLive) {
        // A resync shows after its grace: it began then.
        const int64_t shown_late_ms = state == FeedState::kResyncing ? MonotonicMs() - resyncing_since_mono : 0;
        waiting_since_ms = NowMs() - shown_late_ms;
      }
      shown_state = state;
      dirty = true;
    }
    int64_t since_draw = MonotonicMs() - last_draw_mono;
    if ((dirty && since_draw >= kMinRedrawIntervalMs) || since_draw >= kIdleRedrawIntervalMs) {
      WatchStatus status;
      status.seq = replica.verified_seq();
      status.state = state;
      status.aggregates = replica.table().size();
      status.last_change_ms = last_change_ms;
      status.now_ms = NowMs();
      status.waiting_since_ms = waiting_since_ms;
      status.snapshot_endpoint = options.snapshot_endpoint;
      if (screen) {
        layout.width = screen->width();
        screen->Draw(title, LayOutAggregateTable(replica.table(), names, layout),
                     FormatStatusLine(status, layout.language, layout.width));
      } else {
        std::string text = fmt::format("{}{}\n\n{}\n{}\n", kClearScreen, title,
                                       FormatAggregateTable(replica.table(), names, layout),
                                       FormatStatusLine(status, layout.language));
        std::fwrite(text.data(), 1, text.size(), stdout);
        std::fflush(stdout);
      }
      last_draw_mono = MonotonicMs();
      dirty = false;
    }
  }
  return Status::OK();
}

}  // namespace

CLI::App* AddWatchCommand(CLI::App& app, WatchOptions* options) {
  CLI::App* command = app.add_subcommand(
      "watch",
      "Follow the province totals live from a publisher: a table redrawn as figures arrive,\n"
      "grouped by sector, with % of plan, change vs the same period last year and units reported\n"
      "(n/N* marks a partial total). On a terminal the view fits the window; keys:\n"
      "  Up/Down or k/j: one line   PgUp/PgDn or b/space: one page   Home/End or g/G: top/bottom\n"
      "  q or Ctrl-C: quit\n"
      "The status line at the bottom says how the figures reach you: live, resyncing, aggregator\n"
      "unreachable (the publisher is up but hears nothing from the aggregator) or publisher unreachable.\n"
      "With stdout not a terminal the whole table is printed again on each change.");
  command->add_option("--publish_endpoint", options->publish_endpoint, "The publisher's PUB socket")
      ->capture_default_str();
  command->add_option("--snapshot_endpoint", options->snapshot_endpoint, "The publisher's snapshot socket")
      ->capture_default_str();
  CLI::Option* filter = command->add_option(
      "--filter", options->filter, "Raw topic prefix: i/<indicator prefix> or p/<period>/");
  CLI::Option* period = command->add_option("--period", options->period, "Only this period (2017-Q1)");
  CLI::Option* indicator = command->add_option(
      "--indicator", options->indicator, "Only indicators whose id starts with this (agri. or agri.herd.pigs)");
  CLI::Option* sector = command->add_option("--sector", options->sector,
                                             "Only this sector's indicators (agri): the first part of their ids");
  filter->excludes(period, indicator, sector);
  sector->excludes(indicator);
  command->add_flag("--derived", options->show_derived,
                    "Also show the periods derived from shorter ones (a half-year or year built from quarters) "
                    "and the year-to-date column; hidden by default. A derived period named by --period is "
                    "always shown");
  CLI::Option* once = command->add_flag("--once", options->once, "Print one complete snapshot and exit");
  command->add_flag("--json", options->json,
                    "With --once: print one JSON object {\"seq\",\"aggregates\":[...]} instead of a table")
      ->needs(once);
  command->add_option("--timeout_ms", options->timeout_ms,
                      "With --once: fail when no complete snapshot arrives within this time")
      ->check(CLI::Range(1, 3'600'000))
      ->capture_default_str();
  AddClientSecurityFlags(*command, &options->security, "the publisher (its --subscriber_access is authenticated)",
                         false);
  command->add_option("--catalog_dir", options->catalog_dir,
                      "Catalog for the indicators' Vietnamese names and the units' names in warnings "
                      "(default: deploy/lang-son when it exists in the current folder)");
  command->footer(
      "Examples:\n"
      "  tonghop watch                                  # everything, live\n"
      "  tonghop watch --period 2017-Q1                 # one period\n"
      "  tonghop watch --sector agri --period 2017-Q1  # one sector, one period\n"
      "  tonghop watch --indicator agri.herd --derived  # with half-years, years and year to date\n"
      "  tonghop watch --once --json | jq '.aggregates[] | select(.units_reported < .units_expected)'\n"
      "  tonghop watch --publish_endpoint tcp://pub.example:5560 --snapshot_endpoint tcp://pub.example:5561");
  return command;
}

Status ResolveFilter(const WatchOptions& options, std::string* filter) {
  if (!options.period.empty()) {
    Period period;
    Status s = Period::Parse(options.period, &period);
    if (!s.ok()) return s.WithContext("--period");
  }
  if (!options.sector.empty()) {
    if (options.sector.find('.') != std::string::npos) {
      return Status::InvalidArgument(fmt::format(
          "--sector '{}': a sector is the first part of an indicator id, without '.' (agri); --indicator takes "
          "longer prefixes",
          options.sector));
    }
    *filter = fmt::format("{}{}.", kIndicatorTopicFamily, options.sector);
    return Status::OK();
  }
  if (!options.indicator.empty()) {
    *filter = fmt::format("{}{}", kIndicatorTopicFamily, options.indicator);
    return Status::OK();
  }
  if (!options.period.empty()) {
    *filter = fmt::format("{}{}/", kPeriodTopicFamily, options.period);
    return Status::OK();
  }
  std::string problem = ValidateFilter(options.filter);
  if (!problem.empty()) {
    return Status::InvalidArgument(fmt::format("--filter '{}': {}", options.filter, problem));
  }
  *filter = options.filter;
  return Status::OK();
}

Status RunWatch(const WatchOptions& options) {
  std::string filter;
  TONGHOP_RETURN_IF_ERROR(ResolveFilter(options, &filter));
  Catalog catalog;
  // JSON carries ids only: no names to look up.
  const Catalog* names = options.json ? nullptr : LoadNames(options.catalog_dir, &catalog);
  try {
    zmq::context_t context(1);
    CloneReplicaOptions replica_options;
    replica_options.publish_endpoint = options.publish_endpoint;
    replica_options.snapshot_endpoint = options.snapshot_endpoint;
    replica_options.filter = filter;
    TONGHOP_RETURN_IF_ERROR(LoadClientKeys(options.security, false, &replica_options.link.curve));
    CloneReplica replica(context, replica_options);
    TONGHOP_RETURN_IF_ERROR(replica.Start());
    if (options.once) return WatchOnce(replica, options, names);
    return WatchLive(replica, options, filter, names);
  } catch (const zmq::error_t& e) {
    // Ctrl-C: a clean exit for the live view; for --once the snapshot it asked for never came.
    if (e.num() == EINTR && !options.once) return Status::OK();
    return Status::Unavailable(fmt::format("watching the publisher at {} failed: {}", options.publish_endpoint,
                                           e.what()));
  }
}

}  // namespace tonghop::cli
