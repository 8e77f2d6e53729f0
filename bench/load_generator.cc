#include "bench/load_generator.h"

#include <algorithm>
#include <chrono>
#include <deque>

#include <fmt/format.h>

#include "core/clock.h"
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

// One collector's link to one aggregator: its own position and window.
struct LoadGenerator::Link {
  std::string endpoint;
  zmq::socket_t socket;
  uint64_t next_seq = 1;       // the next update to send on this link
  uint64_t acked_through = 0;  // every seq up to this one is acked by this aggregator
  int in_flight() const { return static_cast<int>(next_seq - 1 - acked_through); }
};

struct LoadGenerator::Collector {
  int unit = 0;
  std::vector<Link> links;         // one per aggregator
  uint64_t next_seq = 1;           // the next update not made yet
  uint64_t delivered_through = 0;  // every seq up to this one is acked by every aggregator
  // Paced runs: when each update assigned to this collector and not yet made fell due.
  std::deque<int64_t> due_ns;
  // Batches of new updates: the last seq of each and when it was first sent.
  std::deque<std::pair<uint64_t, int64_t>> sent_batches;
  // The last batch serialized, sent again as it is to a link that keeps pace.
  uint64_t last_batch_first_seq = 0;
  int last_batch_count = 0;
  std::string last_batch;
};

LoadGenerator::LoadGenerator(zmq::context_t& context, Workload workload, std::string ingest_endpoint,
                             ProbeClock* probes)
    : LoadGenerator(context, std::move(workload), std::vector<std::string>{std::move(ingest_endpoint)}, probes) {}

LoadGenerator::LoadGenerator(zmq::context_t& context, Workload workload, std::vector<std::string> ingest_endpoints,
                             ProbeClock* probes)
    : context_(context),
      workload_(std::move(workload)),
      ingest_endpoints_(std::move(ingest_endpoints)),
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
  LinkOptions options;
  // Every update in flight must fit in the queues: a full queue would stall a collector, not
  // measure the aggregator.
  options.send_hwm = options.receive_hwm = 1'000'000;
  try {
    while (static_cast<int>(collectors_.size()) < count) {
      auto c = std::make_unique<Collector>();
      c->unit = static_cast<int>(collectors_.size());
      for (const std::string& endpoint : ingest_endpoints_) {
        Link link;
        link.endpoint = endpoint;
        link.socket = zmq::socket_t(context_, zmq::socket_type::dealer);
        ConfigureSocket(link.socket, options);
        link.socket.connect(endpoint);
        c->links.push_back(std::move(link));
      }
      collectors_.push_back(std::move(c));
    }
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("creating simulated collector {}: {} (too many open files? raise ulimit -n)",
                                       collectors_.size(), e.what()));
  }
  return Status::OK();
}

bool LoadGenerator::SendBatch(Collector& c, Link& link, int count, int64_t due_ns) {
  const uint64_t first_seq = link.next_seq;
  if (c.last_batch_first_seq != first_seq || c.last_batch_count != count) {
    tonghop::v1::CollectorMessage message;
    MakeLiveBatch(workload_, c.unit, first_seq, count, NowMs(), message.mutable_updates());
    c.last_batch = message.SerializeAsString();
    c.last_batch_first_seq = first_seq;
    c.last_batch_count = count;
  }
  zmq::send_result_t sent;
  try {
    sent = link.socket.send(zmq::buffer(c.last_batch), zmq::send_flags::dontwait);
  } catch (const zmq::error_t&) {
    return false;
  }
  if (!sent) return false;
  link.next_seq += count;
  if (first_seq < c.next_seq) return true;  // updates another link sent first
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

Status LoadGenerator::ReadReplies(Collector& c, size_t link_index, uint64_t* acked, uint64_t* link_acks,
                                  std::vector<int64_t>* round_trips_ns) {
  Link& link = c.links[link_index];
  while (true) {
    zmq::message_t frame;
    zmq::recv_result_t got;
    try {
      got = link.socket.recv(frame, zmq::recv_flags::dontwait);
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format("collector {} to {}: {}", c.unit, link.endpoint, e.what()));
    }
    if (!got) return Status::OK();
    tonghop::v1::AggregatorMessage reply;
    if (!ParseProto(frame, &reply)) {
      return Status::Corruption(fmt::format("collector {}: unparsable reply from {}", c.unit, link.endpoint));
    }
    if (!reply.has_replies()) continue;  // a heartbeat answer
    const auto& replies = reply.replies();
    if (replies.rejects_size() > 0) {
      const auto& r = replies.rejects(0);
      return Status::InvalidArgument(fmt::format("collector {}: update {} rejected by {} ({}): {}", c.unit, r.seq(),
                                                 link.endpoint, tonghop::v1::RejectReason_Name(r.reason()), r.text()));
    }
    for (const auto& ack : replies.acks()) {
      if (ack.seq() == link.acked_through + 1) {
        ++link.acked_through;
        ++*link_acks;
      }
    }
    uint64_t delivered = link.acked_through;
    for (const Link& other : c.links) delivered = std::min(delivered, other.acked_through);
    if (delivered > c.delivered_through) {
      *acked += delivered - c.delivered_through;
      c.delivered_through = delivered;
    }
    const int64_t now = SteadyNs();
    while (!c.sent_batches.empty() && c.sent_batches.front().first <= c.delivered_through) {
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
  uint64_t link_acks = 0;  // acks of any aggregator: progress, even while one lags
  std::vector<zmq::pollitem_t> items;
  std::vector<std::pair<int, size_t>> item_links;  // collector, link
  for (int i = 0; i < n; ++i) {
    for (size_t l = 0; l < collectors_[i]->links.size(); ++l) {
      items.push_back({collectors_[i]->links[l].socket.handle(), 0, ZMQ_POLLIN, 0});
      item_links.emplace_back(i, l);
    }
  }

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
    for (int i = 0; i < n; ++i) {
      Collector& c = *collectors_[i];
      // A batch a link in turn, so that links keeping pace send the same batches.
      for (bool progress = true; progress;) {
        progress = false;
        for (Link& link : c.links) {
          int count = std::min(batch, window - link.in_flight());
          const bool fresh = link.next_seq == c.next_seq;
          if (!fresh) {
            count = static_cast<int>(std::min<uint64_t>(count, c.next_seq - link.next_seq));
          } else if (!sending) {
            count = 0;
          } else if (run.offered_per_s > 0) {
            count = std::min<int>(count, static_cast<int>(c.due_ns.size()));
          }
          if (count <= 0 || !SendBatch(c, link, count, now)) continue;
          if (fresh) out->sent += count;
          progress = true;
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
    const uint64_t link_acks_before = link_acks;
    for (size_t k = 0; k < items.size(); ++k) {
      if (items[k].revents & ZMQ_POLLIN) {
        TONGHOP_RETURN_IF_ERROR(ReadReplies(*collectors_[item_links[k].first], item_links[k].second, &out->acked,
                                            &link_acks, &out->round_trips_ns));
      }
    }
    const int64_t after = SteadyNs();
    if (link_acks != link_acks_before) last_progress = after;
    if (out->acked < out->sent && after - last_progress > kSilenceLimitNs) {
      return Status::Unavailable(fmt::format("no ack for {} s with {} updates not yet acked by every aggregator",
                                             kSilenceLimitNs / 1'000'000'000, out->sent - out->acked));
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
