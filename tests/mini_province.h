// MiniProvince: a whole province of real tonghop processes on loopback, for system tests (after
// Apache Kudu's mini-cluster). It starts the aggregator, the publisher and collectors from
// build/bin with their data in a temp dir, waits for each one's "ready:" log line, and can kill
// (SIGKILL), pause (SIGSTOP), resume and restart any of them. Each node's log is kept in
// <root>/logs/<node>.log; on failure tests print its tail.
#pragma once

#include <map>
#include <string>
#include <sys/types.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace tonghop::testing {

class MiniProvince {
 public:
  // `root` holds every node's data and logs; `catalog_dir` is passed to the aggregator.
  MiniProvince(std::string root, std::string catalog_dir);
  ~MiniProvince();  // SIGKILLs whatever is still running

  Status StartAggregator(const std::vector<std::string>& extra_flags = {});
  Status StartPublisher();
  Status StartCollector(const std::string& unit);

  // Node names: "aggregator", "publisher", "collector-<unit>".
  Status Kill(const std::string& node);       // SIGKILL, reaped
  Status Terminate(const std::string& node);  // SIGTERM, waits for a clean exit (code 0)
  Status Pause(const std::string& node);      // SIGSTOP
  Status Resume(const std::string& node);     // SIGCONT
  Status Restart(const std::string& node);    // start again with the same flags
  bool IsRunning(const std::string& node);

  std::string DropDir(const std::string& unit) const;
  std::string AggregatorDataDir() const { return root_ + "/aggregator"; }
  std::string PublisherPublishEndpoint() const;
  std::string PublisherSnapshotEndpoint() const;

  // Copies `file` into the unit's drop folder the way a person should: under a dot-name, then
  // renamed into place.
  Status Drop(const std::string& unit, const std::string& file) const;

  // Runs `tonghop watch --once --json` against the publisher and parses what it prints.
  Status WatchOnce(nlohmann::json* out) const;
  // Runs `tonghop ARGS...`; returns its exit code, what it printed on stdout, and on stderr.
  int RunCli(const std::vector<std::string>& args, std::string* out, std::string* err) const;

  std::string LogTail(const std::string& node, size_t lines = 20) const;

 private:
  struct Node {
    std::vector<std::string> argv;
    pid_t pid = -1;
  };
  Status Launch(const std::string& name, std::vector<std::string> argv);
  Status Spawn(const std::string& name, Node* node);
  Status WaitReady(const std::string& name, const Node& node, size_t log_offset);
  std::string LogPath(const std::string& name) const { return root_ + "/logs/" + name + ".log"; }

  std::string root_;
  std::string catalog_dir_;
  int ingest_port_, feed_port_, feed_snapshot_port_, publish_port_, snapshot_port_;
  std::map<std::string, Node> nodes_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int FreeTcpPort();

}  // namespace tonghop::testing
