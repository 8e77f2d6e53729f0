// LiveFeed: the web node's copy of the province totals, shared between the loop thread that
// follows the publisher (the writer, through FeedFollower) and the HTTP thread (the readers:
// the API and the Server-Sent Events streams). docs/ARCHITECTURE.md, "The web node".
//
// It holds
//  - the table: the current version of every aggregate, each with its JSON encoded once;
//  - the replay log: every version stored since the last Reset, in the order the node stored
//    them, each as the text of its SSE event, whose id is the version's seq; bounded in bytes (the
//    oldest go). Versions come in seq order except after a loss upstream, when a catch-up brings
//    older seqs after newer ones: the log keeps the node's order, so that a client that reconnects
//    with Last-Event-ID N gets exactly the events that followed N, however ordered, when the log
//    still holds N; otherwise a snapshot of the table. A client keeps, per aggregate, the version
//    with the highest seq, as every Clone subscriber does (docs/PUBLISHER.md);
//  - the health of the feed (live, or stale and why), for the page's marker.
//
// Thread-safety: every method is safe from any thread. One mutex guards everything; writers
// encode before they take it, readers copy out shared, immutable strings, so neither holds it
// for long.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/clock.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::web {

// What the page's marker shows.
struct FeedHealth {
  enum class State { kStarting, kLive, kStale };
  State state = State::kStarting;
  // Why it is not live, for people: "the publisher at tcp://… has not been heard for 4 s".
  std::string reason;
  // A word for programs: "" when live, "starting", "publisher_unreachable", "resyncing".
  std::string reason_code = "starting";
  int64_t since_ms = 0;  // wall clock (NowMs) when this state began
};

const char* ToString(FeedHealth::State state);

class LiveFeed {
 public:
  // Where one SSE client stands: which base it is on and the next log entry it has not been sent.
  struct Cursor {
    uint64_t base = 0;              // 0: on no base yet (the next Read sends a snapshot)
    uint64_t next_index = 0;        // global index of the next replay-log entry to consider
    uint64_t health_version = 0;    // the last health it was sent
  };

  enum class ReadResult {
    kOk,      // `out` holds what there was to send (possibly nothing)
    kBehind,  // the log no longer holds what this client still needs: cut it off
  };

  // `replay_log_bytes`: the most the replay log holds (the text of its events); older entries go.
  // `catalog` (may be null, and must outlive the feed) names the units in the versions' Vietnamese
  // texts (VersionJson).
  LiveFeed(size_t replay_log_bytes, const Catalog* catalog);

  // --- The writer (one thread) ---

  // A new base: the table becomes exactly `table`, of stream `stream_id`, complete up to `seq`;
  // the replay log starts empty. Every client is sent a snapshot at its next Read.
  void Reset(uint64_t stream_id, uint64_t seq, const AggregateTable& table);
  // Adds to the table and the log, in their order, the `versions` newer than the table's version
  // of the same aggregate (the others are dropped: a client has them or newer). The table is then
  // complete up to `seq`.
  void Append(const std::vector<tonghop::v1::AggregateUpdate>& versions, uint64_t seq);
  void SetHealth(const FeedHealth& health);
  // Called after each Reset, Append and health change, outside the lock (the HTTP server wakes
  // its streams). Set before the writer starts.
  void set_on_change(std::function<void()> on_change) { on_change_ = std::move(on_change); }

  // --- The readers (any thread) ---

  // Places a new client: just after the event `last_event_id` (a version's seq, or a snapshot's
  // id) when the log still holds it on the current base (returns true), else nowhere, so that its
  // first Read sends a snapshot.
  bool Place(std::optional<uint64_t> last_event_id, Cursor* cursor) const;
  // Appends to `out` the SSE text due to a client at `cursor` whose filter is `filter` (a feed
  // topic prefix, core/topics.h): a snapshot event when it is on no base or an old one (its id
  // names the place in the log it shows the table at), then the log's versions it has not had
  // that the filter selects, at most about `max_bytes` of them (a snapshot is always whole), then
  // a status event if the health changed; and advances the cursor past what it appended.
  ReadResult Read(Cursor* cursor, std::string_view filter, size_t max_bytes, std::string* out) const;
  // Bytes appended to the log since the cursor's position: what this client has yet to take.
  uint64_t BytesBehind(const Cursor& cursor) const;
  // Whether a Read at `cursor` would find something: a snapshot due, log entries it has not
  // considered (whether its filter selects them or not), a new health.
  bool HasNews(const Cursor& cursor) const;
  // The current status event ("event: status"), for keep-alives.
  std::string StatusEvent() const;

  // The JSON the API serves, from the table: {"stream_id","seq","state",...,"aggregates":[…]},
  // the aggregates whose indicator is `indicator` (or starts with it, when it ends with '.'; ""
  // for all) and whose period is `period` ("" for all), in (indicator, period) order.
  std::string AggregatesJson(std::string_view indicator, std::string_view period) const;
  // One aggregate's JSON, or nullopt when the table has none.
  std::optional<std::string> AggregateJson(const std::string& indicator, const std::string& period) const;
  // The current versions of `period` (for the report).
  std::vector<tonghop::v1::AggregateUpdate> VersionsOf(const std::string& period) const;
  // {"state","reason","reason_code","since_ms","stream_id","seq","aggregates","replay_log":{…}}
  std::string StatusJson() const;

  FeedHealth health() const;
  uint64_t seq() const;
  uint64_t stream_id() const;

 private:
  struct Held {
    tonghop::v1::AggregateUpdate version;
    std::shared_ptr<const std::string> json;  // VersionJson of it
  };
  struct LogEntry {
    uint64_t seq;
    std::string indicator_topic;
    std::string period_topic;
    std::shared_ptr<const std::string> event;  // "id: …\nevent: version\ndata: …\n\n"
    uint64_t end_offset;  // bytes appended to the log up to and including this entry
  };

  // Under the lock.
  std::string StatusEventLocked() const;
  std::string SnapshotEventLocked(std::string_view filter) const;
  void Notify();

  const size_t replay_log_bytes_;
  const Catalog* const catalog_;
  std::function<void()> on_change_;
  mutable std::mutex mutex_;
  std::map<AggregateTable::Key, Held> table_;
  uint64_t stream_id_ = 0;
  uint64_t seq_ = 0;
  uint64_t base_ = 0;              // changes at every Reset; 0 before the first
  std::deque<LogEntry> log_;
  uint64_t log_first_index_ = 0;   // global index of log_.front()
  // Global index of each logged version by seq, and of the base itself by its id (the place just
  // before the first version appended on it), while the log still reaches back to it.
  std::unordered_map<uint64_t, uint64_t> index_of_id_;
  uint64_t base_id_ = 0;           // the snapshot id of the base: the largest seq of its table
  uint64_t base_index_ = 0;
  uint64_t last_id_ = 0;           // the id of the place a snapshot taken now shows: the last logged seq, or base_id_
  uint64_t log_bytes_ = 0;         // held now
  uint64_t log_total_bytes_ = 0;   // appended since the base
  FeedHealth health_;
  uint64_t health_version_ = 1;
};

// The JSON of one version as the API and the stream serve it: cli/aggregate_json.h's object, with
// its Vietnamese texts when `catalog` is not null, and "seq", "prev_seq" and "updated_at_ms" added.
std::string VersionJson(const tonghop::v1::AggregateUpdate& version, const Catalog* catalog);

}  // namespace tonghop::web
