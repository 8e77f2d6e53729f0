// MiniProvince: a whole province of real tonghop processes on loopback, for system tests (after
// Apache Kudu's mini-cluster). It starts the aggregator, the publisher and collectors from
// build/bin with their data in a temp dir, waits for each one's "ready:" log line, and can kill
// (SIGKILL), pause (SIGSTOP), resume and restart any of them. Each node's log is kept in
// <root>/logs/<node>.log; on failure tests print its tail.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tonghop::testing {

// Where a collector runs and what it connects to, for network fault tests. At namespace scope and
// with every member initialized, so that `{.extra_flags = ...}` names only what it sets: GCC 12
// warns of the fields a designated initializer leaves out unless they have an initializer, and
// rejects one in a class nested in MiniProvince, whose StartCollector defaults to `{}`.
struct CollectorPlacement {
  std::string aggregator_endpoint = "";          // "" means the aggregator's loopback ingest endpoint
  std::vector<std::string> command_prefix = {};  // e.g. `ip netns exec NS`: runs the collector through it
  std::vector<std::string> extra_flags = {};     // appended to the collector's command line
};

class MiniProvince {
 public:
  using CollectorPlacement = testing::CollectorPlacement;

  // `root` holds every node's data and logs; `catalog_dir` is passed to the aggregator.
  MiniProvince(std::string root, std::string catalog_dir);
  // SIGKILLs whatever is still running. A node also dies with the test process when that is
  // killed and this never runs (PR_SET_PDEATHSIG): start nodes from the test's main thread only,
  // as the signal follows the thread that started the node.
  ~MiniProvince();

  // The address the aggregator's ingest ROUTER binds (127.0.0.1 by default; 0.0.0.0 to reach
  // collectors in other network namespaces). Takes effect at the next StartAggregator().
  void set_ingest_bind_address(std::string address) { ingest_bind_address_ = std::move(address); }
  int ingest_port() const { return ingest_port_; }

  // Nodes run with --plaintext_for_development unless this is turned off, for tests that give
  // every node its CURVE key flags in extra_flags (tests/hostile_input_test.cc). Takes effect at
  // the next start.
  void set_plaintext_for_development(bool on) { plaintext_ = on; }

  // The flags `tonghop watch` runs with in WatchOnce and WaitForWatch: for a publisher with
  // --subscriber_access authenticated, a registered subscriber's key (--curve_secret_key_file,
  // --curve_server_public_key). None by default.
  void set_watch_key_flags(std::vector<std::string> flags) { watch_key_flags_ = std::move(flags); }

  // Every node started from now on serves its metrics (--metrics_endpoint) on a port of its own,
  // kept across restarts.
  void set_metrics(bool on) { metrics_ = on; }
  // "127.0.0.1:PORT" of the node's metrics endpoint, given one once it was started with metrics.
  std::string MetricsAddress(const std::string& node) const;

  // Runs another program as a node of the province (a real Prometheus): started like the others,
  // ready once its log shows `ready_text`, killed with the province.
  Status StartProgram(const std::string& name, std::vector<std::string> argv, std::string ready_text);

  Status StartAggregator(const std::vector<std::string>& extra_flags = {});
  Status StartPublisher(const std::vector<std::string>& extra_flags = {});
  Status StartCollector(const std::string& unit, const CollectorPlacement& placement = {});
  // The web node (tonghop-web), following the publisher and asking the aggregator's query
  // endpoint, its HTTP port on 127.0.0.1 (web_port()).
  Status StartWeb(const std::vector<std::string>& extra_flags = {});
  int web_port() const { return web_port_; }
  // "http://127.0.0.1:<web_port>"
  std::string WebUrl() const;

  // Node names: "aggregator", "publisher", "web", "collector-<unit>".
  Status Kill(const std::string& node);       // SIGKILL, reaped
  Status Terminate(const std::string& node);  // SIGTERM, waits for a clean exit (code 0)
  Status Pause(const std::string& node);      // SIGSTOP
  Status Resume(const std::string& node);     // SIGCONT
  Status Reload(const std::string& node);     // SIGHUP (the aggregator re-reads its key registry)
  Status Restart(const std::string& node);    // start again with the same flags
  bool IsRunning(const std::string& node);
  // SIGTERMs every node started, collectors first, then the web node, the publisher, the aggregator, and
  // waits for each to exit cleanly (as Terminate). Goes on after a failure; returns the first one
  // (a node that is not running counts as one, as for Terminate).
  Status TerminateAll();
  // The node's process id, -1 when it is not running (for /proc readings: tonghop-bench).
  pid_t Pid(const std::string& node) const;
  // How long a start waits for the node's "ready:" line (30 s by default; a restart over ten
  // million stored figures may need more). Takes effect at the next start.
  void set_ready_timeout_ms(int ms) { ready_timeout_ms_ = ms; }

