// ZeroMQ helpers shared by every node: socket options that make message loss visible instead of
// silent (see shared ENGINEERING-NOTES: ROUTER drops, infinite linger, heartbeats off by default),
// and protobuf framing. Each tonghop message is one protobuf in the last frame of a ZeroMQ message.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message_lite.h>
#include <zmq.hpp>

#include "core/status.h"

namespace tonghop {

// CURVE settings of one socket; core/link_security.h builds them from a node's flags. With no
// secret key the socket speaks plain text (the NULL mechanism).
struct CurveSocketKeys {
  bool server = false;      // a server needs only its own pair; a client also the server's key
  std::string public_key;   // this node's, Z85
  std::string secret_key;   // this node's, Z85; never logged
  std::string server_key;   // a client's: the server's public key, Z85
  // A server's ZAP domain: the KeyRegistry role its ZapHandler admits (core/zap_handler.h).
  std::string zap_domain;
  bool enabled() const { return !secret_key.empty(); }
};

struct LinkOptions {
  int send_hwm = 100'000;              // messages queued per peer before sends fail or block
  int receive_hwm = 100'000;
  int send_timeout_ms = 200;           // a send that cannot proceed fails after this, never blocks forever
  int heartbeat_interval_ms = 1'000;   // ZMTP PING interval; 0 disables
  int heartbeat_timeout_ms = 5'000;    // connection dropped when no traffic for this long
  int reconnect_interval_ms = 100;
  int reconnect_interval_max_ms = 5'000;  // exponential backoff up to this
  int64_t max_message_bytes = 16 << 20;  // larger messages disconnect the peer
  CurveSocketKeys curve;                  // plain text unless set

  // A node's --heartbeat_interval_ms drives its ZMTP heartbeats too: a peer silent for five
  // intervals is taken for dead and the connection is dropped and re-made.
  void SetHeartbeat(int interval_ms) {
    heartbeat_interval_ms = interval_ms;
    heartbeat_timeout_ms = 5 * interval_ms;
  }

  // The same options under CURVE with `keys`; a server's ZAP handler admits the KeyRegistry role
  // `zap_domain` (core/zap_handler.h); clients ignore it. Disabled keys leave the link in plain text.
  LinkOptions WithCurve(const CurveSocketKeys& keys, std::string_view zap_domain) const {
    LinkOptions copy = *this;
    copy.curve = keys;
    copy.curve.zap_domain = zap_domain;
    return copy;
  }

  // The same options without ZMTP heartbeats, for the Clone feed's PUB and SUB. A SUB whose
  // application stops reading stops reading the connection too (its receive HWM is reached), so
  // its heartbeat timer or a failed PONG marks the connection broken while input is paused, and
  // libzmq 4.3.4 then aborts on the next read (assertion !_io_error, stream_engine_base.cpp:331).
  // The feed has its own liveness: "hb" messages and the replica's reconnect after silence.
  LinkOptions WithoutZmtpHeartbeats() const {
    LinkOptions copy = *this;
    copy.heartbeat_interval_ms = 0;
    return copy;
  }
};

// Applies `options` and linger 0 (pending messages are the application's to resend, and a node
// must be able to exit while a peer is unreachable). Call before bind or connect: CURVE keys
// apply only to connections made afterwards.
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

// Answers, on a ROUTER, the request whose frames are `request` ([identity] ... [body]): its
// envelope (the identity, and a REQ client's empty delimiter) goes back in front of `reply`, so
// REQ and DEALER clients both get it. Unavailable when the client is gone or full.
Status SendReply(zmq::socket_t& router, const std::vector<zmq::message_t>& request,
                 const google::protobuf::MessageLite& reply);

// Parses one frame; false on malformed bytes (never throws).
bool ParseProto(const zmq::message_t& frame, google::protobuf::MessageLite* message);

// Milliseconds since the Unix epoch.
int64_t NowMs();

// Monotonic milliseconds, for timers and timeouts.
int64_t MonotonicMs();

}  // namespace tonghop
