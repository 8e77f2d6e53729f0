#include "core/handshake_monitor.h"

#include <algorithm>
#include <atomic>
#include <cstring>

#include <fmt/format.h>

namespace tonghop {

Status HandshakeMonitor::Watch(zmq::context_t& context, zmq::socket_t& socket, bool connect_failures) {
  static std::atomic<uint64_t> next_id{1};
  const std::string endpoint = fmt::format("inproc://tonghop-handshake-monitor-{}", next_id++);
  try {
    events_ = zmq::socket_t();
    // libzmq reports a connection that failed, or was lost, as the retry it schedules.
    const int events = ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                       (connect_failures ? ZMQ_EVENT_CONNECT_RETRIED : 0);
    if (zmq_socket_monitor(socket.handle(), endpoint.c_str(), events) != 0) {
      return Status::IOError(fmt::format("cannot monitor the socket's handshakes: {}", zmq_strerror(zmq_errno())));
    }
    events_ = zmq::socket_t(context, zmq::socket_type::pair);
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(endpoint);
  } catch (const zmq::error_t& e) {
    return Status::IOError(fmt::format("cannot monitor the socket's handshakes: {}", e.what()));
  }
  return Status::OK();
}

bool HandshakeMonitor::TakeRefusal(std::string* why, bool* connect_failed) {
  if (events_.handle() == nullptr) return false;
  bool refused = false;
  for (;;) {
    zmq::message_t header;
    zmq::message_t endpoint;
    try {
      if (!events_.recv(header, zmq::recv_flags::dontwait)) return refused;
      if (header.more() && !events_.recv(endpoint, zmq::recv_flags::dontwait)) return refused;
    } catch (const zmq::error_t&) {
      return refused;
    }
    if (header.size() < 6) continue;
    uint16_t event = 0;
    uint32_t value = 0;
    std::memcpy(&event, header.data(), sizeof event);
    std::memcpy(&value, static_cast<const char*>(header.data()) + 2, sizeof value);
    if (event == ZMQ_EVENT_CONNECT_RETRIED) {
      if (connect_failed != nullptr) *connect_failed = true;
      continue;
    }
    refused = true;
    if (why == nullptr) continue;
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
      *why = fmt::format("{} refused this node's key (status {}): it is not registered there, or not for this role",
                         endpoint.to_string(), value);
    } else if (value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH) {
      *why = fmt::format("{} and this node disagree on CURVE: one of them runs in plain text", endpoint.to_string());
    } else {
      *why = fmt::format("the handshake with {} failed (ZMTP protocol error {:#x})", endpoint.to_string(), value);
    }
  }
}

int RetryDelayMs(int refusals) {
  const int shift = std::clamp(refusals - 1, 0, 4);
  return std::min(500 << shift, 5'000);
}

}  // namespace tonghop
