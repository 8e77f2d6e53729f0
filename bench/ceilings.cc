#include "bench/ceilings.h"

#include <atomic>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <rocksdb/write_batch.h>
#include <zmq.hpp>
#include <zmq_addon.hpp>

#include "aggregator/aggregator.h"
#include "bench/load_generator.h"
#include "core/clock.h"
#include "core/rocks_db.h"
#include "core/rocksdb_util.h"
#include "core/topics.h"
#include "core/transport.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/tonghop.pb.h"
#include "core/wire_protocol.h"

namespace tonghop::bench {
namespace {

using Clock = std::chrono::steady_clock;
using tonghop::storage::v1::AuditRecord;
using tonghop::storage::v1::UnitValue;
using tonghop::v1::AggregateUpdate;
using tonghop::v1::AggregatorMessage;
using tonghop::v1::CollectorMessage;

// The aggregator's burst: it reads messages until it holds max_batch_updates updates, and never
// more than kMaxMessagesPerBurst messages (aggregator/aggregator.cc).
const int kBurstUpdates = AggregatorOptions().max_batch_updates;
constexpr int kMaxMessagesPerBurst = 1000;

// IngestStore's column families, in its order (aggregator/ingest_store.cc): the same database
// layout, so RocksDB spreads the same records over the same memtables and files.
std::vector<std::string> IngestFamilies() { return {"values", "audit", "positions", "aggregates", "history"}; }
constexpr size_t kValuesFamily = 0;
constexpr size_t kAuditFamily = 1;
constexpr size_t kHistoryFamily = 4;

constexpr double kWarmUpShare = 0.1;
// How long a loop waits on its sockets before it looks at its stop flag and deadline again.
constexpr auto kPollInterval = std::chrono::milliseconds(10);
// After the measured window, how long the client waits for the acks still due. The windows hold
// a few hundred messages at most, so even fsync per burst answers them in well under a second.
constexpr auto kDrainTimeout = std::chrono::seconds(5);

Clock::duration Seconds(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

// A time by which every thread of a run gives up, so that a side that stops answering cannot
// hang the benchmark.
Clock::time_point RunDeadline(const CeilingRun& run) {
  return Clock::now() + Seconds(run.seconds * (1 + kWarmUpShare)) + 2 * kDrainTimeout;
}

Status CheckRun(const Workload& workload, const CeilingRun& run, bool needs_dir) {
  if (!(run.seconds > 0)) return Status::InvalidArgument(fmt::format("ceiling run of {} s: must be positive", run.seconds));
  if (run.collectors < 1 || run.collectors > workload.units) {
    return Status::InvalidArgument(
        fmt::format("{} collectors for a ceiling: need 1 to the workload's {} units", run.collectors, workload.units));
  }
  if (workload.batch_updates < 1 || workload.window_updates < workload.batch_updates) {
    return Status::InvalidArgument(fmt::format("workload of {} updates per batch and {} in flight: need at least "
                                               "one batch in flight",
                                               workload.batch_updates, workload.window_updates));
  }
  if (needs_dir && run.dir.empty()) return Status::InvalidArgument("a ceiling that uses RocksDB needs a scratch directory");
  return Status::OK();
}

// Leaves `dir` existing and empty: each run starts from a new database, and a run's gigabytes of
// log and tables do not outlive it.
Status EmptyDirectory(const std::string& dir) {
  std::error_code error;
  std::filesystem::remove_all(dir, error);
  if (!error) std::filesystem::create_directories(dir, error);
  if (error) return Status::IOError(fmt::format("cannot empty the scratch directory {}: {}", dir, error.message()));
  return Status::OK();
}

// Binds `socket` to a port of the kernel's choosing on loopback; `endpoint` receives the address
// to connect to.
Status BindLoopback(zmq::socket_t& socket, const char* what, std::string* endpoint) {
  try {
    socket.bind("tcp://127.0.0.1:*");
    *endpoint = socket.get(zmq::sockopt::last_endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot bind {} to tcp://127.0.0.1:*: {}", what, e.what()));
  }
  return Status::OK();
}

// The measured part of a run: `seconds` after a warm-up of a tenth of that, so that connections,
// memtables and caches are settled when counting starts.
class MeasuredWindow {
 public:
  explicit MeasuredWindow(double seconds)
      : start_(Clock::now() + Seconds(seconds * kWarmUpShare)), end_(start_ + Seconds(seconds)) {}

  // Notes `done`, the count so far; false once the window has closed, and result() is final.
  bool Record(uint64_t done) {
    const Clock::time_point now = Clock::now();
    if (!started_ && now >= start_) {
      started_ = true;
      start_ = now;
      done_at_start_ = done;
    }
    if (now < end_) return true;
    result_.updates = done - done_at_start_;
    result_.seconds = std::chrono::duration<double>(now - start_).count();
    result_.updates_per_s = result_.seconds > 0 ? result_.updates / result_.seconds : 0;
    return false;
  }

  const CeilingResult& result() const { return result_; }

 private:
  Clock::time_point start_;
  const Clock::time_point end_;
  bool started_ = false;
  uint64_t done_at_start_ = 0;
  CeilingResult result_;
};

// A thread running the server side of a ceiling until Join() asks it to stop.
class Worker {
 public:
  using Body = std::function<Status(const std::atomic<bool>& stop)>;

  // `failed` is raised when `body` fails, so that the client stops waiting for answers.
  Worker(std::atomic<bool>* failed, Body body)
      : thread_([this, failed, body = std::move(body)] {
          try {
            status_ = body(stop_);
          } catch (const zmq::error_t& e) {
            status_ = Status::IOError(fmt::format("ZeroMQ: {}", e.what()));
          }
          if (!status_.ok()) failed->store(true);
        }) {}
  ~Worker() { (void)Join(); }

  // Asks the body to return, waits for it, and returns its Status.
  Status Join() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
    return status_;
  }

 private:
  std::atomic<bool> stop_{false};
  Status status_;
  std::thread thread_;  // last: starts once the members it uses exist
};

// The collectors: one thread driving run.collectors DEALERs, each with the workload's window of
// updates in flight, as the benchmark's load generator does.
class LoadClient {
 public:
  enum class Load {
    kRaw,       // replays a few serialized messages per collector; each reply acks a whole message
    kPipeline,  // builds every message as a collector does; counts the Acks each reply lists
  };

  LoadClient(zmq::context_t& context, const Workload& workload, Load load)
      : context_(context),
        workload_(workload),
        load_(load),
        window_messages_(workload.window_updates / workload.batch_updates) {}

  Status Connect(const std::string& endpoint, int collectors) {
    try {
      for (int unit = 0; unit < collectors; ++unit) {
        Collector& c = collectors_.emplace_back();
        c.unit = unit;
        c.dealer = zmq::socket_t(context_, zmq::socket_type::dealer);
        ConfigureSocket(c.dealer, LinkOptions());
        c.dealer.connect(endpoint);
        if (load_ == Load::kRaw) {
          // One window's worth: replayed in turn, the ROUTER never sees the same message twice in
          // a row from one collector, and the client spends nothing building them.
          for (int n = 0; n < window_messages_; ++n) c.replay.push_back(NextMessage(&c));
        }
      }
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format("cannot connect a collector DEALER to {}: {}", endpoint, e.what()));
    }
    return Status::OK();
  }

  // Keeps every window full for the warm-up and `seconds`, then waits for the acks still due:
  // an ack that never comes fails the run. Stops early when `failed` is raised.
  Status Run(double seconds, const std::atomic<bool>& failed, CeilingResult* out) {
    std::vector<zmq::pollitem_t> items;
    for (Collector& c : collectors_) items.push_back({c.dealer.handle(), 0, ZMQ_POLLIN, 0});
    try {
      MeasuredWindow window(seconds);
      do {
        if (failed.load()) return Status::Unavailable("the load stopped: the server side failed");
        for (Collector& c : collectors_) TONGHOP_RETURN_IF_ERROR(Fill(&c));
        TONGHOP_RETURN_IF_ERROR(ReadReplies(items));
      } while (window.Record(acked_));
      *out = window.result();

      const Clock::time_point deadline = Clock::now() + kDrainTimeout;
      while (InFlight() > 0 && Clock::now() < deadline && !failed.load()) TONGHOP_RETURN_IF_ERROR(ReadReplies(items));
    } catch (const zmq::error_t& e) {
      return Status::IOError(fmt::format("a collector DEALER failed: {}", e.what()));
    }
    if (InFlight() > 0) {
      return Status::Unavailable(fmt::format("{} messages were never answered (waited {} s after the run): acks were lost",
                                             InFlight(), std::chrono::seconds(kDrainTimeout).count()));
    }
    return Status::OK();
  }

 private:
  struct Collector {
    zmq::socket_t dealer;
    int unit = 0;
    uint64_t next_seq = 1;
    int in_flight = 0;                // messages sent and not answered yet
    std::vector<std::string> replay;  // kRaw: the messages sent in turn
    size_t next_replay = 0;
  };

  // The collector's next UpdateBatch message, serialized.
  std::string NextMessage(Collector* c) {
    CollectorMessage message;
    MakeLiveBatch(workload_, c->unit, c->next_seq, workload_.batch_updates, NowMs(), message.mutable_updates());
    c->next_seq += workload_.batch_updates;
    return message.SerializeAsString();
  }

  // Sends until the collector's window is full. A send the socket cannot take now is left for
  // the next round.
  Status Fill(Collector* c) {
    while (c->in_flight < window_messages_) {
      zmq::send_result_t sent;
      if (load_ == Load::kRaw) {
        sent = c->dealer.send(zmq::buffer(c->replay[c->next_replay]), zmq::send_flags::dontwait);
        if (sent) c->next_replay = (c->next_replay + 1) % c->replay.size();
      } else {
        // A message that could not go is built again with the same seqs.
        const uint64_t first_seq = c->next_seq;
        sent = c->dealer.send(zmq::buffer(NextMessage(c)), zmq::send_flags::dontwait);
        if (!sent) c->next_seq = first_seq;
      }
      if (!sent) return Status::OK();
      ++c->in_flight;
    }
    return Status::OK();
  }

  // Waits up to kPollInterval for replies, then reads every reply waiting.
  Status ReadReplies(std::vector<zmq::pollitem_t>& items) {
    zmq::poll(items, kPollInterval);
    for (size_t i = 0; i < items.size(); ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      Collector& c = collectors_[i];
      zmq::message_t reply;
      while (c.in_flight > 0 && c.dealer.recv(reply, zmq::recv_flags::dontwait)) {
        --c.in_flight;
        if (load_ == Load::kRaw) {
          acked_ += workload_.batch_updates;
          continue;
        }
        AggregatorMessage message;
        if (!ParseProto(reply, &message) || !message.has_replies()) {
          return Status::Corruption(fmt::format("collector {} got a {}-byte reply that is not UpdateReplies", c.unit,
                                                reply.size()));
        }
        acked_ += message.replies().acks_size();
      }
    }
    return Status::OK();
  }

  int InFlight() const {
    int in_flight = 0;
    for (const Collector& c : collectors_) in_flight += c.in_flight;
    return in_flight;
  }

  zmq::context_t& context_;
  const Workload& workload_;
  const Load load_;
  const int window_messages_;
  std::vector<Collector> collectors_;
  uint64_t acked_ = 0;  // updates acked since the start
};

// The raw ceiling's ROUTER: answers every [identity][message] with `ack` without looking at the
// message. ROUTER_MANDATORY and the send timeout turn an ack that cannot go into an error.
Status ServeRaw(zmq::socket_t& router, const std::string& ack, const std::atomic<bool>& stop,
                Clock::time_point deadline) {
  std::vector<zmq::pollitem_t> items = {{router.handle(), 0, ZMQ_POLLIN, 0}};
  zmq::message_t identity;
  zmq::message_t body;
  while (!stop.load() && Clock::now() < deadline) {
    zmq::poll(items, kPollInterval);
    for (int n = 0; n < kMaxMessagesPerBurst && router.recv(identity, zmq::recv_flags::dontwait); ++n) {
      // The frames of a message arrive together: the body is there once the identity is.
      if (!identity.more() || !router.recv(body, zmq::recv_flags::dontwait) || body.more()) {
        return Status::Corruption("the ROUTER read a message that is not [identity][CollectorMessage]");
      }
      if (!router.send(identity, zmq::send_flags::sndmore) || !router.send(zmq::buffer(ack), zmq::send_flags::none)) {
        return Status::Unavailable("the ROUTER could not send an ack within its send timeout (the DEALER is full)");
      }
    }
  }
  return Status::OK();
}

// The naive pipeline's aggregator: the bare work of IngestBurst with no validation, audit,
// sequence check or aggregate versions.
class NaiveAggregator {
 public:
  NaiveAggregator(RocksDb* db, Durability durability, zmq::socket_t* router, zmq::socket_t* publisher)
      : db_(db), router_(router), publisher_(publisher) {
    write_options_.sync = durability == Durability::kFsync;
  }

