#include "cli/collector_client.h"

#include <algorithm>
#include <chrono>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <zmq.hpp>

#include "core/clock.h"
#include "core/handshake_monitor.h"
#include "core/transport.h"

namespace tonghop::cli {

namespace {

// One endpoint of an exchange: its socket, and what it did, for the message when none answers.
struct Attempt {
  std::string endpoint;
  zmq::socket_t socket;  // none between a refused handshake and the next try
  HandshakeMonitor handshakes;
  int64_t asked_at_ms = -1;  // -1: not asked yet
  int64_t retry_at_ms = 0;   // a new socket then, after a refused handshake
  int refusals = 0;
  bool sent = false;             // the request is on its way over the current connection
  bool connected = false;        // the request was sent at least once
  bool connect_failed = false;   // a connection failed or was lost
  bool failing = false;          // failed for now: the next endpoint need not wait for it
  bool answered_badly = false;   // what it sent was not a reply: it is not asked again
  std::string refusal;           // why its last handshake was refused

  std::string What(const std::string& peer) const {
    if (answered_badly) return "its answer is not the reply " + peer + " sends";
    if (connected) return "connected, but it did not answer";
    if (!refusal.empty()) return "it refused this command's key: " + refusal;
    if (connect_failed) return "nothing accepted the connection";
    return "no connection";
  }
};

}  // namespace

Status CallCollector(const std::string& endpoint, const tonghop::v1::LocalRequest& request,
                     int timeout_ms, tonghop::v1::LocalReply* reply) {
  return CallEndpoint({endpoint}, CurveSocketKeys(), request, timeout_ms, reply, "the collector",
                      "is it running, and is this its --submit_endpoint? (deploy/local/province.sh status)");
}

Status CallEndpoint(const std::vector<std::string>& endpoints, const CurveSocketKeys& curve,
                    const google::protobuf::MessageLite& request, int timeout_ms,
                    google::protobuf::MessageLite* reply, const std::string& peer, const std::string& hint,
                    std::string* answered) {
  if (endpoints.empty()) return Status::InvalidArgument("no endpoint to ask " + peer + " at");
  const std::string request_bytes = request.SerializeAsString();
  const int64_t deadline = MonotonicMs() + timeout_ms;
  const int64_t stagger_ms = timeout_ms / (2 * static_cast<int64_t>(endpoints.size()));
  std::string failed_endpoint;  // for the message of a zmq error
  try {
    // Before the sockets, so that they are closed before it terminates.
    zmq::context_t context(1);
    std::vector<Attempt> attempts(endpoints.size());
    for (size_t i = 0; i < endpoints.size(); ++i) attempts[i].endpoint = endpoints[i];
    auto NoAnswer = [&] {
      if (attempts.size() == 1) {
        const Attempt& only = attempts[0];
        if (only.answered_badly) {
          return Status::Corruption(fmt::format("the answer from {} is not the reply {} sends: {}", only.endpoint, peer, hint));
        }
        if (!only.connected && !only.refusal.empty()) {
          return Status::Unavailable(fmt::format("{} at {} refused this command's key within {} ms: {}. {}", peer,
                                                 only.endpoint, timeout_ms, only.refusal, hint));
        }
        return Status::Unavailable(fmt::format("no answer from {} at {} within {} ms ({}): {}", peer, only.endpoint,
                                               timeout_ms, only.What(peer), hint));
      }
      std::vector<std::string> each;
      bool all_bad = true;
      for (const Attempt& a : attempts) {
        each.push_back(fmt::format("{} ({})", a.endpoint, a.What(peer)));
        all_bad = all_bad && a.answered_badly;
      }
      if (all_bad) {
        return Status::Corruption(fmt::format("the answers from {} are not the reply {} sends: {}", fmt::join(endpoints, ", "),
                                              peer, hint));
      }
      return Status::Unavailable(fmt::format("no answer from {} within {} ms at any of {}: {}", peer, timeout_ms,
                                             fmt::join(each, ", "), hint));
    };
    // A new socket for `a`: one per try, as libzmq never retries a handshake the server refused,
    // so a key registered while the command waits gets in only on a new socket.
    auto Open = [&](Attempt& a) -> Status {
      failed_endpoint = a.endpoint;
      a.socket = zmq::socket_t(context, zmq::socket_type::dealer);
      LinkOptions link;
      link.curve = curve;
      ConfigureSocket(a.socket, link);
      // Without it a request to a server that is not there would sit queued until the timeout
      // and then be dropped anyway; with it the socket is writable only once the connection is up
      // (under CURVE, once the handshake completed: a server that refuses the key never is).
      a.socket.set(zmq::sockopt::immediate, 1);
      TONGHOP_RETURN_IF_ERROR(a.handshakes.Watch(context, a.socket, /*connect_failures=*/true));
      a.socket.connect(a.endpoint);
      a.sent = false;
      a.failing = false;
      return Status::OK();
    };
    size_t asked = 0;
    for (;;) {
      int64_t now = MonotonicMs();
      // The next endpoint, when each asked so far failed for now, or the last has had its time.
      if (asked < attempts.size()) {
        bool all_failing = true;
        for (size_t i = 0; i < asked; ++i) all_failing = all_failing && attempts[i].failing;
        if (asked == 0 || all_failing || now >= attempts[asked - 1].asked_at_ms + stagger_ms) {
          attempts[asked].asked_at_ms = now;
          TONGHOP_RETURN_IF_ERROR(Open(attempts[asked++]));
          continue;
        }
      }
      bool all_answered_badly = asked == attempts.size();
      int64_t wake_at = deadline;
      if (asked < attempts.size()) wake_at = std::min(wake_at, attempts[asked - 1].asked_at_ms + stagger_ms);
      for (size_t i = 0; i < asked; ++i) {
        Attempt& a = attempts[i];
        all_answered_badly = all_answered_badly && a.answered_badly;
        if (a.answered_badly || a.socket.handle() != nullptr) continue;
        if (a.retry_at_ms <= now) {
          TONGHOP_RETURN_IF_ERROR(Open(a));
        } else {
          wake_at = std::min(wake_at, a.retry_at_ms);
        }
      }
      if (all_answered_badly || now >= deadline) return NoAnswer();

      std::vector<zmq::pollitem_t> items;
      std::vector<Attempt*> polled;
      for (size_t i = 0; i < asked; ++i) {
        Attempt& a = attempts[i];
        if (a.socket.handle() == nullptr) continue;
        items.push_back({a.socket.handle(), 0, static_cast<short>(a.sent ? ZMQ_POLLIN : ZMQ_POLLOUT), 0});
        items.push_back({a.handshakes.events().handle(), 0, ZMQ_POLLIN, 0});
        polled.push_back(&a);
      }
      try {
        zmq::poll(items, std::chrono::milliseconds(std::max<int64_t>(wake_at - now, 0)));
      } catch (const zmq::error_t& e) {
        if (e.num() == EINTR) return Status::Unavailable("interrupted while waiting for " + peer);
        throw;
      }
      now = MonotonicMs();
      for (size_t k = 0; k < polled.size(); ++k) {
        Attempt& a = *polled[k];
        if (items[2 * k + 1].revents & ZMQ_POLLIN) {
          bool lost = false;
          if (a.handshakes.TakeRefusal(&a.refusal, &lost)) {
            a.socket = zmq::socket_t();
            a.handshakes = HandshakeMonitor();
            a.failing = true;
            a.retry_at_ms = now + RetryDelayMs(++a.refusals);
            continue;
          }
          if (lost) {
            // A request sent over a connection now lost is lost with it: sent again once it is back.
            a.connect_failed = true;
            a.failing = true;
            a.sent = false;
          }
        }
        const short revents = items[2 * k].revents;
        if (!a.sent && (revents & ZMQ_POLLOUT)) {
          // [empty][request]: the envelope a REQ socket would send.
          a.sent = a.socket.send(zmq::message_t(), zmq::send_flags::sndmore | zmq::send_flags::dontwait) &&
                   a.socket.send(zmq::buffer(request_bytes), zmq::send_flags::dontwait);
          a.connected = a.connected || a.sent;
          a.failing = a.failing && !a.sent;
        } else if (a.sent && (revents & ZMQ_POLLIN)) {
          zmq::message_t frame;
          do {
            if (!a.socket.recv(frame, zmq::recv_flags::dontwait)) break;
          } while (frame.more());
          if (ParseProto(frame, reply)) {
            if (answered != nullptr) *answered = a.endpoint;
            return Status::OK();
          }
          a.answered_badly = true;
          a.failing = true;
          a.socket = zmq::socket_t();
          a.handshakes = HandshakeMonitor();
        }
      }
    }
  } catch (const zmq::error_t& e) {
    return Status::InvalidArgument(
        fmt::format("cannot talk to {} at {}: {} (endpoints look like "
                    "ipc://var/collectors/cao-loc/submit.sock or tcp://127.0.0.1:5553)",
                    peer, failed_endpoint, e.what()));
  }
}

}  // namespace tonghop::cli
