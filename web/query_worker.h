// QueryWorker: the web node's client of the aggregator's query link, for what the feed does not
// carry: each unit's figure, the history of revisions, who has reported (docs/PROTOCOL.md, "Query
// link"). It calls the CLI's one client of that link (cli/aggregator_client.h) on a thread of its
// own, one request at a time, so that the HTTP thread never waits for the aggregator. Of a pair
// of aggregators it asks first the one that answered last.
//
// Thread-safety: Submit from any thread. The callbacks run on the worker's thread, one at a time,
// never after the destructor has begun; they must not call Submit.
#pragma once

#include <functional>
#include <memory>

#include "cli/aggregator_client.h"
#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::web {

class QueryWorker {
 public:
  using Done = std::function<void(const Status&, const tonghop::v1::QueryReply&)>;

  // At most `max_waiting` requests wait for the worker (a bound, docs/SECURITY.md).
  QueryWorker(cli::AggregatorLink link, size_t max_waiting);
  // Returns at once: what waits is dropped, and a query in flight is abandoned (its thread ends
  // by itself when the aggregator answers or the timeout passes); no callback runs afterwards.
  ~QueryWorker();
  QueryWorker(const QueryWorker&) = delete;
  QueryWorker& operator=(const QueryWorker&) = delete;

  // Queues `request`; `done` runs on the worker's thread with CallAggregator's Status and reply.
  // False, and `done` is never called, when max_waiting requests are waiting already.
  bool Submit(tonghop::v1::QueryRequest request, Done done);

 private:
  struct State;
  std::shared_ptr<State> state_;  // shared with the thread, which may outlive this object
};

}  // namespace tonghop::web