  Status Run(const std::atomic<bool>& stop, Clock::time_point deadline) {
    std::vector<zmq::pollitem_t> items = {{router_->handle(), 0, ZMQ_POLLIN, 0}};
    while (!stop.load() && Clock::now() < deadline) {
      zmq::poll(items, kPollInterval);
      if (items[0].revents & ZMQ_POLLIN) TONGHOP_RETURN_IF_ERROR(Burst());
    }
    return Status::OK();
  }

 private:
  // The province total of one indicator and period.
  struct Total {
    std::string indicator;
    std::string period;
    int64_t sum_micros = 0;
    std::unordered_map<std::string, int64_t> unit_micros;  // each unit's last value
    uint64_t changed_in_burst = 0;                         // the last burst that changed it
  };

  // Reads what is waiting (up to a burst), writes it in one batch, acks it, publishes the totals
  // it changed: the aggregator's order, so that nothing is acked or published before it is stored.
  Status Burst() {
    const int64_t now_ms = NowMs();
    ++burst_;
    rocksdb::WriteBatch batch;
    std::vector<std::pair<zmq::message_t, AggregatorMessage>> replies;
    std::vector<Total*> changed;
    int updates = 0;
    for (int messages = 0; updates < kBurstUpdates && messages < kMaxMessagesPerBurst; ++messages) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(*router_, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
      CollectorMessage message;
      if (frames.size() != 2 || !ParseProto(frames[1], &message) || !message.has_updates()) {
        return Status::Corruption("the pipeline's ROUTER read a message that is not [identity][UpdateBatch]");
      }
      const tonghop::v1::UpdateBatch& in = message.updates();
      AggregatorMessage reply;
      tonghop::v1::UpdateReplies* answers = reply.mutable_replies();
      answers->set_outbox_id(in.outbox_id());
      for (const tonghop::v1::IndicatorUpdate& update : in.updates()) {
        const UnitValue stored = MakeStoredValue(in.node_id(), in.outbox_id(), update, now_ms);
        Decimal figure;
        (void)StoredValue(stored, &figure);  // written just above
        const auto micros = static_cast<int64_t>(figure.micros());
        std::string key = update.indicator();
        key.push_back('\0');
        key.append(update.period());
        auto [it, added] = totals_.try_emplace(key);
        Total& total = it->second;
        if (added) {
          total.indicator = update.indicator();
          total.period = update.period();
        }
        key.push_back('\0');
        key.append(update.reporting_unit());
        batch.Put(db_->family(kValuesFamily), key, stored.SerializeAsString());

        int64_t& last = total.unit_micros[update.reporting_unit()];
        if (micros != last) {
          total.sum_micros += micros - last;
          last = micros;
          if (total.changed_in_burst != burst_) {
            total.changed_in_burst = burst_;
            changed.push_back(&total);
          }
        }
        answers->add_acks()->set_seq(update.seq());
      }
      updates += in.updates_size();
      replies.emplace_back(std::move(frames[0]), std::move(reply));
    }
    if (replies.empty()) return Status::OK();

    TONGHOP_RETURN_IF_ERROR(db_->Write(write_options_, &batch, "writing a burst of the naive pipeline"));
    for (const auto& [identity, reply] : replies) {
      Status sent = SendRouted(*router_, identity, reply);
      if (!sent.ok()) return sent.WithContext("acking a burst of the naive pipeline");
    }
    for (const Total* total : changed) {
      AggregateUpdate version;
      version.set_seq(++published_seq_);
      version.set_prev_seq(published_seq_ - 1);
      version.set_indicator(total->indicator);
      version.set_period(total->period);
      SetValue(Decimal::FromMicros(total->sum_micros), &version);
      version.set_units_reported(static_cast<uint32_t>(total->unit_micros.size()));
      version.set_updated_at_ms(now_ms);
      // A PUB send never fails or blocks: a subscriber at its HWM loses the message instead, and
      // notices the gap in the sequence.
      (void)publisher_->send(zmq::buffer(IndicatorTopic(version)), zmq::send_flags::sndmore);
      TONGHOP_RETURN_IF_ERROR(SendProto(*publisher_, version));
    }
    return Status::OK();
  }

