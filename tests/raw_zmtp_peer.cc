#include "tests/raw_zmtp_peer.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::testing {
namespace {

constexpr size_t kGreetingBytes = 64;
constexpr char kShortCommand = 0x04;
constexpr char kLong = 0x02;
constexpr char kMore = 0x01;
// A server that stops reading (it cut the peer off, or never will) must not hang the peer.
constexpr int kSendTimeoutMs = 500;

// Reads exactly `n` bytes, waiting up to `deadline_ms` (MonotonicMs) in all.
bool ReadExactly(int fd, size_t n, int64_t deadline_ms, std::string* out) {
  out->assign(n, '\0');
  size_t got = 0;
  while (got < n) {
    const int64_t left = deadline_ms - MonotonicMs();
    if (left <= 0) return false;
    pollfd item{fd, POLLIN, 0};
    if (poll(&item, 1, static_cast<int>(left)) <= 0) continue;
    const ssize_t r = recv(fd, out->data() + got, n - got, 0);
    if (r <= 0) return false;
    got += static_cast<size_t>(r);
  }
  return true;
}

}  // namespace

RawZmtpPeer::~RawZmtpPeer() { Close(); }

void RawZmtpPeer::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

Status RawZmtpPeer::Connect(const std::string& endpoint, const std::string& socket_type, int timeout_ms) {
  Close();
  const std::string prefix = "tcp://127.0.0.1:";
  if (!endpoint.starts_with(prefix)) return Status::InvalidArgument("not a tcp://127.0.0.1:PORT endpoint: " + endpoint);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(std::stoi(endpoint.substr(prefix.size()))));
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  const timeval send_timeout{kSendTimeoutMs / 1000, (kSendTimeoutMs % 1000) * 1000};
  if (fd_ < 0 || setsockopt(fd_, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout) != 0 ||
      connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    Close();
    return Status::IOError(fmt::format("cannot connect to {}: {}", endpoint, strerror(errno)));
  }
  // Greeting: signature, version 3.0, mechanism NULL, as-server 0, filler.
  std::string greeting(kGreetingBytes, '\0');
  greeting[0] = '\xff';
  greeting[9] = '\x7f';
  greeting[10] = 3;
  std::memcpy(&greeting[12], "NULL", 4);
  // READY with the one property a server checks: Socket-Type.
  std::string ready = std::string("\x05READY", 6) + static_cast<char>(11) + "Socket-Type" + std::string(3, '\0') +
                      static_cast<char>(socket_type.size()) + socket_type;
  std::string hello = greeting + kShortCommand + static_cast<char>(ready.size()) + ready;
  if (send(fd_, hello.data(), hello.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(hello.size())) {
    Close();
    return Status::IOError("cannot send the greeting to " + endpoint);
  }
  // The server's greeting and READY. Frames sent before it has sent its READY would be taken for
  // handshake commands, and refused.
  const int64_t deadline = MonotonicMs() + timeout_ms;
  std::string bytes;
  if (!ReadExactly(fd_, kGreetingBytes, deadline, &bytes) || !ReadExactly(fd_, 2, deadline, &bytes) ||
      !ReadExactly(fd_, static_cast<unsigned char>(bytes[1]), deadline, &bytes)) {
    Close();
    return Status::IOError("no ZMTP handshake from " + endpoint);
  }
  return Status::OK();
}

Status RawZmtpPeer::SendFrame(const std::string& payload, bool more) {
  if (fd_ < 0) return Status::IOError("not connected");
  std::string frame;
  if (payload.size() < 256) {
    frame += static_cast<char>(more ? kMore : 0);
    frame += static_cast<char>(payload.size());
  } else {
    frame += static_cast<char>(kLong | (more ? kMore : 0));
    for (int shift = 56; shift >= 0; shift -= 8) frame += static_cast<char>((uint64_t{payload.size()} >> shift) & 0xff);
  }
  frame += payload;
  size_t sent = 0;
  while (sent < frame.size()) {
    const ssize_t n = send(fd_, frame.data() + sent, frame.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      // Part of the frame may be sent: the connection is only good for WaitClosedByServer now.
      return Status::Unavailable(fmt::format("the server took nothing for {} ms", kSendTimeoutMs));
    }
    if (n <= 0) {
      Close();
      return Status::IOError(fmt::format("the server closed the connection ({})", strerror(errno)));
    }
    sent += static_cast<size_t>(n);
  }
  return Status::OK();
}

bool RawZmtpPeer::WaitClosedByServer(int timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  char buffer[4096];
  while (fd_ >= 0) {
    const int64_t left = deadline - MonotonicMs();
    if (left <= 0) return false;
    pollfd item{fd_, POLLIN, 0};
    if (poll(&item, 1, static_cast<int>(left)) <= 0) continue;
    if (recv(fd_, buffer, sizeof buffer, 0) <= 0) Close();
  }
  return true;
}

}  // namespace tonghop::testing
