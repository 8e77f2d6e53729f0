#include "cli/collector_client.h"

#include <chrono>
#include <thread>
#include <vector>

#include <fmt/format.h>
#include <zmq.hpp>

#include "core/handshake_monitor.h"
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
  std::string refusal;  // why the last handshake was refused, if one was
  auto NoAnswer = [&] {
    if (!refusal.empty()) {
      return Status::Unavailable(fmt::format("{} at {} refused this command's key within {} ms: {}. {}", peer, endpoint,
                                             timeout_ms, refusal, hint));
    }
    return Status::Unavailable(fmt::format("no answer from {} at {} within {} ms: {}", peer, endpoint, timeout_ms, hint));
  };
  const std::string request_bytes = request.SerializeAsString();
  const int64_t deadline = MonotonicMs() + timeout_ms;
  try {
    zmq::context_t context(1);
    // One socket per attempt: libzmq never retries a handshake the server refused, so a key
    // registered while the command waits gets in only on a new socket.
    for (int refusals = 0;; ++refusals) {
      zmq::socket_t socket(context, zmq::socket_type::dealer);
      LinkOptions link;
      link.curve = curve;
      ConfigureSocket(socket, link);
      // Without it a request to a collector that is not there would sit queued until the timeout
      // and then be dropped anyway; with it the socket is writable only once the connection is up
      // (under CURVE, once the handshake completed: a server that refuses the key never is).
      socket.set(zmq::sockopt::immediate, 1);
      HandshakeMonitor handshakes;
      TONGHOP_RETURN_IF_ERROR(handshakes.Watch(context, socket));
      socket.connect(endpoint);

      bool sent = false;
      bool refused = false;
      while (!refused) {
        const int64_t left = deadline - MonotonicMs();
        if (left <= 0) return NoAnswer();
        std::vector<zmq::pollitem_t> items = {{socket.handle(), 0, static_cast<short>(sent ? ZMQ_POLLIN : ZMQ_POLLOUT), 0},
                                              {handshakes.events().handle(), 0, ZMQ_POLLIN, 0}};
        try {
          zmq::poll(items, std::chrono::milliseconds(left));
        } catch (const zmq::error_t& e) {
          if (e.num() == EINTR) return Status::Unavailable("interrupted while waiting for " + peer);
          throw;
        }
        if (items[1].revents & ZMQ_POLLIN) refused = handshakes.TakeRefusal(&refusal);
        if (!sent && (items[0].revents & ZMQ_POLLOUT)) {
          // [empty][request]: the envelope a REQ socket would send.
          sent = socket.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
                 socket.send(zmq::buffer(request_bytes), zmq::send_flags::dontwait);
        } else if (sent && (items[0].revents & ZMQ_POLLIN)) {
          zmq::message_t frame;
          do {
            if (!socket.recv(frame, zmq::recv_flags::dontwait)) break;
          } while (frame.more());
          if (!ParseProto(frame, reply)) {
            return Status::Corruption(
                fmt::format("the answer from {} is not the reply {} sends: {}", endpoint, peer, hint));
          }
          return Status::OK();
        }
      }
      const int64_t retry_at = MonotonicMs() + RetryDelayMs(refusals + 1);
      if (retry_at >= deadline) return NoAnswer();
      std::this_thread::sleep_for(std::chrono::milliseconds(retry_at - MonotonicMs()));
    }
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(
        fmt::format("cannot talk to {} at {}: {} (endpoints look like "
                    "ipc://var/collectors/cao-loc/submit.sock or tcp://127.0.0.1:5553)",
                    peer, endpoint, e.what()));
  }
}

}  // namespace tonghop::cli
