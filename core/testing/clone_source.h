// Test helpers for the Clone pattern (core/clone_test.cc, publisher/publisher_test.cc): a source
// of aggregate versions with a real CloneServer on loopback, a pump that drives servers and
// replicas from the test's thread, and an exact comparison of tables. Not for production code.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <zmq.hpp>

#include "core/aggregate_table.h"
#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/clone_server.h"
#include "core/topics.h"
#include "core/transport.h"

namespace tonghop::testing {

// What the aggregator does to the feed, without the aggregator: stores versions with strictly
// increasing seqs and correct prev_seqs, and publishes them (or, to simulate loss, not).
class CloneSource {
 public:
  CloneSource(zmq::context_t& context, uint64_t stream_id, int heartbeat_interval_ms = 50,
              int send_hwm = 100'000)
      : context_(context), stream_id_(stream_id), heartbeat_interval_ms_(heartbeat_interval_ms),
        send_hwm_(send_hwm) {}

  // Binds tcp://127.0.0.1:* (or the endpoints of a previous Start, to come back after Stop).
  Status Start() {
    CloneServerOptions options;
    options.publish_endpoint = publish_endpoint_.empty() ? "tcp://127.0.0.1:*" : publish_endpoint_;
    options.snapshot_endpoint = snapshot_endpoint_.empty() ? "tcp://127.0.0.1:*" : snapshot_endpoint_;
    options.heartbeat_interval_ms = heartbeat_interval_ms_;
    options.link.send_hwm = send_hwm_;
    options.bounds = bounds_;
    server_ = std::make_unique<CloneServer>(context_, options, &table_);
    server_->set_stream_id(stream_id_);
    TONGHOP_RETURN_IF_ERROR(server_->Start());
    publish_endpoint_ = server_->bound_publish_endpoint();
    snapshot_endpoint_ = server_->bound_snapshot_endpoint();
    return Status::OK();
  }
  void Stop() { server_.reset(); }
  // What a peer may cost the server, from the next Start().
  void set_bounds(const PeerBounds& bounds) { bounds_ = bounds; }

  // Stores the next version of (indicator, period) and publishes it unless `publish` is false.
  tonghop::v1::AggregateUpdate Put(const std::string& indicator, const std::string& period, double value,
                                   bool publish = true) {
    tonghop::v1::AggregateUpdate update = NextVersion(indicator, period);
    update.set_value(value);
    update.set_unit(unit_);
    update.set_units_reported(1);
    update.set_units_expected(11);
    update.set_updated_at_ms(1'490'000'000'000 + static_cast<int64_t>(last_seq_));
    table_.Apply(update);
    if (publish && server_) server_->Publish(update);
    return update;
  }

  // Stores and publishes (unless `publish` is false) the deletion of (indicator, period).
  tonghop::v1::AggregateUpdate Delete(const std::string& indicator, const std::string& period, bool publish = true) {
    tonghop::v1::AggregateUpdate deletion = NextVersion(indicator, period);
    deletion.set_deleted(true);
    table_.Apply(deletion);
    if (publish && server_) server_->Publish(deletion);
    return deletion;
  }

  // A new database: empty, a new stream_id, seqs from 1 again.
  void Reset(uint64_t stream_id) {
    table_.Clear();
    last_seq_ = 0;
    stream_id_ = stream_id;
    if (server_) server_->set_stream_id(stream_id);
  }

  // Makes every update this large on the wire, to fill socket buffers quickly.
  void set_unit(std::string unit) { unit_ = std::move(unit); }

  void Pump() {
    if (!server_) return;
    server_->ReadSubscriptions();
    server_->ServeSnapshots();
    server_->Tick();
  }
  std::vector<zmq::pollitem_t> PollItems() {
    if (!server_) return {};
    return {{server_->snapshot_socket().handle(), 0, ZMQ_POLLIN, 0},
            {server_->publish_socket().handle(), 0, ZMQ_POLLIN, 0}};
  }

  const AggregateTable& table() const { return table_; }
  uint64_t stream_id() const { return stream_id_; }
  const std::string& publish_endpoint() const { return publish_endpoint_; }
  const std::string& snapshot_endpoint() const { return snapshot_endpoint_; }

 private:
  // The next version of (indicator, period): the next seq, chained to the version held.
  tonghop::v1::AggregateUpdate NextVersion(const std::string& indicator, const std::string& period) {
    tonghop::v1::AggregateUpdate update;
    update.set_seq(++last_seq_);
    update.set_prev_seq(table_.SeqOf(indicator, period));
    update.set_indicator(indicator);
    update.set_period(period);
    return update;
  }

  zmq::context_t& context_;
  uint64_t stream_id_;
  int heartbeat_interval_ms_;
  int send_hwm_;
  PeerBounds bounds_;
  AggregateTable table_;
  std::unique_ptr<CloneServer> server_;
  uint64_t last_seq_ = 0;
  std::string unit_ = "ha";
  std::string publish_endpoint_;
  std::string snapshot_endpoint_;
};

// Replica options for a test: short timeouts so that recovery paths run within the test's time.
inline CloneReplicaOptions TestReplicaOptions(const std::string& publish_endpoint,
                                              const std::string& snapshot_endpoint,
                                              const std::string& filter = "") {
  CloneReplicaOptions options;
  options.publish_endpoint = publish_endpoint;
  options.snapshot_endpoint = snapshot_endpoint;
  options.filter = filter;
  options.snapshot_timeout_ms = 1'000;
  options.server_timeout_ms = 1'000;
  return options;
}

// A feed that never pauses, for a pump's `done` to drive: each Tick() puts the next version of
// one aggregate once `interval_ms` has passed since the last put (or since construction).
class SteadyFeed {
 public:
  SteadyFeed(CloneSource* source, std::string indicator, std::string period, int interval_ms = 5)
      : source_(source), indicator_(std::move(indicator)), period_(std::move(period)), interval_ms_(interval_ms) {}

