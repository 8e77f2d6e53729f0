#include "core/event_loop.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/process.h"
#include "core/transport.h"

namespace tonghop {
namespace {

void DrainFd(int fd) {
  char buffer[64];
  while (read(fd, buffer, sizeof buffer) > 0) {
  }
}

}  // namespace

EventLoop::EventLoop(const std::atomic<bool>* stop) : external_stop_(stop) {
  if (pipe2(wake_fds_, O_NONBLOCK | O_CLOEXEC) != 0) wake_fds_[0] = wake_fds_[1] = -1;
}

EventLoop::~EventLoop() {
  for (int fd : wake_fds_) {
    if (fd >= 0) close(fd);
  }
}

void EventLoop::AddSocket(std::function<zmq::pollitem_t()> item, std::function<void(short)> on_ready) {
  sockets_.push_back({std::move(item), std::move(on_ready)});
}

void EventLoop::AddReader(zmq::socket_t& socket, std::function<void()> on_readable) {
  zmq::socket_t* s = &socket;
  AddSocket([s] { return zmq::pollitem_t{s->handle(), 0, ZMQ_POLLIN, 0}; },
            [run = std::move(on_readable)](short) { run(); });
}

void EventLoop::AddTask(std::function<int()> millis_until_due, std::function<void()> task) {
  tasks_.push_back({std::move(millis_until_due), std::move(task)});
}

void EventLoop::AddTimer(int64_t interval_ms, std::function<void()> task) {
  timers_.push_back({std::max<int64_t>(interval_ms, 1), 0, std::move(task)});
}

void EventLoop::OnReload(std::function<void()> handler) { reload_handlers_.push_back(std::move(handler)); }

void EventLoop::Stop() {
  stop_.store(true);
  if (wake_fds_[1] >= 0) {
    const char byte = 0;
    (void)!write(wake_fds_[1], &byte, 1);
  }
}

bool EventLoop::stopping() const {
  return stop_.load() || ShutdownRequested() || (external_stop_ != nullptr && external_stop_->load());
}

int EventLoop::PollTimeoutMs(int64_t now_ms) const {
  int64_t timeout = kMaxPollMs;
  for (const Task& task : tasks_) {
    if (task.millis_until_due) timeout = std::min<int64_t>(timeout, task.millis_until_due());
  }
  for (const Timer& timer : timers_) timeout = std::min(timeout, timer.due_ms - now_ms);
  return static_cast<int>(std::clamp<int64_t>(timeout, 0, kMaxPollMs));
}

void EventLoop::RunDueTimers(int64_t now_ms) {
  for (Timer& timer : timers_) {
    if (now_ms < timer.due_ms) continue;
    // A late turn runs a timer once, not once per missed interval.
    timer.due_ms = now_ms + timer.interval_ms;
    timer.run();
  }
}

Status EventLoop::Run() {
  const int64_t start = MonotonicMs();
  for (Timer& timer : timers_) timer.due_ms = start + timer.interval_ms;
  // The items of this turn; index i < sockets_.size() is sockets_[i], then the wake-up fds.
  std::vector<zmq::pollitem_t> items;
  std::vector<size_t> polled;  // items[k] belongs to sockets_[polled[k]]
  while (!stopping()) {
    turns_.fetch_add(1, std::memory_order_relaxed);
    // Only a loop with reload handlers takes the request, so that a second loop of the same
    // process (the aggregator's query thread) cannot swallow it.
    if (!reload_handlers_.empty() && TakeReloadRequest()) {
      for (auto& handler : reload_handlers_) handler();
    }
    items.clear();
    polled.clear();
    for (size_t i = 0; i < sockets_.size(); ++i) {
      zmq::pollitem_t item = sockets_[i].item();
      if (item.socket == nullptr && item.fd < 0) continue;
      item.revents = 0;
      items.push_back(item);
      polled.push_back(i);
    }
    const size_t wake_index = items.size();
    if (wake_fds_[0] >= 0) items.push_back({nullptr, wake_fds_[0], ZMQ_POLLIN, 0});
    if (SignalWakeFd() >= 0) items.push_back({nullptr, SignalWakeFd(), ZMQ_POLLIN, 0});
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(PollTimeoutMs(MonotonicMs())));
    } catch (const zmq::error_t& e) {
      if (e.num() != EINTR) return Status::IOError(fmt::format("polling the node's sockets: {}", e.what()));
      continue;
    }
    for (size_t k = wake_index; k < items.size(); ++k) {
      // A shutdown leaves the signal pipe readable for every loop of the process; only the
      // loop's own pipe and reload wake-ups are drained.
      if ((items[k].revents & ZMQ_POLLIN) && !ShutdownRequested()) DrainFd(items[k].fd);
    }
    if (stopping()) break;
    for (size_t k = 0; k < wake_index; ++k) {
      if (items[k].revents != 0) sockets_[polled[k]].on_ready(items[k].revents);
    }
    for (Task& task : tasks_) task.run();
    RunDueTimers(MonotonicMs());
  }
  return Status::OK();
}

}  // namespace tonghop
