#include "core/event_loop.h"

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "core/clock.h"
#include "core/transport.h"
#include "core/testing/status_matchers.h"

namespace tonghop {
namespace {

TEST(EventLoopTest, StopFromAnotherThreadEndsRunAtOnceEvenWithNothingDue) {
  EventLoop loop;
  std::atomic<int64_t> stopped_at{0};
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stopped_at = MonotonicMs();
    loop.Stop();
  });
  ASSERT_OK(loop.Run());
  const int64_t returned_at = MonotonicMs();
  stopper.join();
  // The wake-up pipe ends the poll: well under one kMaxPollMs.
  EXPECT_LT(returned_at - stopped_at.load(), EventLoop::kMaxPollMs / 2);
}

TEST(EventLoopTest, TheOwnersStopFlagEndsRun) {
  std::atomic<bool> stop{false};
  EventLoop loop(&stop);
  loop.AddTimer(20, [&] { stop = true; });
  ASSERT_OK(loop.Run());
  EXPECT_TRUE(stop.load());
}

TEST(EventLoopTest, TimersRunAtTheirIntervalAndTasksEveryTurn) {
  EventLoop loop;
  int fast = 0, slow = 0, turns_seen = 0;
  loop.AddTimer(10, [&] { ++fast; });
  loop.AddTimer(100, [&] { ++slow; });
  loop.AddTask({}, [&] { ++turns_seen; });
  loop.AddTimer(450, [&] { loop.Stop(); });
  const int64_t start = MonotonicMs();
  ASSERT_OK(loop.Run());
  const int64_t elapsed = MonotonicMs() - start;
  EXPECT_GE(elapsed, 440);
  EXPECT_LT(elapsed, 2'000);
  EXPECT_GE(fast, 20);  // 45 due; a loaded machine runs late turns once, not twice
  EXPECT_LE(fast, 46);
  EXPECT_GE(slow, 3);
  EXPECT_LE(slow, 4);
  EXPECT_GE(turns_seen, fast);
}

TEST(EventLoopTest, ATasksDueTimeShortensThePoll) {
  EventLoop loop;
  int64_t due_at = MonotonicMs() + 30;
  int64_t ran_at = 0;
  loop.AddTask([&] { return static_cast<int>(std::max<int64_t>(due_at - MonotonicMs(), 0)); },
               [&] {
                 if (ran_at == 0 && MonotonicMs() >= due_at) {
                   ran_at = MonotonicMs();
                   loop.Stop();
                 }
               });
  ASSERT_OK(loop.Run());
  EXPECT_LT(ran_at - due_at, EventLoop::kMaxPollMs / 2);
}

TEST(EventLoopTest, AReadableSocketRunsItsHandlerAndAReplacedSocketIsPolledInstead) {
  zmq::context_t context(1);
  zmq::socket_t pull(context, zmq::socket_type::pull);
  pull.bind("inproc://event-loop-test");
  zmq::socket_t push(context, zmq::socket_type::push);
  push.connect("inproc://event-loop-test");
  zmq::socket_t idle(context, zmq::socket_type::pull);
  zmq::socket_t* current = &idle;

  EventLoop loop;
  int received = 0;
  loop.AddSocket([&] { return zmq::pollitem_t{current->handle(), 0, ZMQ_POLLIN, 0}; },
                 [&](short revents) {
                   ASSERT_TRUE(revents & ZMQ_POLLIN);
                   zmq::message_t message;
                   while (current->recv(message, zmq::recv_flags::dontwait)) ++received;
                   if (received == 3) loop.Stop();
                 });
  loop.AddTimer(50, [&] { current = &pull; });  // the owner replaced its socket
  loop.AddTimer(5'000, [&] { loop.Stop(); });    // the test's own deadline
  for (int i = 0; i < 3; ++i) push.send(zmq::str_buffer("x"), zmq::send_flags::none);
  ASSERT_OK(loop.Run());
  EXPECT_EQ(received, 3);
}

}  // namespace
}  // namespace tonghop
