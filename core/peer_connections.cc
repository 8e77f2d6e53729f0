#include "core/peer_connections.h"

#include <arpa/inet.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <future>

#include <fmt/format.h>
#include <spdlog/spdlog.h>
#include <zmq_addon.hpp>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop {
namespace {

// Each monitor needs an inproc endpoint of its own in the context.
std::atomic<uint64_t> monitors_started{0};

// epoll data of the two descriptors the thread waits on.
constexpr uint64_t kMonitorEvent = 0;
constexpr uint64_t kWakeEvent = 1;

// What each connection sent is looked at every 5 ms, or less often with many connections: 20 of
// them a millisecond (about 2% of a core), so that a flood is cut off within 5 ms with few peers.
constexpr int kMinInboundCheckMs = 5;
constexpr size_t kInboundChecksPerMs = 20;

// How often the thread looks for peers that stopped reading (a stall is seen on two looks).
int StallCheckIntervalMs(int stall_timeout_ms) { return std::clamp(stall_timeout_ms / 3, 50, 1'000); }

bool ReadTcpInfo(int fd, tcp_info* info) {
  socklen_t length = sizeof *info;
  *info = tcp_info{};
  return getsockopt(fd, IPPROTO_TCP, TCP_INFO, info, &length) == 0;
}

std::string PeerAddress(int fd) {
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = "?";
  if (address.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&address);
    inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return fmt::format("{}:{}", text, ntohs(in->sin_port));
  }
  if (address.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&address);
    inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return fmt::format("[{}]:{}", text, ntohs(in6->sin6_port));
  }
  return "a local peer";
}

}  // namespace

PeerConnections::PeerConnections(zmq::context_t& context, zmq::socket_t& socket, std::string peers)
    : context_(context), socket_(socket), peers_(std::move(peers)) {}

PeerConnections::~PeerConnections() {
  if (!started_) return;
  // The monitor first: an event sent to a monitor nobody reads would block the sending libzmq
  // thread (socket_base_t::monitor_event sends without ZMQ_DONTWAIT).
  zmq_socket_monitor(socket_.handle(), nullptr, 0);
  const uint64_t one = 1;
  if (write(wake_fd_, &one, sizeof one) != sizeof one) spdlog::error("cannot stop the connection watcher");
  if (thread_.joinable()) thread_.join();
  close(wake_fd_);
}

Status PeerConnections::Start(const Limits& limits, std::string flags_hint) {
  limits_ = limits;
  flags_hint_ = std::move(flags_hint);
  monitor_endpoint_ = fmt::format("inproc://tonghop-peer-connections-{}", monitors_started++);
  wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (wake_fd_ < 0) return Status::IOError(fmt::format("cannot make an eventfd: {}", strerror(errno)));
  if (zmq_socket_monitor(socket_.handle(), monitor_endpoint_.c_str(), ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED) != 0) {
    return Status::IOError(fmt::format("cannot monitor a socket's connections: {}", zmq_strerror(zmq_errno())));
  }
  started_ = true;
  // The thread's end of the monitor is connected before Start returns, and so before the socket
  // binds: no event is ever sent to a monitor nobody reads.
  std::promise<Status> connected;
  std::future<Status> result = connected.get_future();
  thread_ = std::thread([this, &connected] {
    zmq::socket_t monitor(context_, zmq::socket_type::pair);
    try {
      monitor.set(zmq::sockopt::linger, 0);
      // No limit on the events queued: libzmq's I/O thread would block on a full monitor.
      monitor.set(zmq::sockopt::rcvhwm, 0);
      monitor.connect(monitor_endpoint_);
    } catch (const zmq::error_t& e) {
      connected.set_value(Status::IOError(fmt::format("cannot read a socket's monitor: {}", e.what())));
      return;
    }
    connected.set_value(Status::OK());
    Run(monitor);
  });
  return result.get();
}

void PeerConnections::Run(zmq::socket_t& monitor) {
  const int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
  if (epoll_fd < 0) {
    spdlog::error("the {} connection watcher cannot start: epoll: {}", peers_, strerror(errno));
    return;
  }
  // A monitor's ZMQ_FD only says that something may have arrived: the events are read after every
  // wake-up, whatever woke the thread, until none is left (and once now, so that the next one
  // signals).
  {
    std::lock_guard lock(mutex_);
    ReadEvents(monitor);
  }
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.u64 = kMonitorEvent;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, monitor.get(zmq::sockopt::fd), &event);
  event.data.u64 = kWakeEvent;
  epoll_ctl(epoll_fd, EPOLL_CTL_ADD, wake_fd_, &event);

  const bool inbound = limits_.inbound_burst_bytes > 0;
  const bool stalls = limits_.stall_timeout_ms > 0;
  const int stall_check_ms = StallCheckIntervalMs(limits_.stall_timeout_ms);
  int64_t next_stall_check_ms = MonotonicMs() + stall_check_ms;
  int inbound_check_ms = kMinInboundCheckMs;
  bool stopping = false;
  bool idle = true;  // no connection open: only the monitor can bring work
  while (!stopping) {
    epoll_event ready[2];
    const int timeout_ms = idle ? 1'000 : inbound ? inbound_check_ms : stalls ? stall_check_ms : 1'000;
    const int count = epoll_wait(epoll_fd, ready, 2, timeout_ms);
    for (int i = 0; i < count; ++i) stopping = stopping || ready[i].data.u64 == kWakeEvent;
    const int64_t now = MonotonicMs();
    std::lock_guard lock(mutex_);
    ReadEvents(monitor);
    // What each peer sent is read from the kernel, for all of them each time: a readiness
    // notice would be lost to libzmq, which reads the socket first.
    if (inbound) {
      for (auto& [fd, connection] : open_) CheckInbound(fd, connection, now);
      inbound_check_ms = std::max(kMinInboundCheckMs, static_cast<int>(open_.size() / kInboundChecksPerMs));
    }
    if (stalls && now >= next_stall_check_ms) {
      CheckStalled(now);
      next_stall_check_ms = now + stall_check_ms;
    }
    idle = open_.empty();
  }
  close(epoll_fd);
}