  RocksDb* const db_;
  zmq::socket_t* const router_;
  zmq::socket_t* const publisher_;
  rocksdb::WriteOptions write_options_;
  std::unordered_map<std::string, Total> totals_;  // by indicator \0 period
  uint64_t burst_ = 0;
  uint64_t published_seq_ = 0;
};

// The naive pipeline's subscriber: reads every published total and counts them in `received`.
// The first one read may be any (a SUB joins late); after it, a gap in the sequence means the PUB
// dropped totals, and fails the run.
Status ReadFeed(zmq::socket_t& subscriber, const std::atomic<bool>& stop, Clock::time_point deadline,
                uint64_t* received) {
  std::vector<zmq::pollitem_t> items = {{subscriber.handle(), 0, ZMQ_POLLIN, 0}};
  uint64_t last_seq = 0;
  while (!stop.load() && Clock::now() < deadline) {
    zmq::poll(items, kPollInterval);
    for (int n = 0; n < kMaxMessagesPerBurst; ++n) {
      std::vector<zmq::message_t> frames;
      if (!zmq::recv_multipart(subscriber, std::back_inserter(frames), zmq::recv_flags::dontwait)) break;
      AggregateUpdate version;
      if (frames.size() != 2 || !ParseProto(frames[1], &version)) {
        return Status::Corruption("the subscriber read a message that is not [topic][AggregateUpdate]");
      }
      if (last_seq != 0 && version.seq() != last_seq + 1) {
        return Status::Unavailable(fmt::format("the subscriber missed totals {} to {}: the PUB dropped them",
                                               last_seq + 1, version.seq() - 1));
      }
      last_seq = version.seq();
      ++*received;
    }
  }
  return Status::OK();
}

// One collector message's worth of the records the aggregator writes per update, serialized.
struct UpdateRecords {
  std::string value_key;
  std::string value;
  std::string audit;
  std::string history_prefix;  // its history key without the audit seq that ends it
};

// Collector `unit`'s first message of the workload as the aggregator would store it.
std::vector<UpdateRecords> SerializeRecords(const Workload& workload, int unit) {
  const int64_t now_ms = NowMs();
  tonghop::v1::UpdateBatch batch;
  MakeLiveBatch(workload, unit, 1, workload.batch_updates, now_ms, &batch);
  std::vector<UpdateRecords> records;
  for (const tonghop::v1::IndicatorUpdate& update : batch.updates()) {
    const UnitValue value = MakeStoredValue(batch.node_id(), batch.outbox_id(), update, now_ms);
    // A counter re-reported: there is always a previous figure.
    const AuditRecord audit = MakeStoredAudit(value, update, /*replaces_a_figure=*/true);
    records.push_back({IngestStore::ValueKey(update.indicator(), update.period(), update.reporting_unit()),
                       value.SerializeAsString(), audit.SerializeAsString(),
                       IngestStore::HistoryKey(update.indicator(), update.period(), update.reporting_unit(), 0)});
    records.back().history_prefix.resize(records.back().history_prefix.size() - 8);
  }
  return records;
}

Status WriteBursts(const Workload& workload, Durability durability, const CeilingRun& run, CeilingResult* out) {
  std::unique_ptr<RocksDb> db;
  TONGHOP_RETURN_IF_ERROR(RocksDb::Open(run.dir, IngestFamilies(), &db));
  std::vector<std::vector<UpdateRecords>> messages;
  for (int unit = 0; unit < run.collectors; ++unit) messages.push_back(SerializeRecords(workload, unit));
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::kFsync;

  // A burst is whole messages taken from the collectors in turn, as the ROUTER fair-queues them,
  // until it holds kBurstUpdates updates.
  rocksdb::WriteBatch batch;
  size_t next_message = 0;
  uint64_t audit_seq = 0;
  uint64_t written = 0;
  MeasuredWindow window(run.seconds);
  do {
    batch.Clear();
    int updates = 0;
    while (updates < kBurstUpdates) {
      for (const UpdateRecords& records : messages[next_message]) {
        batch.Put(db->family(kValuesFamily), records.value_key, records.value);
        batch.Put(db->family(kAuditFamily), EncodeBigEndian64(++audit_seq), records.audit);
        batch.Put(db->family(kHistoryFamily), records.history_prefix + EncodeBigEndian64(audit_seq), rocksdb::Slice());
      }
      updates += workload.batch_updates;
      next_message = (next_message + 1) % messages.size();
    }
    TONGHOP_RETURN_IF_ERROR(db->Write(options, &batch, "writing a burst of the RocksDB ceiling"));
    written += updates;
  } while (window.Record(written));
  *out = window.result();
  return Status::OK();
}

// What loads a naive pipeline: it offers its updates to the pipeline's ROUTER at `ingest_endpoint`
// and returns once they are answered, or with an error; `failed` is raised when the pipeline fails.
using Drive = std::function<Status(zmq::context_t& context, const std::string& ingest_endpoint,
                                   const std::atomic<bool>& failed)>;

Status RunNaivePipeline(Durability durability, const CeilingRun& run, const Drive& drive) {
  std::unique_ptr<RocksDb> db;
  TONGHOP_RETURN_IF_ERROR(RocksDb::Open(run.dir, IngestFamilies(), &db));
  try {
    // Declared in the order of shutdown in reverse: the threads stop first, then the sockets
    // close, then the context.
    zmq::context_t context(1);
    zmq::socket_t router(context, zmq::socket_type::router);
    ConfigureRouter(router, LinkOptions());
    std::string ingest_endpoint;
    TONGHOP_RETURN_IF_ERROR(BindLoopback(router, "the naive pipeline's ROUTER", &ingest_endpoint));
    // The feed runs without ZMTP heartbeats, as the real one does (core/transport.h).
    const LinkOptions feed_link;
    zmq::socket_t publisher(context, zmq::socket_type::pub);
    ConfigureSocket(publisher, feed_link);
    std::string feed_endpoint;
    TONGHOP_RETURN_IF_ERROR(BindLoopback(publisher, "the naive pipeline's PUB", &feed_endpoint));
    zmq::socket_t subscriber(context, zmq::socket_type::sub);
    ConfigureSocket(subscriber, feed_link);
    subscriber.set(zmq::sockopt::subscribe, std::string(kIndicatorTopicFamily));
    subscriber.connect(feed_endpoint);

    NaiveAggregator aggregator(db.get(), durability, &router, &publisher);
    const Clock::time_point deadline = RunDeadline(run);
    std::atomic<bool> failed{false};
    uint64_t received = 0;
    Worker reader(&failed, [&](const std::atomic<bool>& stop) { return ReadFeed(subscriber, stop, deadline, &received); });
    Worker server(&failed, [&](const std::atomic<bool>& stop) { return aggregator.Run(stop, deadline); });
    Status ran = drive(context, ingest_endpoint, failed);
    TONGHOP_RETURN_IF_ERROR(server.Join());
    TONGHOP_RETURN_IF_ERROR(reader.Join());
    TONGHOP_RETURN_IF_ERROR(ran);
    if (received == 0) return Status::Unavailable("the naive pipeline's subscriber read no totals");
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("setting up the naive pipeline's sockets: {}", e.what()));
  }
  return Status::OK();
}

// Runs the naive pipeline in run.dir, emptied before and after.
Status MeasureInScratchDatabase(const Workload& workload, Durability durability, const CeilingRun& run,
                                const Drive& drive) {
  TONGHOP_RETURN_IF_ERROR(CheckRun(workload, run, /*needs_dir=*/true));
  TONGHOP_RETURN_IF_ERROR(EmptyDirectory(run.dir));
  Status measured = RunNaivePipeline(durability, run, drive);  // closes the database
  Status emptied = EmptyDirectory(run.dir);
  return measured.ok() ? emptied : measured;
}

}  // namespace