  // How long the feed paused before the version this call put; -1 when it was not yet time.
  int64_t Tick() {
    const int64_t now = MonotonicMs();
    const int64_t pause_ms = now - last_put_ms_;
    if (pause_ms < interval_ms_) return -1;
    source_->Put(indicator_, period_, next_value_++);
    last_put_ms_ = now;
    return pause_ms;
  }

 private:
  CloneSource* source_;
  std::string indicator_;
  std::string period_;
  int interval_ms_;
  int next_value_ = 0;
  int64_t last_put_ms_ = MonotonicMs();
};

// What TableDiff compares of each entry.
enum class TableFields {
  kEvery,
  // All but seq, prev_seq and updated_at_ms: what two aggregators of a pair holding the same
  // figures agree on (each numbers its own stream), and what a subscriber that followed either
  // must hold.
  kValues,
};

// "" when `actual` holds exactly the entries of `expected` that `filter` selects, each identical
// in the `fields` compared; otherwise the first difference.
inline std::string TableDiff(const AggregateTable& expected, const AggregateTable& actual,
                             const std::string& filter = "", TableFields fields = TableFields::kEvery) {
  auto compared = [fields](tonghop::v1::AggregateUpdate update) {
    if (fields == TableFields::kValues) {
      update.clear_seq();
      update.clear_prev_seq();
      update.clear_updated_at_ms();
    }
    return update.SerializeAsString();
  };
  size_t matching = 0;
  for (const auto& [key, update] : expected.entries()) {
    if (!FilterMatches(filter, update)) continue;
    ++matching;
    const auto* held = actual.Find(key.first, key.second);
    if (held == nullptr) return fmt::format("{}/{} (seq {}) missing", key.first, key.second, update.seq());
    if (compared(*held) != compared(update)) {
      return fmt::format("{}/{}: seq {} held (value {}), seq {} expected (value {})", key.first, key.second,
                         held->seq(), held->value_decimal(), update.seq(), update.value_decimal());
    }
  }
  if (actual.size() != matching) {
    return fmt::format("{} entries held, {} expected", actual.size(), matching);
  }
  return "";
}

// Drives `sources` and `replicas` from the calling thread until `done` holds (true) or
// `timeout_ms` passes (false).
inline bool PumpUntil(const std::vector<CloneSource*>& sources, const std::vector<CloneReplica*>& replicas,
                      const std::function<bool()>& done, int timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (!done()) {
    if (MonotonicMs() >= deadline) return false;
    std::vector<zmq::pollitem_t> items;
    for (CloneSource* source : sources) {
      for (const auto& item : source->PollItems()) items.push_back(item);
    }
    for (CloneReplica* replica : replicas) {
      for (const auto& item : replica->PollItems()) items.push_back(item);
    }
    zmq::poll(items, std::chrono::milliseconds(10));
    for (CloneSource* source : sources) source->Pump();
    for (CloneReplica* replica : replicas) replica->Process({});
  }
  return true;
}

}  // namespace tonghop::testing