  std::string DropDir(const std::string& unit) const;
  // The collector's local API, for `tonghop submit` and `tonghop collector-status`.
  std::string CollectorApiEndpoint(const std::string& unit) const;
  // The aggregator's ingest endpoint on loopback: what a collector (or `tonghop import`) connects to.
  std::string IngestEndpoint() const;
  std::string AggregatorDataDir() const { return root_ + "/aggregator"; }
  std::string CollectorDataDir(const std::string& unit) const { return root_ + "/collectors/" + unit; }
  // The aggregator's own feed (what the publisher follows): its state, for comparisons.
  std::string AggregatorPublishEndpoint() const;
  std::string AggregatorSnapshotEndpoint() const;
  std::string PublisherPublishEndpoint() const;
  std::string PublisherSnapshotEndpoint() const;
  // The aggregator's query ROUTER, for `tonghop status|history|query|export|report --aggregator`.
  std::string QueryEndpoint() const;

  // Copies `file` into the unit's drop folder the way a person should: under a dot-name, then
  // renamed into place.
  Status Drop(const std::string& unit, const std::string& file) const;
  // The same for a file of `text` named `name`, written in place (see DropTextInto).
  Status DropText(const std::string& unit, const std::string& name, const std::string& text) const;

  // Runs `tonghop watch --once --json` against the publisher and parses what it prints.
  Status WatchOnce(nlohmann::json* out) const;
  // The same against the aggregator's own feed: what the publisher relays, without its lag.
  Status WatchAggregatorOnce(nlohmann::json* out) const;
  // Polls WatchOnce until `done` holds for the state it printed (OK), or timeout_ms passes
  // (Unavailable, saying what the last poll saw). `*last`, when given, gets the last state printed.
  Status WaitForWatch(const std::function<bool(const nlohmann::json&)>& done, int timeout_ms,
                      nlohmann::json* last = nullptr) const;
  // Runs `tonghop collector-status` against the unit's collector: its lines as name -> value
  // ("pending" -> "12"); empty when the collector does not answer.
  std::map<std::string, std::string> CollectorStatus(const std::string& unit) const;
  // Runs `tonghop ARGS...`; returns its exit code, what it printed on stdout, and on stderr. A
  // command of the query link (status, query, history, export, report) given no --timeout_ms waits
  // up to 60 s for its answer, not 5: a busy test machine delays the aggregator's query thread.
  int RunCli(const std::vector<std::string>& args, std::string* out, std::string* err) const;

  std::string LogTail(const std::string& node, size_t lines = 20) const;

 private:
  struct Node {
    std::vector<std::string> argv;
    pid_t pid = -1;
    std::string ready_text = "ready:";
  };
  Status Launch(const std::string& name, std::vector<std::string> argv);
  Status WatchFeedOnce(const std::string& publish_endpoint, const std::string& snapshot_endpoint,
                       const std::vector<std::string>& key_flags, nlohmann::json* out) const;
  Status Spawn(const std::string& name, Node* node);
  Status WaitReady(const std::string& name, const Node& node, size_t log_offset);
  // Sends `sig` to the node; NotFound when it is not running.
  Status Signal(const std::string& node, int sig) const;
  std::string LogPath(const std::string& name) const { return root_ + "/logs/" + name + ".log"; }

  std::string root_;
  std::string catalog_dir_;
  std::string ingest_bind_address_ = "127.0.0.1";
  bool plaintext_ = true;
  bool metrics_ = false;
  std::vector<std::string> watch_key_flags_;
  std::map<std::string, int> metrics_ports_;
  int ready_timeout_ms_ = 30'000;
  int ingest_port_, feed_port_, feed_snapshot_port_, publish_port_, snapshot_port_, query_port_, web_port_;
  std::map<std::string, Node> nodes_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int FreeTcpPort();

// Writes `text` into `drop_dir` as `name` the way a person should: under a dot-name, then renamed
// into place (for a collector started with a --drop_dir of its own; MiniProvince::DropText
// otherwise).
Status DropTextInto(const std::string& drop_dir, const std::string& name, const std::string& text);

// The aggregate of (indicator, period) in a state `tonghop watch --json` printed, or nullptr.
const nlohmann::json* FindAggregate(const nlohmann::json& state, std::string_view indicator,
                                    std::string_view period);

// `value` rounded to as many decimals as `printed` has: the precision a report printed it with.
double RoundAsPrinted(double value, const std::string& printed);

}  // namespace tonghop::testing
