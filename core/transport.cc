#include "core/transport.h"

#include "core/clock.h"
#include "core/wire_protocol.h"

#include <chrono>
#include <fmt/format.h>

namespace tonghop {

void ConfigureSocket(zmq::socket_t& socket, const LinkOptions& options) {
  socket.set(zmq::sockopt::linger, 0);
  socket.set(zmq::sockopt::sndhwm, options.send_hwm);
  socket.set(zmq::sockopt::rcvhwm, options.receive_hwm);
  socket.set(zmq::sockopt::sndtimeo, 0);
  socket.set(zmq::sockopt::maxmsgsize, options.max_message_bytes);
  socket.set(zmq::sockopt::reconnect_ivl, options.reconnect_interval_ms);
  socket.set(zmq::sockopt::reconnect_ivl_max, options.reconnect_interval_max_ms);
  socket.set(zmq::sockopt::tcp_keepalive, 1);
  socket.set(zmq::sockopt::tcp_keepalive_idle, options.tcp_keepalive_idle_s);
  socket.set(zmq::sockopt::tcp_keepalive_intvl, options.tcp_keepalive_interval_s);
  socket.set(zmq::sockopt::tcp_keepalive_cnt, options.tcp_keepalive_count);
  const CurveSocketKeys& curve = options.curve;
  if (curve.enabled()) {
    if (curve.server) {
      socket.set(zmq::sockopt::curve_server, 1);
      socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
      socket.set(zmq::sockopt::zap_domain, curve.zap_domain);
    } else {
      socket.set(zmq::sockopt::curve_serverkey, curve.server_key);
      socket.set(zmq::sockopt::curve_publickey, curve.public_key);
      socket.set(zmq::sockopt::curve_secretkey, curve.secret_key);
    }
  }
}

void ConfigureRouter(zmq::socket_t& router, const LinkOptions& options) {
  ConfigureSocket(router, options);
  router.set(zmq::sockopt::router_mandatory, 1);
}

Status SendProto(zmq::socket_t& socket, const google::protobuf::MessageLite& message, bool more) {
  std::string bytes = message.SerializeAsString();
  try {
    auto flags = zmq::send_flags::dontwait | (more ? zmq::send_flags::sndmore : zmq::send_flags::none);
    if (!socket.send(zmq::buffer(bytes), flags)) return Status::Unavailable("not sent: the peer is not taking messages now");
  } catch (const zmq::error_t& e) {
    return Status::Unavailable(fmt::format("send failed: {}", e.what()));
  }
  return Status::OK();
}

Status SendRouted(zmq::socket_t& router, const zmq::message_t& identity,
                  const google::protobuf::MessageLite& message) {
  try {
    zmq::message_t id_copy(identity.data(), identity.size());
    // ROUTER_MANDATORY checks the peer's queue at the identity frame; once it is taken, the body
    // always follows.
    if (!router.send(id_copy, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
      return Status::Unavailable("not sent: the peer is not reading its answers");
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH with ROUTER_MANDATORY: the peer disconnected.
    return Status::Unavailable(fmt::format("peer unreachable: {}", e.what()));
  }
  return SendProto(router, message);
}

Status SendReply(zmq::socket_t& router, const std::vector<zmq::message_t>& request,
                 const google::protobuf::MessageLite& reply) {
  try {
    for (size_t i = 0; i + 1 < request.size(); ++i) {
      zmq::message_t copy(request[i].data(), request[i].size());
      if (!router.send(copy, zmq::send_flags::sndmore | zmq::send_flags::dontwait)) {
        return Status::Unavailable("not sent: the client is not reading its answers");
      }
    }
  } catch (const zmq::error_t& e) {
    // EHOSTUNREACH with ROUTER_MANDATORY: the client left before its answer.
    return Status::Unavailable(fmt::format("client unreachable: {}", e.what()));
  }
  return SendProto(router, reply);
}

Status WaitWritable(zmq::socket_t& socket, int timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLOUT, 0}};
  for (;;) {
    const int64_t left = deadline - MonotonicMs();
    if (left <= 0) return Status::Unavailable(fmt::format("no connection within {} ms", timeout_ms));
    try {
      zmq::poll(items, std::chrono::milliseconds(left));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) return Status::Unavailable("interrupted while waiting for the connection");
      throw;
    }
    if (items[0].revents & ZMQ_POLLOUT) return Status::OK();
  }
}

bool ParseProto(const zmq::message_t& frame, google::protobuf::MessageLite* message) {
  return ParseQuietly(frame.to_string_view(), message);
}

}  // namespace tonghop
