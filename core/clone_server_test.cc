// CloneServer's bounds on what a peer may cost (core/peer_bounds.h, docs/SECURITY.md), over real
// sockets on loopback: message size, subscriptions per connection, snapshot requests per second,
// snapshot transfers at once, what a requester that does not read holds, and peers that stop
// reading. And that the snapshot, now sent as the requester reads, still brings a CloneReplica to
// exactly the server's table while that table changes.
#include <unistd.h>

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include "core/clock.h"
#include "core/clone_replica.h"
#include "core/clone_server.h"
#include "core/feed_metrics.h"
#include "core/testing/clone_source.h"
#include "core/testing/resident_memory_sampler.h"
#include "core/testing/status_matchers.h"
#include "core/topics.h"

namespace tonghop {
namespace {

using testing::CloneSource;
using testing::PumpUntil;
using testing::SteadyFeed;
using testing::ResidentMemorySampler;
using testing::TableDiff;
using testing::TestReplicaOptions;
using tonghop::v1::SnapshotReply;
using tonghop::v1::SnapshotRequest;

std::string Request(const std::string& filter = "", uint64_t since_seq = 0) {
  SnapshotRequest request;
  request.set_filter(filter);
  request.set_since_seq(since_seq);
  return request.SerializeAsString();
}

// How often a client socket lost its connection: the server cut it off, or refused its message.
// Must not outlive the socket. Make it before the socket connects: a disconnect before the
// monitor is lost, and it can be the only one, for a SUB that libzmq reconnects resends its
// subscriptions only when its owner next calls into it.
class Disconnects {
 public:
  explicit Disconnects(zmq::context_t& context, zmq::socket_t& socket) : monitor_(context, zmq::socket_type::pair) {
    static int monitors = 0;
    const std::string endpoint = "inproc://clone-server-test-monitor-" + std::to_string(monitors++);
    EXPECT_EQ(zmq_socket_monitor(socket.handle(), endpoint.c_str(), ZMQ_EVENT_DISCONNECTED), 0);
    monitor_.set(zmq::sockopt::rcvhwm, 0);
    monitor_.connect(endpoint);
    socket_ = socket.handle();
  }
  ~Disconnects() { zmq_socket_monitor(socket_, nullptr, 0); }
  int count() {
    std::vector<zmq::message_t> frames;
    while (zmq::recv_multipart(monitor_, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      ++count_;
      frames.clear();
    }
    return count_;
  }

 private:
  zmq::socket_t monitor_;
  void* socket_ = nullptr;
  int count_ = 0;
};

// Not connected yet, so that a Disconnects can watch it from its first connection.
zmq::socket_t Subscriber(zmq::context_t& context, const std::vector<std::string>& topics) {
  zmq::socket_t sub(context, zmq::socket_type::sub);
  sub.set(zmq::sockopt::linger, 0);
  for (const auto& topic : topics) sub.set(zmq::sockopt::subscribe, topic);
  return sub;
}

zmq::socket_t Subscriber(zmq::context_t& context, const CloneSource& source, const std::vector<std::string>& topics) {
  zmq::socket_t sub = Subscriber(context, topics);
  sub.connect(source.publish_endpoint());
  return sub;
}

// Not connected yet, as Subscriber(context, topics).
zmq::socket_t Requester(zmq::context_t& context, int receive_hwm = 1'000) {
  zmq::socket_t dealer(context, zmq::socket_type::dealer);
  dealer.set(zmq::sockopt::linger, 0);
  dealer.set(zmq::sockopt::rcvhwm, receive_hwm);
  return dealer;
}

zmq::socket_t Requester(zmq::context_t& context, const CloneSource& source, int receive_hwm = 1'000) {
  zmq::socket_t dealer = Requester(context, receive_hwm);
  dealer.connect(source.snapshot_endpoint());
  return dealer;
}

// Pumps `source` until `dealer` has received a last reply, or timeout_ms; appends the replies.
bool ReceiveSnapshot(CloneSource& source, zmq::socket_t& dealer, int timeout_ms, std::vector<SnapshotReply>* replies) {
  return PumpUntil({&source}, {}, [&] {
    zmq::message_t message;
    while (dealer.recv(message, zmq::recv_flags::dontwait)) {
      SnapshotReply reply;
      EXPECT_TRUE(ParseProto(message, &reply));
      replies->push_back(reply);
      if (reply.last()) return true;
    }
    return false;
  }, timeout_ms);
}

// Fills `source` with `keys` aggregates of about `bytes` each.
void FillBulky(CloneSource& source, int keys, size_t bytes) {
  source.set_unit(std::string(bytes, 'u'));
  for (int i = 0; i < keys; ++i) source.Put(fmt::format("agri.k{:05}", i), "2017-Q1", i);
  source.set_unit("ha");
}

// Publishes versions of agri.rice/2017 until `sub` (subscribed to "i/") receives one: its
// subscription is then in place. What it received is read.
bool PublishUntilSubscribed(CloneSource& source, zmq::socket_t& sub) {
  return PumpUntil({&source}, {}, [&] {
    source.Put("agri.rice", "2017", 1);
    std::vector<zmq::message_t> frames;
    return zmq::recv_multipart(sub, std::back_inserter(frames), zmq::recv_flags::dontwait).has_value();
  }, 5'000);
}

TEST(CloneServerBoundsTest, AMessageLargerThanTheBoundDisconnectsItsSender) {
  zmq::context_t context;
  CloneSource source(context, 7);
  ASSERT_OK(source.Start());  // the default bound: 512 bytes
  zmq::socket_t fine = Subscriber(context, {"hb", "i/" + std::string(200, 'a')});
  zmq::socket_t long_topic = Subscriber(context, {"i/" + std::string(600, 'a')});
  zmq::socket_t long_request = Requester(context);
  Disconnects fine_disconnects(context, fine);
  Disconnects long_topic_disconnects(context, long_topic);
  Disconnects long_request_disconnects(context, long_request);
  fine.connect(source.publish_endpoint());
  long_topic.connect(source.publish_endpoint());
  long_request.connect(source.snapshot_endpoint());
  long_request.send(zmq::buffer(Request("i/" + std::string(600, 'a'))));
  ASSERT_TRUE(PumpUntil({&source}, {}, [&] {
    return long_topic_disconnects.count() > 0 && long_request_disconnects.count() > 0;
  }, 20'000)) << long_topic_disconnects.count() << " and " << long_request_disconnects.count() << " disconnects";
  // The one within bounds still gets the feed.
  ASSERT_TRUE(PumpUntil({&source}, {}, [&] {
    zmq::message_t message;
    return fine.recv(message, zmq::recv_flags::dontwait).has_value();
  }, 20'000)) << fine_disconnects.count() << " disconnects";
  EXPECT_EQ(fine_disconnects.count(), 0);
}

TEST(CloneServerBoundsTest, AConnectionWithMoreSubscriptionsThanTheBoundIsCutOff) {
  zmq::context_t context;
  CloneSource source(context, 7);
  PeerBounds bounds;
  bounds.max_subscriptions = 4;
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  zmq::socket_t within = Subscriber(context, {"hb", "i/a", "i/b", "p/2017/"});
  zmq::socket_t beyond = Subscriber(context, {"hb", "i/a", "i/b", "p/2017/", "p/2018/"});
  Disconnects within_disconnects(context, within);
  Disconnects beyond_disconnects(context, beyond);
  within.connect(source.publish_endpoint());
  beyond.connect(source.publish_endpoint());
  ASSERT_TRUE(PumpUntil({&source}, {}, [&] { return beyond_disconnects.count() > 0; }, 5'000));
  // Subscribing and unsubscribing again and again is no way around it: only what a connection
  // holds counts.
  for (int i = 0; i < 100; ++i) {
    within.set(zmq::sockopt::unsubscribe, "i/b");
    within.set(zmq::sockopt::subscribe, "i/b");
  }
  source.Put("a", "2017", 1);
  ASSERT_TRUE(PumpUntil({&source}, {}, [&] {
    zmq::message_t message;
    return within.recv(message, zmq::recv_flags::dontwait).has_value();
  }, 5'000));
  EXPECT_EQ(within_disconnects.count(), 0);
}

TEST(CloneServerBoundsTest, SnapshotRequestsBeyondTheRateAreDropped) {
  zmq::context_t context;
  CloneSource source(context, 7);
  PeerBounds bounds;
  bounds.snapshot_requests_per_second = 2;
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  source.Put("a", "2017", 1);
  zmq::socket_t dealer = Requester(context, source);
  // One request after another, each as soon as the last was answered or given up on, for a second.
  int sent = 0;
  int answered = 0;
  const int64_t start = MonotonicMs();
  while (MonotonicMs() - start < 1'000) {
    dealer.send(zmq::buffer(Request()));
    ++sent;
    std::vector<SnapshotReply> replies;
    if (ReceiveSnapshot(source, dealer, 100, &replies)) ++answered;
  }
  const double seconds = (MonotonicMs() - start) / 1'000.0;
  EXPECT_GE(answered, 2) << "the burst of 2 was not answered";
  EXPECT_LE(answered, 2 + static_cast<int>(2 * seconds) + 1) << "of " << sent << " requests in " << seconds << " s";
  EXPECT_GT(sent, answered);
}

TEST(CloneServerBoundsTest, ARequesterThatDoesNotReadHoldsOnlyItsQueueAndGetsTheRestWhenItReads) {
  zmq::context_t context;
  CloneSource source(context, 7);
  ASSERT_OK(source.Start());  // the default queue: 1 MiB
  FillBulky(source, 2'000, 20'000);  // a 40 MB snapshot
  zmq::socket_t idle = Requester(context, source, /*receive_hwm=*/1);
  PumpUntil({&source}, {}, [] { return false; }, 200);  // connected

  const double before_mb = ResidentMemorySampler::ResidentMegabytes(getpid());
  idle.send(zmq::buffer(Request()));
  PumpUntil({&source}, {}, [] { return false; }, 1'000);
  // Its queue is 1 MiB; the rest is the allocators' (more under AddressSanitizer, 14 MB). The
  // code before queued all of it: 57 MB.
  const double grown_mb = ResidentMemorySampler::ResidentMegabytes(getpid()) - before_mb;
  EXPECT_LT(grown_mb, 25) << "a 40 MB snapshot nobody reads was queued whole";

  // Others are served meanwhile, all of it.
  CloneReplica reader(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(reader.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&reader}, [&] { return reader.synced(); }, 20'000));
  EXPECT_EQ(TableDiff(source.table(), reader.table()), "");

  // Once it reads, the idle one gets its whole snapshot.
  std::vector<SnapshotReply> replies;
  ASSERT_TRUE(ReceiveSnapshot(source, idle, 20'000, &replies));
  size_t aggregates = 0;
  for (const auto& reply : replies) aggregates += reply.aggregates_size();
  EXPECT_EQ(aggregates, source.table().size());
  EXPECT_EQ(replies.back().seq(), source.table().max_seq());
  EXPECT_EQ(replies.back().stream_id(), 7u);
}

TEST(CloneServerBoundsTest, ARequestBeyondTheTransfersInProgressIsDropped) {
  zmq::context_t context;
  CloneSource source(context, 7);
  PeerBounds bounds;
  bounds.max_snapshot_transfers = 1;
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  FillBulky(source, 200, 20'000);  // 4 MB: more than one requester's queue
  auto idle = std::make_unique<zmq::socket_t>(Requester(context, source, /*receive_hwm=*/1));
  idle->send(zmq::buffer(Request()));
  PumpUntil({&source}, {}, [] { return false; }, 300);
  zmq::socket_t second = Requester(context, source);
  second.send(zmq::buffer(Request()));
  std::vector<SnapshotReply> replies;
  EXPECT_FALSE(ReceiveSnapshot(source, second, 500, &replies)) << "a second transfer began beyond the bound";
  // The first requester leaves: its transfer ends, and a new request is served.
  idle.reset();
  zmq::socket_t third = Requester(context, source);
  PumpUntil({&source}, {}, [] { return false; }, 200);
  third.send(zmq::buffer(Request()));
  ASSERT_TRUE(ReceiveSnapshot(source, third, 10'000, &replies));
  EXPECT_EQ(replies.back().seq(), source.table().max_seq());
}

TEST(CloneServerBoundsTest, APeerThatStopsReadingIsCutOffAndResyncsExactlyWhenItReadsAgain) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/50, /*send_hwm=*/2'000);
  PeerBounds bounds;
  bounds.stall_timeout_ms = 300;
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.server_timeout_ms = 60'000;  // only the server's cut-off may end its connection
  CloneReplica reading(context, options);
  options.link.receive_hwm = 10;
  CloneReplica stalled(context, options);
  ASSERT_OK(stalled.Start());
  ASSERT_OK(reading.Start());
  ASSERT_TRUE(PumpUntil({&source}, {&stalled, &reading}, [&] { return stalled.synced() && reading.synced(); }, 5'000));
  const uint64_t reading_resyncs = reading.resyncs();
  // A plain SUB that never reads, to see the cut-off from outside.
  zmq::socket_t idle(context, zmq::socket_type::sub);
  idle.set(zmq::sockopt::linger, 0);
  idle.set(zmq::sockopt::rcvhwm, 10);
  idle.set(zmq::sockopt::subscribe, "i/");
  Disconnects idle_disconnects(context, idle);
  idle.connect(source.publish_endpoint());

  // Megabytes of versions while one replica reads nothing: its buffers fill, then the server's
  // queue for it. The server cuts it off; the one that reads keeps up.
  // About 20 MB/s, which a replica that reads takes easily.
  source.set_unit(std::string(2'000, 'u'));
  const int64_t until = MonotonicMs() + 3'000;
  int64_t next_ms = 0;
  int put = 0;
  PumpUntil({&source}, {&reading}, [&] {
    if (MonotonicMs() < next_ms) return false;
    next_ms = MonotonicMs() + 5;
    for (int i = 0; i < 50; ++i, ++put) source.Put(fmt::format("agri.k{}", put % 500), "2017-Q1", put);
    return MonotonicMs() >= until;
  }, 10'000);
  source.set_unit("ha");
  // It sees its connection end once it reads what it had received before.
  EXPECT_TRUE(PumpUntil({&source}, {}, [&] {
    zmq::message_t message;
    while (idle.recv(message, zmq::recv_flags::dontwait)) {
    }
    return idle_disconnects.count() > 0;
  }, 5'000)) << "a subscriber that read nothing for 3 s was not cut off";
  EXPECT_EQ(reading.resyncs(), reading_resyncs) << "the reading replica lost versions, or was cut off";

  // Reading again, the stalled one reconnects, sees what it missed and catches up exactly.
  ASSERT_TRUE(PumpUntil({&source}, {&stalled, &reading}, [&] {
    return stalled.synced() && reading.synced() && TableDiff(source.table(), stalled.table()).empty() &&
           stalled.verified_seq() == source.table().max_seq() && TableDiff(source.table(), reading.table()).empty();
  }, 20'000)) << TableDiff(source.table(), stalled.table());
  EXPECT_GT(stalled.resyncs(), 0u);
}

TEST(CloneServerBoundsTest, ASnapshotSentAsTheTableChangesBringsAReplicaToExactlyTheTable) {
  zmq::context_t context;
  CloneSource source(context, 42, /*heartbeat_interval_ms=*/50);
  PeerBounds bounds;
  bounds.snapshot_queue_bytes = 64 << 10;  // one reply queued at a time: the longest transfer
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  FillBulky(source, 3'000, 2'000);  // 6 MB, a hundred replies
  CloneReplica replica(context, TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint()));
  ASSERT_OK(replica.Start());
  // Versions change while the snapshot is under way: new versions of keys already sent and of
  // keys still to come, new keys, and some versions that never reach the replica's stream.
  int changes_during_transfer = 0;
  int put = 0;
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    if (!replica.synced()) ++changes_during_transfer;
    for (int i = 0; i < 5; ++i, ++put) {
      source.Put(fmt::format("agri.k{:05}", (put * 7919) % 3'500), "2017-Q1", put, /*publish=*/put % 7 != 0);
    }
    return put >= 5'000;
  }, 60'000));
  EXPECT_GT(changes_during_transfer, 10) << "the table did not change while the snapshot was sent";
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    return replica.synced() && replica.verified_seq() == source.table().max_seq() &&
           TableDiff(source.table(), replica.table()).empty();
  }, 20'000)) << TableDiff(source.table(), replica.table());
}

TEST(CloneServerBoundsTest, ATransferOfAStreamThatWasReplacedIsDroppedAndTheReplicaTakesTheNewOne) {
  zmq::context_t context;
  CloneSource source(context, 1, /*heartbeat_interval_ms=*/50);
  PeerBounds bounds;
  bounds.snapshot_queue_bytes = 64 << 10;
  source.set_bounds(bounds);
  ASSERT_OK(source.Start());
  FillBulky(source, 1'000, 2'000);
  CloneReplicaOptions options = TestReplicaOptions(source.publish_endpoint(), source.snapshot_endpoint());
  options.link.receive_hwm = 1;  // the transfer is surely under way, not done, when the stream changes
  CloneReplica replica(context, options);
  ASSERT_OK(replica.Start());
  PumpUntil({&source}, {}, [] { return false; }, 300);
  source.Reset(2);
  source.Put("agri.only", "2017", 5);
  ASSERT_TRUE(PumpUntil({&source}, {&replica}, [&] {
    return replica.synced() && replica.stream_id() == 2 && TableDiff(source.table(), replica.table()).empty();
  }, 20'000)) << TableDiff(source.table(), replica.table());
}

TEST(CloneServerBoundsTest, NoHeartbeatWhileTheStreamIsUnknown) {
  zmq::context_t context;
  CloneSource source(context, 0, /*heartbeat_interval_ms=*/20);
  ASSERT_OK(source.Start());
  zmq::socket_t sub = Subscriber(context, source, {"hb"});
  zmq::message_t message;
  PumpUntil({&source}, {}, [&] { return sub.recv(message, zmq::recv_flags::dontwait).has_value(); }, 500);
  EXPECT_EQ(message.size(), 0u) << "a heartbeat of stream 0";
  source.Reset(5);
  ASSERT_TRUE(PumpUntil({&source}, {}, [&] { return sub.recv(message, zmq::recv_flags::dontwait).has_value(); }, 5'000));
}

// Heartbeats keep their interval whatever the feed carries, as the Clone pattern's HUGZ do: a
// replica that missed the heartbeat of a change of stream (its subscription was not in place yet)
// hears the stream from the next one, however busy the feed (docs/PROTOCOL.md, "Updates").
TEST(CloneServerBoundsTest, HeartbeatsKeepTheirIntervalWhileTheFeedNeverPauses) {
  zmq::context_t context;
  CloneSource source(context, 1, /*heartbeat_interval_ms=*/200);
  ASSERT_OK(source.Start());
  zmq::socket_t sub = Subscriber(context, source, {"i/", "hb"});
  ASSERT_TRUE(PublishUntilSubscribed(source, sub));
  std::vector<zmq::message_t> frames;

  // A version every few milliseconds for 1.5 s: never a pause of 200 ms.
  int heartbeats = 0;
  SteadyFeed feed(&source, "agri.rice", "2017");
  int64_t longest_pause_ms = 0;
  PumpUntil({&source}, {}, [&] {
    longest_pause_ms = std::max(longest_pause_ms, feed.Tick());
    frames.clear();
    while (zmq::recv_multipart(sub, std::back_inserter(frames), zmq::recv_flags::dontwait)) {
      if (frames[0].to_string() == "hb") ++heartbeats;
      frames.clear();
    }
    return false;
  }, 1'500);
  EXPECT_LT(longest_pause_ms, 100) << "the feed paused";
  EXPECT_GE(heartbeats, 5) << "heartbeats in 1.5 s at an interval of 200 ms";
  EXPECT_LE(heartbeats, 9);
}

// The aggregator names its stream before it binds the feed: nothing is published then, so nothing
// is counted. The first heartbeat goes out at the first Tick after Start.
TEST(CloneServerBoundsTest, AStreamNamedBeforeStartIsNoHeartbeatUntilStarted) {
  zmq::context_t context;
  AggregateTable table;
  CloneServerOptions options;
  options.publish_endpoint = "tcp://127.0.0.1:*";
  options.snapshot_endpoint = "tcp://127.0.0.1:*";
  FeedMetrics metrics(*options.metrics);
  CloneServer server(context, options, &table);
  server.set_stream_id(7);
  EXPECT_EQ(metrics.heartbeats.Value(), 0) << "a heartbeat counted before the feed was bound";
  ASSERT_OK(server.Start());
  EXPECT_EQ(metrics.heartbeats.Value(), 0);
  server.Tick();
  EXPECT_EQ(metrics.heartbeats.Value(), 1) << "the first Tick after Start heartbeats at once";
}

// A change of stream is a heartbeat at once, however busy the feed, and ahead of every version of
// the new stream (docs/PROTOCOL.md, "Updates"). Here the interval's heartbeat would wait a minute.
TEST(CloneServerBoundsTest, AChangeOfStreamIsAHeartbeatAheadOfTheNewStreamsVersions) {
  zmq::context_t context;
  CloneSource source(context, 1, /*heartbeat_interval_ms=*/60'000);
  ASSERT_OK(source.Start());
  zmq::socket_t sub = Subscriber(context, source, {"i/", "hb"});
  ASSERT_TRUE(PublishUntilSubscribed(source, sub));
  std::vector<zmq::message_t> frames;
  source.Reset(2);
  source.Put("agri.only", "2017", 5);

  // What follows stream 1's versions and heartbeats still queued, in order.
  std::vector<std::string> after;
  PumpUntil({&source}, {}, [&] {
    frames.clear();
    if (!zmq::recv_multipart(sub, std::back_inserter(frames), zmq::recv_flags::dontwait)) return false;
    const std::string topic = frames[0].to_string();
    if (topic == "hb") {
      tonghop::v1::Heartbeat heartbeat;
      EXPECT_TRUE(heartbeat.ParseFromArray(frames[1].data(), static_cast<int>(frames[1].size())));
      if (heartbeat.stream_id() != 1) after.push_back(fmt::format("hb of stream {}", heartbeat.stream_id()));
    } else if (!topic.starts_with("i/agri.rice/")) {
      after.push_back(topic);
    }
    return after.size() == 2;
  }, 5'000);
  EXPECT_EQ(after, (std::vector<std::string>{"hb of stream 2", "i/agri.only/2017"}));
}

}  // namespace
}  // namespace tonghop
