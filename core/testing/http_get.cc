#include "core/testing/http_get.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include <fmt/format.h>

namespace tonghop::testing {
namespace {

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool WaitFor(int fd, short events, int64_t deadline_ms) {
  pollfd item{fd, events, 0};
  while (true) {
    const int64_t left = deadline_ms - NowMs();
    if (left <= 0) return false;
    const int ready = poll(&item, 1, static_cast<int>(left));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
}

}  // namespace

Status HttpGet(const std::string& address, const std::string& target, int timeout_ms, HttpResponse* out) {
  const size_t colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  if (colon == std::string::npos || inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr) != 1) {
    return Status::InvalidArgument(fmt::format("'{}' is not an IPv4 address and a port", address));
  }
  peer.sin_port = htons(static_cast<uint16_t>(std::atoi(address.c_str() + colon + 1)));
  const int64_t deadline = NowMs() + timeout_ms;
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) return Status::IOError(fmt::format("socket: {}", std::strerror(errno)));
  auto fail = [&](const std::string& why) {
    close(fd);
    return Status::IOError(fmt::format("GET http://{}{}: {}", address, target, why));
  };
  if (connect(fd, reinterpret_cast<const sockaddr*>(&peer), sizeof peer) != 0 && errno != EINPROGRESS) {
    return fail(std::strerror(errno));
  }
  if (!WaitFor(fd, POLLOUT, deadline)) return fail("no connection within the timeout");
  int error = 0;
  socklen_t length = sizeof error;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &length);
  if (error != 0) return fail(std::strerror(error));
  const std::string request = fmt::format("GET {} HTTP/1.0\r\nHost: {}\r\n\r\n", target, address);
  for (size_t sent = 0; sent < request.size();) {
    if (!WaitFor(fd, POLLOUT, deadline)) return fail("the request could not be sent within the timeout");
    const ssize_t n = send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(std::strerror(errno));
    if (n > 0) sent += static_cast<size_t>(n);
  }
  std::string response;
  char buffer[16384];
  while (true) {
    if (!WaitFor(fd, POLLIN, deadline)) return fail("no complete answer within the timeout");
    const ssize_t n = recv(fd, buffer, sizeof buffer, 0);
    if (n == 0) break;
    if (n < 0 && errno != EAGAIN && errno != EINTR) return fail(std::strerror(errno));
    if (n > 0) response.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  const size_t header_end = response.find("\r\n\r\n");
  int status = 0;
  if (header_end == std::string::npos || std::sscanf(response.c_str(), "HTTP/%*s %d", &status) != 1) {
    return Status::Corruption(fmt::format("GET http://{}{}: not an HTTP answer: {}", address, target,
                                          response.substr(0, 200)));
  }
  out->status = status;
  out->body = response.substr(header_end + 4);
  return Status::OK();
}

std::string UrlEncode(std::string_view text) {
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += fmt::format("%{:02X}", c);
    }
  }
  return out;
}

}  // namespace tonghop::testing
