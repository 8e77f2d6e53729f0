// HandshakeMonitor: tells a client node that a server refused its handshake, so that it can try
// again. libzmq 4.3.4 never reconnects a socket whose CURVE handshake a server refused (a key not
// in the registry yet, or of another role): the socket stays silent forever, and a collector
// started before its key was registered would never get in. The owner watches its socket with
// this (libzmq's socket monitor, over an inproc PAIR) and, on a refusal, replaces the socket after
// RetryDelayMs, so that it gets in within seconds of its key being registered.
//
// Not thread-safe: the owner's thread reads the events.
#pragma once

#include <cstdint>
#include <string>

#include <zmq.hpp>

#include "core/status.h"

namespace tonghop {

class HandshakeMonitor {
 public:
  HandshakeMonitor() = default;
  HandshakeMonitor(HandshakeMonitor&&) = default;
  HandshakeMonitor& operator=(HandshakeMonitor&&) = default;

  // Starts watching `socket` of `context`; call before it connects. Replaces any earlier watch.
  // With `connect_failures`, also watches for connections that failed or were lost (refused,
  // unreachable, reset), which libzmq retries by itself: a client with somewhere else to ask
  // need not wait for it (cli/aggregator_client.h).
  Status Watch(zmq::context_t& context, zmq::socket_t& socket, bool connect_failures = false);

  // Reads the events that arrived since the last call, without waiting. True when a handshake
  // was refused since; *why then says how (the server's status code, or a protocol error).
  // *connect_failed, when given, is set when a connection failed or was lost since (only seen
  // when watched).
  bool TakeRefusal(std::string* why, bool* connect_failed = nullptr);

  // The socket the events arrive on, for a poll set (ZMQ_POLLIN: call TakeRefusal).
  zmq::socket_t& events() { return events_; }

 private:
  zmq::socket_t events_;
};

// How long to wait before the next attempt after `refusals` refused handshakes in a row: 500 ms,
// doubling up to 5 s, so that a refused client costs the server little and still gets in within
// seconds of its key being registered.
int RetryDelayMs(int refusals);

}  // namespace tonghop