Status MeasureRawDealerRouter(const Workload& workload, const CeilingRun& run, CeilingResult* out) {
  TONGHOP_RETURN_IF_ERROR(CheckRun(workload, run, /*needs_dir=*/false));
  AggregatorMessage ack;
  ack.mutable_replies()->set_outbox_id(1);
  ack.mutable_replies()->add_acks()->set_seq(1);
  const std::string ack_bytes = ack.SerializeAsString();
  try {
    // Declared in the order of shutdown in reverse: the thread stops first, then the sockets
    // close, then the context.
    zmq::context_t context(1);
    zmq::socket_t router(context, zmq::socket_type::router);
    ConfigureRouter(router, LinkOptions());
    std::string endpoint;
    TONGHOP_RETURN_IF_ERROR(BindLoopback(router, "the raw ceiling's ROUTER", &endpoint));
    LoadClient client(context, workload, LoadClient::Load::kRaw);
    TONGHOP_RETURN_IF_ERROR(client.Connect(endpoint, run.collectors));

    const Clock::time_point deadline = RunDeadline(run);
    std::atomic<bool> failed{false};
    Worker server(&failed, [&](const std::atomic<bool>& stop) { return ServeRaw(router, ack_bytes, stop, deadline); });
    Status ran = client.Run(run.seconds, failed, out);
    TONGHOP_RETURN_IF_ERROR(server.Join());
    return ran;
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("setting up the raw ceiling's sockets: {}", e.what()));
  }
}

