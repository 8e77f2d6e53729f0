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
  int send_hwm = 100'000;              // messages queued per peer before sends fail (never block)
  int receive_hwm = 100'000;
  int reconnect_interval_ms = 100;
  int reconnect_interval_max_ms = 5'000;  // exponential backoff up to this
  int64_t max_message_bytes = 16 << 20;  // larger messages disconnect the peer
  // TCP keepalive, in seconds: a peer whose machine or link died silently (no FIN, no RST) is
  // found after idle + count * interval and its connection's memory freed. ZMTP heartbeats are
  // never turned on: in libzmq 4.3.4 their timer aborts the process (assertion !_io_error,
  // stream_engine_base.cpp:331) on a connection whose input was stopped when its peer reset it,
  // which any peer that sends without reading can cause. Liveness is the protocol's own
  // heartbeats (ingest Heartbeat, feed "hb") plus this.
  int tcp_keepalive_idle_s = 30;
  int tcp_keepalive_interval_s = 10;
  int tcp_keepalive_count = 3;
  CurveSocketKeys curve;                  // plain text unless set

  // The same options under CURVE with `keys`; a server's ZAP handler admits the KeyRegistry role
  // `zap_domain` (core/zap_handler.h); clients ignore it. Disabled keys leave the link in plain text.
  LinkOptions WithCurve(const CurveSocketKeys& keys, std::string_view zap_domain) const {
    LinkOptions copy = *this;
    copy.curve = keys;
    copy.curve.zap_domain = zap_domain;
    return copy;
  }
};

// Applies `options`, linger 0 (pending messages are the application's to resend, and a node
// must be able to exit while a peer is unreachable) and a send timeout of 0: no send on a
// tonghop socket ever waits (a client that must wait for its connection polls for ZMQ_POLLOUT,
// WaitWritable). Call before bind or connect: CURVE keys apply only to connections made
// afterwards.
void ConfigureSocket(zmq::socket_t& socket, const LinkOptions& options);

// ConfigureSocket plus ZMQ_ROUTER_MANDATORY: a reply to a peer that is gone or at its HWM fails
// with an error instead of vanishing.
void ConfigureRouter(zmq::socket_t& router, const LinkOptions& options);

// Serializes `message` into one frame and sends it without waiting; `more` sends it as a non-final
// frame. Unavailable when the socket cannot take it now (no connection yet, or the peer's queue
// is full): the caller drops it, counts it, and relies on the protocol's resend.
Status SendProto(zmq::socket_t& socket, const google::protobuf::MessageLite& message, bool more = false);

// Sends [identity][message] on a ROUTER without waiting. Unavailable when the peer is gone or its
// queue is full (a peer that does not read): a reply is never worth stalling the loop for, and
// every request of the protocol is resent by its client when unanswered.
Status SendRouted(zmq::socket_t& router, const zmq::message_t& identity,
                  const google::protobuf::MessageLite& message);

// Answers, on a ROUTER, the request whose frames are `request` ([identity] ... [body]): its
// envelope (the identity, and a REQ client's empty delimiter) goes back in front of `reply`, so
// REQ and DEALER clients both get it. Unavailable when the client is gone or full.
Status SendReply(zmq::socket_t& router, const std::vector<zmq::message_t>& request,
                 const google::protobuf::MessageLite& reply);

// Polls `socket` until it can take a message (ZMQ_POLLOUT) or timeout_ms passes: for one-shot
// clients (the CLI), whose first send must wait for the connection. Unavailable on timeout.
Status WaitWritable(zmq::socket_t& socket, int timeout_ms);

// Parses one frame; false on malformed bytes (never throws, never logs: core/wire_protocol.h).
bool ParseProto(const zmq::message_t& frame, google::protobuf::MessageLite* message);

}  // namespace tonghop
