// HistoryClients: N office clients, each in its own thread, asking the aggregator's query endpoint
// for province histories one after another (the next as soon as the last is answered), as
// `tonghop history` does: the load of docs/PERFORMANCE.md's "latency while 16 history queries
// run". Each request is a DEALER exchange with the envelope a REQ socket sends.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "core/status.h"
#include "tonghop/v1/query.pb.h"

namespace tonghop::bench {

struct HistoryStats {
  uint64_t answered = 0;
  uint64_t revisions = 0;  // province revisions in all the answers
  double seconds = 0;      // from Start() to Stop()
  double p50_ms = 0, p99_ms = 0;  // time to answer one query
};

class HistoryClients {
 public:
  // Clients ask for `requests` in turn, client c starting at request c.
  HistoryClients(zmq::context_t& context, std::string query_endpoint, std::vector<tonghop::v1::HistoryRequest> requests);
  ~HistoryClients();  // stops and joins

  void Start(int clients);
  // Stops the clients after their current query; an error (a reply with `error`, none within 60 s)
  // fails it.
  Status Stop(HistoryStats* out);

 private:
  void Serve(int client);

  zmq::context_t& context_;
  std::string query_endpoint_;
  std::vector<tonghop::v1::HistoryRequest> requests_;
  std::atomic<bool> stop_{false};
  int64_t start_ns_ = 0;
  int clients_ = 0;
  std::vector<std::thread> threads_;
  std::mutex mutex_;  // guards what follows
  std::vector<int64_t> durations_ns_;
  uint64_t revisions_ = 0;
  std::string error_;
};

}  // namespace tonghop::bench
