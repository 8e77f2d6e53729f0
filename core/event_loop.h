// EventLoop: the one way a tonghop node runs (docs/ARCHITECTURE.md, "One loop"). One thread polls
// every socket its owner registers, runs its tasks and timers, and returns from Run() within one
// turn of a stop request: SIGINT or SIGTERM (core/process.h), Stop() from any thread, or the
// owner's stop flag. SIGHUP runs the reload handlers, on the loop thread. EINTR is a wake-up,
// never an error.
//
// The loop cannot be faster than its slowest handler, so handlers never block: replies go out with
// ZMQ_DONTWAIT and are dropped and counted when a peer cannot take them (core/transport.h,
// SendRouted), and every socket's ZMTP heartbeats are off (LinkOptions). A turn waits in poll at
// most kMaxPollMs, so timers and the stop request are looked at at least ten times a second even
// when nothing arrives; a signal wakes the poll at once (a self-pipe of core/process).
//
// Thread-safety: everything but Stop() must be called from one thread, the one that runs Run().
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <zmq.hpp>

#include "core/status.h"

namespace tonghop {

class EventLoop {
 public:
  static constexpr int kMaxPollMs = 100;

  // `stop`, when given, also ends Run() once it is true (tests run nodes in threads).
  explicit EventLoop(const std::atomic<bool>* stop = nullptr);
  ~EventLoop();
  EventLoop(const EventLoop&) = delete;
  EventLoop& operator=(const EventLoop&) = delete;

  // A socket to poll. `item` is asked anew every turn, because owners replace sockets (a replica
  // reconnecting, a client whose handshake was refused) and want ZMQ_POLLOUT only while something
  // waits to be sent; an item with a null socket and fd -1 is skipped. `on_ready` runs with the
  // revents whenever any of the requested events is set.
  void AddSocket(std::function<zmq::pollitem_t()> item, std::function<void(short revents)> on_ready);
  // A socket that never changes, read whenever it is readable.
  void AddReader(zmq::socket_t& socket, std::function<void()> on_readable);

  // Runs `task` once every turn, after the sockets' handlers. `millis_until_due` (may be empty:
  // never due by itself) shortens the poll so that the task runs in time, for owners with timers
  // of their own (a sender's ack timeout, a replica's snapshot timeout, a feed heartbeat).
  void AddTask(std::function<int()> millis_until_due, std::function<void()> task);

  // Runs `task` every interval_ms, the first time one interval after Run() starts.
  void AddTimer(int64_t interval_ms, std::function<void()> task);

  // Runs `handler` on the loop thread after each SIGHUP (a node reloads its key registry).
  void OnReload(std::function<void()> handler);

  // Turns until a stop is requested. IOError only when polling itself fails (not on EINTR).
  Status Run();

  // Ends Run() within one turn. Safe from any thread.
  void Stop();
  bool stopping() const;

  // Turns so far (for tests: a loop that turns is not blocked).
  uint64_t turns() const { return turns_.load(std::memory_order_relaxed); }

 private:
  struct Socket {
    std::function<zmq::pollitem_t()> item;
    std::function<void(short)> on_ready;
  };
  struct Task {
    std::function<int()> millis_until_due;
    std::function<void()> run;
  };
  struct Timer {
    int64_t interval_ms;
    int64_t due_ms;
    std::function<void()> run;
  };

  int PollTimeoutMs(int64_t now_ms) const;
  void RunDueTimers(int64_t now_ms);

  const std::atomic<bool>* external_stop_;
  std::atomic<bool> stop_{false};
  int wake_fds_[2] = {-1, -1};  // Stop() writes to [1]; the poll watches [0]
  std::vector<Socket> sockets_;
  std::vector<Task> tasks_;
  std::vector<Timer> timers_;
  std::vector<std::function<void()>> reload_handlers_;
  std::atomic<uint64_t> turns_{0};
};

}  // namespace tonghop
