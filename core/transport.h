// ZeroMQ helpers shared by every node: socket options that make message loss visible instead of
// silent (see shared ENGINEERING-NOTES: ROUTER drops, infinite linger, heartbeats off by default),
// and protobuf framing. Each tonghop message is one protobuf in the last frame of a ZeroMQ message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <google/protobuf/message_lite.h>
#include <zmq.hpp>

#include "core/status.h"

namespace tonghop {

struct LinkOptions {
  int send_hwm = 100'000;              // messages queued per peer before sends fail or block
  int receive_hwm = 100'000;
  int send_timeout_ms = 200;           // a send that cannot proceed fails after this, never blocks forever
  int heartbeat_interval_ms = 1'000;   // ZMTP PING interval; 0 disables
  int heartbeat_timeout_ms = 5'000;    // connection dropped when no traffic for this long
  int reconnect_interval_ms = 100;
  int reconnect_interval_max_ms = 5'000;  // exponential backoff up to this
  int64_t max_message_bytes = 16 << 20;  // larger messages disconnect the peer
};

// Applies `options` and linger 0 (pending messages are the application's to resend, and a node
// must be able to exit while a peer is unreachable).
void ConfigureSocket(zmq::socket_t& socket, const LinkOptions& options);

// ConfigureSocket plus ZMQ_ROUTER_MANDATORY: a reply to a peer that is gone or at its HWM fails
// with an error instead of vanishing.
void ConfigureRouter(zmq::socket_t& router, const LinkOptions& options);

// Serializes `message` into one frame and sends it; `more` sends it as a non-final frame.
// Unavailable when the socket could not take it within its send timeout.
Status SendProto(zmq::socket_t& socket, const google::protobuf::MessageLite& message, bool more = false);

// Sends [identity][message] on a ROUTER. Unavailable when the peer is gone or full.
Status SendRouted(zmq::socket_t& router, const zmq::message_t& identity,
                  const google::protobuf::MessageLite& message);

// Parses one frame; false on malformed bytes (never throws).
bool ParseProto(const zmq::message_t& frame, google::protobuf::MessageLite* message);

// Milliseconds since the Unix epoch.
int64_t NowMs();

// Monotonic milliseconds, for timers and timeouts.
int64_t MonotonicMs();

}  // namespace tonghop
