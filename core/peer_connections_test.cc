// PeerConnections over real sockets on loopback: the connection a message came from, cutting it
// off, and cutting off a peer that sends too much or stops reading.
#include "core/clock.h"
#include "core/peer_connections.h"

#include <gtest/gtest.h>
#include <zmq_addon.hpp>

#include <algorithm>
#include <thread>

#include "core/testing/status_matchers.h"
#include "core/testing/temp_dir.h"
#include "core/transport.h"

namespace tonghop {
namespace {

// Calls `step` every 10 ms until it returns true, or timeout_ms passes (false).
bool Within(int timeout_ms, const std::function<bool()>& step) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (!step()) {
    if (MonotonicMs() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

// A ROUTER followed by PeerConnections, bound to `endpoint`, and a DEALER connected to it.
struct RouterAndDealer {
  RouterAndDealer(zmq::context_t& context, const std::string& endpoint, PeerConnections::Limits limits = {},
                  bool reconnect = true)
      : router(context, zmq::socket_type::router),
        connections(context, router, "test peer"),
        dealer(context, zmq::socket_type::dealer) {
    router.set(zmq::sockopt::linger, 0);
    dealer.set(zmq::sockopt::linger, 0);
    EXPECT_OK(connections.Start(limits, "test limits"));
    router.bind(endpoint);
    if (!reconnect) dealer.set(zmq::sockopt::reconnect_ivl, -1);
    dealer.connect(router.get(zmq::sockopt::last_endpoint));
  }
  // Sends "hello" from the dealer; the descriptor of its connection at the router.
  int HelloFd() {
    dealer.send(zmq::str_buffer("hello"));
    std::vector<zmq::message_t> frames;
    router.set(zmq::sockopt::rcvtimeo, 5'000);
    if (!zmq::recv_multipart(router, std::back_inserter(frames)) || frames.size() != 2) return -2;
    return PeerConnections::SourceFd(frames[1]);
  }
  zmq::socket_t router;
  PeerConnections connections;
  zmq::socket_t dealer;
};

TEST(PeerConnectionsTest, CutsOffTheConnectionAMessageCameFrom) {
  zmq::context_t context;
  RouterAndDealer pair(context, "tcp://127.0.0.1:*");
  const int fd = pair.HelloFd();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Within(5'000, [&] { return pair.connections.size() == 1; }));
  EXPECT_TRUE(pair.connections.TakeClosed().empty());

  ASSERT_TRUE(pair.connections.CutOff(fd));
  std::vector<int> closed;
  ASSERT_TRUE(Within(5'000, [&] {
    for (int f : pair.connections.TakeClosed()) closed.push_back(f);
    return !closed.empty();
  }));
  EXPECT_EQ(closed, std::vector<int>{fd});
  EXPECT_EQ(pair.connections.size(), 0u);
  EXPECT_FALSE(pair.connections.CutOff(fd)) << "a connection already closed";
  EXPECT_FALSE(pair.connections.CutOff(0)) << "not a connection of this socket";

  // The DEALER reconnects, as a new connection.
  const int again = pair.HelloFd();
  EXPECT_GE(again, 0);
  EXPECT_TRUE(Within(5'000, [&] { return pair.connections.size() == 1; }));
}

TEST(PeerConnectionsTest, KnowsTheConnectionOfAnIpcMessageToo) {
  zmq::context_t context;
  testing::TempDir dir;
  RouterAndDealer pair(context, "ipc://" + dir.Sub("router"));
  const int fd = pair.HelloFd();
  ASSERT_GE(fd, 0);
  ASSERT_TRUE(Within(5'000, [&] { return pair.connections.CutOff(fd); }));
  EXPECT_TRUE(Within(5'000, [&] { return !pair.connections.TakeClosed().empty(); }));
}

TEST(PeerConnectionsTest, CutsOffAPeerThatSendsMoreThanItsAllowance) {
  zmq::context_t context;
  PeerConnections::Limits limits;
  limits.inbound_burst_bytes = 10'000;
  limits.inbound_bytes_per_second = 1'000;
  RouterAndDealer pair(context, "tcp://127.0.0.1:*", limits, /*reconnect=*/false);  // cut off, it stays off
  zmq::socket_t modest(context, zmq::socket_type::dealer);
  modest.set(zmq::sockopt::linger, 0);
  modest.connect(pair.router.get(zmq::sockopt::last_endpoint));
  ASSERT_GE(pair.HelloFd(), 0);
  ASSERT_TRUE(Within(5'000, [&] { return pair.connections.size() == 2; }));
  // One sends 100 kB at once; the other 10 bytes every 100 ms, well within.
  const std::string kilobyte(1'000, 'x');
  for (int i = 0; i < 100; ++i) pair.dealer.send(zmq::buffer(kilobyte), zmq::send_flags::dontwait);
  std::vector<int> closed;
  const int64_t until = MonotonicMs() + 1'500;
  int64_t next_modest_ms = 0;
  ASSERT_TRUE(Within(5'000, [&] {
    if (MonotonicMs() >= next_modest_ms) {
      modest.send(zmq::buffer(kilobyte.substr(0, 10)), zmq::send_flags::dontwait);
      next_modest_ms = MonotonicMs() + 100;
    }
    zmq::message_t message;
    while (pair.router.recv(message, zmq::recv_flags::dontwait)) {
    }
    for (int f : pair.connections.TakeClosed()) closed.push_back(f);
    return !closed.empty() && MonotonicMs() >= until;
  }));
  EXPECT_EQ(closed.size(), 1u) << "the modest peer was cut off too";
  EXPECT_EQ(pair.connections.size(), 1u);
}

TEST(PeerConnectionsTest, CutsOffAPeerThatStopsReadingAndNotOneThatReads) {
  zmq::context_t context;
  zmq::socket_t pub(context, zmq::socket_type::pub);
  pub.set(zmq::sockopt::linger, 0);
  PeerConnections connections(context, pub, "test subscriber");
  PeerConnections::Limits limits;
  limits.stall_timeout_ms = 300;
  ASSERT_OK(connections.Start(limits, "test limits"));
  pub.bind("tcp://127.0.0.1:*");
  const std::string endpoint = pub.get(zmq::sockopt::last_endpoint);
  zmq::socket_t idle(context, zmq::socket_type::sub);
  zmq::socket_t reading(context, zmq::socket_type::sub);
  for (zmq::socket_t* sub : {&idle, &reading}) {
    sub->set(zmq::sockopt::linger, 0);
    sub->set(zmq::sockopt::rcvhwm, 10);
    sub->set(zmq::sockopt::subscribe, "");
    sub->connect(endpoint);
  }
  ASSERT_TRUE(Within(5'000, [&] { return connections.size() == 2; }));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the subscriptions arrive

  // Megabytes a second, which one reads and the other does not, for two seconds; then both read
  // what they had received, and the idle one sees that its connection was cut.
  const std::string body(10'000, 'x');
  const int64_t until = MonotonicMs() + 2'000;
  std::vector<int> closed;
  ASSERT_TRUE(Within(20'000, [&] {
    const bool reading_only = MonotonicMs() < until;
    if (reading_only) {
      for (int i = 0; i < 20; ++i) pub.send(zmq::buffer(body), zmq::send_flags::dontwait);
    }
    zmq::message_t message;
    while (reading.recv(message, zmq::recv_flags::dontwait)) {
    }
    while (!reading_only && idle.recv(message, zmq::recv_flags::dontwait)) {
    }
    for (int f : connections.TakeClosed()) closed.push_back(f);
    return !reading_only && !closed.empty();
  }));
  EXPECT_EQ(closed.size(), 1u);
  EXPECT_EQ(connections.size(), 1u) << "the reading subscriber was cut off too";
}

}  // namespace
}  // namespace tonghop