Status MeasureRocksDbBatches(const Workload& workload, Durability durability, const CeilingRun& run,
                             CeilingResult* out) {
  TONGHOP_RETURN_IF_ERROR(CheckRun(workload, run, /*needs_dir=*/true));
  TONGHOP_RETURN_IF_ERROR(EmptyDirectory(run.dir));
  Status measured = WriteBursts(workload, durability, run, out);  // closes the database
  Status emptied = EmptyDirectory(run.dir);
  return measured.ok() ? emptied : measured;
}

Status MeasureNaivePipeline(const Workload& workload, Durability durability, const CeilingRun& run,
                            CeilingResult* out) {
  return MeasureInScratchDatabase(
      workload, durability, run,
      [&](zmq::context_t& context, const std::string& ingest_endpoint, const std::atomic<bool>& failed) {
        LoadClient client(context, workload, LoadClient::Load::kPipeline);
        TONGHOP_RETURN_IF_ERROR(client.Connect(ingest_endpoint, run.collectors));
        return client.Run(run.seconds, failed, out);
      });
}

Status MeasureNaivePipelineRoundTrips(const Workload& workload, Durability durability, const CeilingRun& run,
                                      double offered_per_s, Latency* round_trips) {
  if (!(offered_per_s > 0)) {
    return Status::InvalidArgument(fmt::format("a round-trip ceiling at {}/s: the rate must be positive", offered_per_s));
  }
  return MeasureInScratchDatabase(
      workload, durability, run, [&](zmq::context_t& context, const std::string& ingest_endpoint, const std::atomic<bool>&) {
        // Room for every probe seq of both runs: collector 0 takes its turn among the collectors.
        ProbeClock probes(static_cast<size_t>((kConnectingRun.seconds * kConnectingRun.offered_per_s +
                                               run.seconds * offered_per_s) * 2) + 1'000);
        LoadGenerator load(context, workload, ingest_endpoint, &probes);
        LoadRun connecting = kConnectingRun;
        connecting.collectors = run.collectors;
        LoadResult result;
        TONGHOP_RETURN_IF_ERROR(load.Run(connecting, &result));
        TONGHOP_RETURN_IF_ERROR(load.Run({run.collectors, run.seconds, offered_per_s}, &result));
        *round_trips = Summarize(std::move(result.round_trips_ns));
        return Status::OK();
      });
}

}  // namespace tonghop::bench
