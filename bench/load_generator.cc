#include "bench/load_generator.h"

#include <algorithm>
#include <chrono>
#include <deque>

#include <fmt/format.h>

#include "core/transport.h"

namespace tonghop::bench {
namespace {

// A run fails when nothing at all is acked for this long: on loopback that is a lost update.
constexpr int64_t kSilenceLimitNs = 10'000'000'000;

}  // namespace

int64_t SteadyNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct LoadGenerator::Collector {
  int unit = 0;
  zmq::socket_t socket;
  uint64_t next_seq = 1;      // the next update to send
  uint64_t acked_through = 0;  // every seq up to this one is acked
  // Paced runs: when each update assigned to this collector and not yet sent fell due.
  std::deque<int64_t> due_ns;
  // Batches in flight: the last seq of each and when it was sent.
  std::deque<std::pair<uint64_t, int64_t>> sent_batches;
  int in_flight() const { return static_cast<int>(next_seq - 1 - acked_through); }
};

LoadGenerator::LoadGenerator(zmq::context_t& context, Workload workload, std::string ingest_endpoint,
                             ProbeClock* probes)
    : context_(context),
      workload_(std::move(workload)),
      ingest_endpoint_(std::move(ingest_endpoint)),
      probes_(probes),
      unit_figures_(static_cast<size_t>(workload_.units) * workload_.live_indicators, 0.0) {}

std::map<std::string, double> LoadGenerator::ExpectedTotals() const {
  std::vector<double> sums(workload_.live_indicators, 0.0);
  for (size_t i = 0; i < unit_figures_.size(); ++i) sums[i % workload_.live_indicators] += unit_figures_[i];
  std::map<std::string, double> totals;
  for (int i = 0; i < workload_.live_indicators; ++i) totals[IndicatorId(i)] = sums[i];
  return totals;
}

LoadGenerator::~LoadGenerator() = default;

uint64_t LoadGenerator::last_probe_seq() const { return collectors_.empty() ? 0 : collectors_[0]->next_seq - 1; }

Status LoadGenerator::EnsureCollectors(int count) {
  if (count > workload_.units) {
    return Status::InvalidArgument(fmt::format("{} collectors but the workload has {} units", count, workload_.units));
  }
  LinkOptions link;
  // Every update in flight must fit in the queues: a full queue would stall a collector, not
  // measure the aggregator.
  link.send_hwm = link.receive_hwm = 1'000'000;
  try {
    while (static_cast<int>(collectors_.size()) < count) {
      auto c = std::make_unique<Collector>();
      c->unit = static_cast<int>(collectors_.size());
      c->socket = zmq::socket_t(context_, zmq::socket_type::dealer);
      ConfigureSocket(c->socket, link);
      c->socket.connect(ingest_endpoint_);
      collectors_.push_back(std::move(c));
    }
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("creating simulated collector {}: {} (too many open files? raise ulimit -n)",
                                       collectors_.size(), e.what()));
  }
  return Status::OK();
}

bool LoadGenerator::SendBatch(Collector& c, int count, int64_t due_ns) {
  tonghop::v1::CollectorMessage message;
  MakeLiveBatch(workload_, c.unit, c.next_seq, count, NowMs(), message.mutable_updates());
  std::string bytes = message.SerializeAsString();
  zmq::send_result_t sent;
  try {
    sent = c.socket.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    return false;
  }
  if (!sent) return false;
  for (int n = 0; n < count; ++n) {
    const uint64_t seq = c.next_seq + n;
    int64_t due = due_ns;
    if (!c.due_ns.empty()) {
      due = c.due_ns.front();
      c.due_ns.pop_front();
    }
    if (c.unit == 0) {
      probes_->Record(seq, due);
      continue;
    }
    const int indicator = static_cast<int>(seq % workload_.live_indicators);
    unit_figures_[static_cast<size_t>(c.unit) * workload_.live_indicators + indicator] = static_cast<double>(seq);
  }
  c.next_seq += count;
  c.sent_batches.emplace_back(c.next_seq - 1, SteadyNs());
  return true;
}

Status LoadGenerator::ReadReplies(Collector& c, uint64_t* acked, std::vector<int64_t>* round_trips_ns) {
  while (true) {
    zmq::message_t frame;
    zmq::recv_result_t got;
    try {
      got = c.socket.recv(frame, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format("collector {}: {}", c.unit, e.what()));
    }
    if (!got) return Status::OK();
    tonghop::v1::AggregatorMessage reply;
    if (!ParseProto(frame, &reply)) return Status::Corruption(fmt::format("collector {}: unparsable reply", c.unit));
    if (!reply.has_replies()) continue;  // a heartbeat answer
    const auto& replies = reply.replies();
    if (replies.rejects_size() > 0) {
      const auto& r = replies.rejects(0);
      return Status::InvalidArgument(fmt::format("collector {}: update {} rejected ({}): {}", c.unit, r.seq(),
                                         tonghop::v1::RejectReason_Name(r.reason()), r.text()));
    }
    for (const auto& ack : replies.acks()) {
      if (ack.seq() == c.acked_through + 1) {
        ++c.acked_through;
        ++*acked;
      }
    }
    const int64_t now = SteadyNs();
    while (!c.sent_batches.empty() && c.sent_batches.front().first <= c.acked_through) {
      round_trips_ns->push_back(now - c.sent_batches.front().second);
      c.sent_batches.pop_front();
    }
  }
}

