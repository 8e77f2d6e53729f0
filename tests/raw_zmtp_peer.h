// RawZmtpPeer: a ZeroMQ peer written by hand over a plain TCP socket (ZMTP 3.0, NULL mechanism),
// for attacks that libzmq itself would not send: a SUB whose subscription is 8 MiB long, or one
// that sends tens of thousands of subscriptions without waiting. It reads nothing after the
// handshake, as a hostile peer need not. Plain text only (a CURVE server refuses it at the
// handshake, which is tested elsewhere). Not thread-safe: one thread owns it.
#pragma once

#include <string>

#include "core/status.h"

namespace tonghop::testing {

class RawZmtpPeer {
 public:
  RawZmtpPeer() = default;
  ~RawZmtpPeer();  // closes the connection
  RawZmtpPeer(const RawZmtpPeer&) = delete;
  RawZmtpPeer& operator=(const RawZmtpPeer&) = delete;

  // Connects to `endpoint` (tcp://127.0.0.1:PORT) and completes the handshake as a socket of
  // `socket_type` ("SUB", "DEALER", ...): sends its greeting and READY, waits for the server's.
  Status Connect(const std::string& endpoint, const std::string& socket_type, int timeout_ms = 5'000);

  // Sends one frame (`more`: another follows). IOError once the server has closed the connection
  // (or cut it off); the connection is then closed here too. Unavailable when the server took
  // nothing for half a second: the frame may be cut short, so send nothing more.
  Status SendFrame(const std::string& payload, bool more = false);
  // A subscription message of a SUB: the byte 1, then the topic.
  Status Subscribe(const std::string& topic) { return SendFrame(std::string(1, '\x01') + topic); }

  // True once the server has closed the connection, waiting up to timeout_ms for it. Whatever the
  // server sent meanwhile is read and dropped.
  bool WaitClosedByServer(int timeout_ms);

  void Close();
  bool connected() const { return fd_ >= 0; }

 private:
  int fd_ = -1;
};

}  // namespace tonghop::testing
