#include "core/testing/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::testing {
namespace {

// A connection to `address` ("IP:port"), or -1 with errno set.
int Connect(const std::string& address) {
  const size_t colon = address.rfind(':');
  sockaddr_in peer{};
  peer.sin_family = AF_INET;
  if (colon == std::string::npos || inet_pton(AF_INET, address.substr(0, colon).c_str(), &peer.sin_addr) != 1) {
    errno = EINVAL;
    return -1;
  }
  peer.sin_port = htons(static_cast<uint16_t>(std::atoi(address.c_str() + colon + 1)));
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&peer), sizeof peer) != 0) {
    const int error = errno;
    ::close(fd);
    errno = error;
    return -1;
  }
  return fd;
}

std::string LoopbackAddress(int port) { return fmt::format("127.0.0.1:{}", port); }

// Sends `request` to `address` and reads the answer: up to its Content-Length, or until the
// server closes.
Status Exchange(const std::string& address, const std::string& request, HttpResponse* out, int timeout_ms) {
  const int fd = Connect(address);
  if (fd < 0) return Status::IOError(fmt::format("cannot connect to {}: {}", address, std::strerror(errno)));
  const int64_t deadline = MonotonicMs() + timeout_ms;
  size_t sent = 0;
  while (sent < request.size()) {
    const ssize_t n = ::send(fd, request.data() + sent, request.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) break;  // the server may answer and close before reading everything: read that
    sent += static_cast<size_t>(n);
  }
  std::string received;
  char buffer[16384];
  size_t head_end = std::string::npos;
  while (true) {
    if (head_end == std::string::npos) head_end = received.find("\r\n\r\n");
    if (head_end != std::string::npos && ParseResponseHead(received.substr(0, head_end), out)) {
      auto length = out->headers.find("content-length");
      if (length != out->headers.end() && received.size() >= head_end + 4 + std::stoul(length->second)) {
        out->body = received.substr(head_end + 4, std::stoul(length->second));
        ::close(fd);
        return Status::OK();
      }
    }
    const int64_t left = deadline - MonotonicMs();
    pollfd item{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&item, 1, static_cast<int>(left)) <= 0) {
      ::close(fd);
      return Status::Unavailable(fmt::format("no whole answer from {} within {} ms; got {} bytes", address,
                                             timeout_ms, received.size()));
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received.append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  // Closed by the server: an answer without Content-Length ends here.
  if (head_end == std::string::npos) head_end = received.find("\r\n\r\n");
  if (head_end == std::string::npos || !ParseResponseHead(received.substr(0, head_end), out)) {
    return Status::IOError(fmt::format("{} closed the connection without an answer ({} bytes): {}", address,
                                       received.size(), received.substr(0, 200)));
  }
  out->body = received.substr(head_end + 4);
  return Status::OK();
}

}  // namespace

int ConnectLoopback(int port) { return Connect(LoopbackAddress(port)); }

bool ParseResponseHead(const std::string& head, HttpResponse* out) {
  if (!(head.starts_with("HTTP/1.1 ") || head.starts_with("HTTP/1.0 ")) || head.size() < 12) return false;
  out->status = std::atoi(head.c_str() + 9);
  out->headers.clear();
  size_t line = head.find("\r\n");
  while (line != std::string::npos && line + 2 < head.size()) {
    const size_t next = head.find("\r\n", line + 2);
    const std::string text = head.substr(line + 2, next == std::string::npos ? std::string::npos : next - line - 2);
    const size_t colon = text.find(':');
    if (colon != std::string::npos) {
      std::string name = text.substr(0, colon);
      std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
      const size_t value = text.find_first_not_of(' ', colon + 1);
      out->headers[name] = value == std::string::npos ? std::string() : text.substr(value);
    }
    line = next;
  }
  return out->status > 0;
}

Status HttpExchange(int port, const std::string& request, HttpResponse* out, int timeout_ms) {
  return Exchange(LoopbackAddress(port), request, out, timeout_ms);
}

Status ExchangeUntilClosed(int port, const std::string& request, std::string* received, int timeout_ms) {
  const int fd = ConnectLoopback(port);
  if (fd < 0) return Status::IOError(fmt::format("cannot connect to 127.0.0.1:{}: {}", port, std::strerror(errno)));
  ::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  const int64_t deadline = MonotonicMs() + timeout_ms;
  received->clear();
  char buffer[16384];
  while (true) {
    const int64_t left = deadline - MonotonicMs();
    pollfd item{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&item, 1, static_cast<int>(left)) <= 0) {
      ::close(fd);
      return Status::Unavailable(fmt::format("127.0.0.1:{} did not close within {} ms", port, timeout_ms));
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) break;
    received->append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return Status::OK();
}

Status HttpGet(const std::string& address, const std::string& target, int timeout_ms, HttpResponse* out) {
  return Exchange(address, fmt::format("GET {} HTTP/1.0\r\nHost: {}\r\n\r\n", target, address), out, timeout_ms);
}

Status HttpGet(int port, const std::string& target, HttpResponse* out,
               const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n", target, port);
  for (const auto& [name, value] : headers) request += fmt::format("{}: {}\r\n", name, value);
  request += "\r\n";
  return HttpExchange(port, request, out, timeout_ms);
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
