#include "cli/collector_client.h"

#include <chrono>
#include <vector>

#include <fmt/format.h>
#include <zmq.hpp>

#include "core/transport.h"

namespace tonghop::cli {

Status CallCollector(const std::string& endpoint, const tonghop::v1::LocalRequest& request,
                     int timeout_ms, tonghop::v1::LocalReply* reply) {
  return CallEndpoint(endpoint, CurveSocketKeys(), request, timeout_ms, reply, "the collector",
                      "is it running, and is this its --submit_endpoint? (deploy/local/province.sh status)");
}

Status CallEndpoint(const std::string& endpoint, const CurveSocketKeys& curve,
                    const google::protobuf::MessageLite& request, int timeout_ms,
                    google::protobuf::MessageLite* reply, const std::string& peer, const std::string& hint) {
  auto NoAnswer = [&] {
    return Status::Unavailable(fmt::format("no answer from {} at {} within {} ms: {}", peer, endpoint, timeout_ms, hint));
  };
  try {
    zmq::context_t context(1);
    zmq::socket_t socket(context, zmq::socket_type::dealer);
    LinkOptions link;
    link.send_timeout_ms = timeout_ms;
    link.heartbeat_interval_ms = 0;  // one short exchange: the timeout below is the liveness check
    link.curve = curve;
    ConfigureSocket(socket, link);
    // Without it a request to a collector that is not there would sit queued until the timeout
    // and then be dropped anyway; with it the send itself waits for the connection (under CURVE,
    // for a completed handshake: a server that refuses the key times the send out).
    socket.set(zmq::sockopt::immediate, 1);
    socket.connect(endpoint);

    const int64_t deadline = MonotonicMs() + timeout_ms;
    auto sent = socket.send(zmq::message_t(), zmq::send_flags::sndmore);
    if (!sent) return NoAnswer();
    Status s = SendProto(socket, request);
    if (!s.ok()) return NoAnswer();

    std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, ZMQ_POLLIN, 0}};
    for (;;) {
      int64_t left = deadline - MonotonicMs();
      if (left <= 0) return NoAnswer();
      try {
        zmq::poll(items, std::chrono::milliseconds(left));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) return Status::Unavailable("interrupted while waiting for " + peer);
        throw;
      }
      if (items[0].revents & ZMQ_POLLIN) break;
    }
    zmq::message_t frame;
    do {
      if (!socket.recv(frame, zmq::recv_flags::dontwait)) break;
    } while (frame.more());
    if (!ParseProto(frame, reply)) {
      return Status::Corruption(fmt::format("the answer from {} is not the reply {} sends: {}", endpoint, peer, hint));
    }
    return Status::OK();
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(
        fmt::format("cannot talk to {} at {}: {} (endpoints look like "
                    "ipc://var/collectors/cao-loc/submit.sock or tcp://127.0.0.1:5553)",
                    peer, endpoint, e.what()));
  }
}

}  // namespace tonghop::cli
