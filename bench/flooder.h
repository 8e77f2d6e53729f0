// Flooder: a peer that sends the aggregator ingest heartbeats as fast as its socket takes them and
// never reads the answers (issue 10, finding 2: before the loop stopped waiting on replies, one
// such key stalled ingest for every unit). tonghop-bench measures the other collectors' throughput
// and round trips while it runs, beside the same run without it.
//
// Thread-compatible: Start() and Stop() from one thread; it floods from a thread of its own.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "core/transport.h"

namespace tonghop::bench {

class Flooder {
 public:
  // `curve`: the key it floods with (plain text when disabled).
  Flooder(zmq::context_t& context, std::string ingest_endpoint, CurveSocketKeys curve = {});
  ~Flooder();  // stops

  void Start();
  void Stop();
  uint64_t sent() const { return sent_.load(); }

 private:
  void Flood();

  zmq::context_t& context_;
  std::string endpoint_;
  CurveSocketKeys curve_;
  std::atomic<bool> running_{false};
  std::atomic<uint64_t> sent_{0};
  std::thread thread_;
};

}  // namespace tonghop::bench
