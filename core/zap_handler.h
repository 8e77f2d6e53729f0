// ZapHandler: the ZeroMQ authentication handler (ZAP, RFC 27) of a server node's context. libzmq
// asks it about every CURVE handshake on the context's server sockets; it admits a client only
// when its public key is in the current KeyRegistry with a role the socket's ZAP domain admits
// (KeyRegistry::Admits: the aggregator's ingest socket has domain "ingest", for collector and
// office keys; its feed sockets "publisher", its query socket "office", an authenticated
// publisher's subscriber sockets "subscriber"). The
// reply's user id is the client's Z85 public key: libzmq attaches it to every message of that
// connection as the "User-Id" property (PeerPublicKey), so the node can check each message
// against the registry as it is now, not only at the handshake. Connections that are not CURVE
// are refused.
//
// It serves a REP socket on inproc://zeromq.zap.01 in its own thread. The registry is replaced
// whole (SetRegistry, on SIGHUP) and the next handshake sees the new one. Refusals are logged,
// at most one line a second, with the public key (never a secret) and the peer's address.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <zmq.hpp>

#include "core/key_registry.h"
#include "core/log_limiter.h"
#include "core/status.h"

namespace tonghop {

class ZapHandler {
 public:
  explicit ZapHandler(zmq::context_t& context);
  ~ZapHandler();  // stops the thread and closes its socket (before the context terminates)
  ZapHandler(const ZapHandler&) = delete;
  ZapHandler& operator=(const ZapHandler&) = delete;

  // Binds inproc://zeromq.zap.01 (one handler per context) and starts answering. Call before
  // the server sockets bind.
  Status Start(std::shared_ptr<const KeyRegistry> registry);

  void SetRegistry(std::shared_ptr<const KeyRegistry> registry);
  std::shared_ptr<const KeyRegistry> registry() const;

  uint64_t admitted() const { return admitted_.load(); }
  uint64_t refused() const { return refused_.load(); }

 private:
  void Serve();
  void Answer(std::vector<zmq::message_t>& request);

  zmq::context_t& context_;
  zmq::socket_t socket_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::shared_ptr<const KeyRegistry> registry_;
  std::atomic<uint64_t> admitted_{0};
  std::atomic<uint64_t> refused_{0};
  LogLimiter refusal_log_;  // the ZAP thread's
};

// The Z85 public key a ZapHandler admitted the sender of `frame` with; "" on a connection that
// went through no ZAP handler (plain text).
std::string PeerPublicKey(const zmq::message_t& frame);

}  // namespace tonghop