Status LoadGenerator::Run(const LoadRun& run, LoadResult* out) {
  TONGHOP_RETURN_IF_ERROR(EnsureCollectors(run.collectors));
  *out = LoadResult{};
  const int n = run.collectors;
  const int batch = workload_.batch_updates;
  const int window = workload_.window_updates;
  const int64_t start = SteadyNs();
  const int64_t stop_sending = start + static_cast<int64_t>(run.seconds * 1e9);
  const uint64_t first_probe = last_probe_seq();
  uint64_t assigned = 0;  // paced: updates that fell due so far
  // A probe rate of its own: collector 0 keeps to it, the others share offered_per_s.
  const bool own_probe_pace = run.offered_per_s > 0 && probe_per_s_ > 0;
  const int sharing = own_probe_pace ? 1 : 0;  // the first collector sharing offered_per_s
  if (own_probe_pace && n < 2) return Status::InvalidArgument("a probe rate of its own needs 2 collectors or more");
  uint64_t probes_assigned = 0;
  auto due_at = [&](uint64_t k, double per_s) { return start + static_cast<int64_t>(k / per_s * 1e9); };
  int64_t last_progress = start;
  std::vector<zmq::pollitem_t> items;
  for (int i = 0; i < n; ++i) items.push_back({collectors_[i]->socket.handle(), 0, ZMQ_POLLIN, 0});

  while (true) {
    const int64_t now = SteadyNs();
    const bool sending = now < stop_sending;
    if (sending && run.offered_per_s > 0) {
      // Update k of the run falls due at start + k / rate and goes to the k-th collector in turn.
      const auto due_total = static_cast<uint64_t>((now - start) * 1e-9 * run.offered_per_s);
      for (; assigned < due_total; ++assigned) {
        collectors_[sharing + assigned % (n - sharing)]->due_ns.push_back(due_at(assigned, run.offered_per_s));
      }
      const auto probes_due = own_probe_pace ? static_cast<uint64_t>((now - start) * 1e-9 * probe_per_s_) : 0;
      for (; probes_assigned < probes_due; ++probes_assigned) {
        collectors_[0]->due_ns.push_back(due_at(probes_assigned, probe_per_s_));
      }
    }
    if (sending) {
      for (int i = 0; i < n; ++i) {
        Collector& c = *collectors_[i];
        while (true) {
          int count = std::min(batch, window - c.in_flight());
          if (run.offered_per_s > 0) count = std::min<int>(count, static_cast<int>(c.due_ns.size()));
          if (count <= 0 || !SendBatch(c, count, now)) break;
          out->sent += count;
        }
      }
    }
    if (!sending && out->acked == out->sent) break;
    // Paced: wake when the next update falls due (at least 1 ms on, at most 10), so that a slow
    // pace, a province's in the national part, does not poll every collector a thousand times a second.
    int64_t wait_ms = 10;
    if (run.offered_per_s > 0 && sending) {
      int64_t next_due = due_at(assigned, run.offered_per_s);
      if (own_probe_pace) next_due = std::min(next_due, due_at(probes_assigned, probe_per_s_));
      wait_ms = std::clamp<int64_t>((next_due - SteadyNs()) / 1'000'000, 1, 10);
    }
    try {
      zmq::poll(items, std::chrono::milliseconds(wait_ms));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::IOError(fmt::format("polling the collectors: {}", e.what()));
    }
    const uint64_t acked_before = out->acked;
    for (int i = 0; i < n; ++i) {
      if (items[i].revents & ZMQ_POLLIN) TONGHOP_RETURN_IF_ERROR(ReadReplies(*collectors_[i], &out->acked, &out->round_trips_ns));
    }
    const int64_t after = SteadyNs();
    if (out->acked != acked_before) last_progress = after;
    if (out->acked < out->sent && after - last_progress > kSilenceLimitNs) {
      return Status::Unavailable(fmt::format("no ack for {} s with {} updates unanswered", kSilenceLimitNs / 1'000'000'000,
                                             out->sent - out->acked));
    }
  }
  out->seconds = (SteadyNs() - start) * 1e-9;
  out->probes = last_probe_seq() - first_probe;
  if (last_probe_seq() >= probes_->capacity()) {
    return Status::InvalidArgument(fmt::format("{} probes sent, more than the {} whose send times are kept: shorter "
                                               "runs, or a larger ProbeClock", last_probe_seq(), probes_->capacity()));
  }
  return Status::OK();
}

}  // namespace tonghop::bench