void PeerConnections::ReadEvents(zmq::socket_t& monitor) {
  std::vector<zmq::message_t> frames;
  while (true) {
    frames.clear();
    try {
      if (!zmq::recv_multipart(monitor, std::back_inserter(frames), zmq::recv_flags::dontwait)) return;
    } catch (const zmq::error_t&) {
      return;  // the context is ending
    }
    // Version 1 events: [16-bit event, 32-bit value][endpoint].
    if (frames.empty() || frames[0].size() != 6) continue;
    uint16_t event = 0;
    uint32_t value = 0;
    std::memcpy(&event, frames[0].data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(frames[0].data()) + sizeof event, sizeof value);
    const int fd = static_cast<int>(value);
    if (event == ZMQ_EVENT_ACCEPTED) {
      Connection& connection = open_[fd] = Connection{};
      tcp_info info;
      connection.tcp = ReadTcpInfo(fd, &info);
      connection.inbound_allowance = static_cast<double>(limits_.inbound_burst_bytes);
      connection.allowance_ms = MonotonicMs();
      CheckInbound(fd, connection, connection.allowance_ms);
    } else if (event == ZMQ_EVENT_DISCONNECTED && open_.erase(fd) > 0) {
      closed_.push_back(fd);
    }
  }
}

void PeerConnections::CheckInbound(int fd, Connection& connection, int64_t now_ms) {
  if (!connection.tcp || connection.cut_off || limits_.inbound_burst_bytes <= 0) return;
  tcp_info info;
  if (!ReadTcpInfo(fd, &info)) return;
  if (info.tcpi_bytes_received < connection.bytes_received) {
    // Fewer than before: the number belongs to a new connection already; its own event follows.
    return;
  }
  const double burst = static_cast<double>(limits_.inbound_burst_bytes);
  connection.inbound_allowance =
      std::min(burst, connection.inbound_allowance + static_cast<double>(now_ms - connection.allowance_ms) *
                                                         static_cast<double>(limits_.inbound_bytes_per_second) / 1'000.0);
  connection.allowance_ms = now_ms;
  connection.inbound_allowance -= static_cast<double>(info.tcpi_bytes_received - connection.bytes_received);
  connection.bytes_received = info.tcpi_bytes_received;
  if (connection.inbound_allowance < 0) {
    Shut(fd, connection,
         fmt::format("it sent {} bytes, more than {} at once or {} a second", info.tcpi_bytes_received,
                     limits_.inbound_burst_bytes, limits_.inbound_bytes_per_second));
  }
}

void PeerConnections::CheckStalled(int64_t now_ms) {
  for (auto& [fd, connection] : open_) {
    if (!connection.tcp || connection.cut_off) continue;
    tcp_info info;
    int waiting = 0;  // bytes the peer has not acknowledged yet
    if (!ReadTcpInfo(fd, &info) || ioctl(fd, SIOCOUTQ, &waiting) != 0) continue;
    if (waiting == 0 || info.tcpi_bytes_acked != connection.bytes_acked) {
      connection.bytes_acked = info.tcpi_bytes_acked;
      connection.stalled_since_ms = 0;
    } else if (connection.stalled_since_ms == 0) {
      connection.stalled_since_ms = now_ms;
    } else if (now_ms - connection.stalled_since_ms >= limits_.stall_timeout_ms) {
      Shut(fd, connection,
           fmt::format("it took none of the {} bytes waiting for it for {} ms", waiting, now_ms - connection.stalled_since_ms));
    }
  }
}

void PeerConnections::Shut(int fd, Connection& connection, const std::string& why) {
  if (cut_off_log_.Allow()) {
    spdlog::warn("cut off the {} at {}: {} ({}; {} more cut-offs not logged)", peers_, PeerAddress(fd), why,
                 flags_hint_, cut_off_log_.suppressed());
  }
  shutdown(fd, SHUT_RDWR);
  connection.cut_off = true;
  cut_offs_.fetch_add(1, std::memory_order_relaxed);
}

std::vector<int> PeerConnections::TakeClosed() {
  std::lock_guard lock(mutex_);
  std::vector<int> closed;
  closed.swap(closed_);
  return closed;
}

bool PeerConnections::CutOff(int fd) {
  std::lock_guard lock(mutex_);
  auto it = open_.find(fd);
  if (it == open_.end()) return false;
  shutdown(fd, SHUT_RDWR);
  it->second.cut_off = true;
  return true;
}

bool PeerConnections::IsOpen(int fd) {
  std::lock_guard lock(mutex_);
  return open_.count(fd) > 0;
}

size_t PeerConnections::size() {
  std::lock_guard lock(mutex_);
  return open_.size();
}

int PeerConnections::SourceFd(const zmq::message_t& message) {
  return zmq_msg_get(message.handle(), ZMQ_SRCFD);
}

}  // namespace tonghop
