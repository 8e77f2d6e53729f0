#include "tests/tcp_proxy.h"

#include <arpa/inet.h>
#include <cerrno>
#include <deque>
#include <fcntl.h>
#include <fmt/format.h>
#include <list>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <random>
#include <sys/socket.h>
#include <unistd.h>
#include <vector>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::testing {
namespace {

constexpr size_t kChunkBytes = 64 << 10;
constexpr size_t kMaxBufferedBytes = 1 << 20;
// Bounds how late a knob change or Stop is noticed.
constexpr int kMaxPollMs = 10;

struct Chunk {
  int64_t due_ms;
  std::string bytes;
};

// One direction of a connection: bytes read from `from`, waiting for their time to go to `to`.
struct Direction {
  int from, to;
  std::deque<Chunk> queue{};
  size_t queued_bytes = 0;
  size_t written = 0;  // of queue.front()
};

struct Connection {
  int client, upstream;
  Direction up{-1, -1}, down{-1, -1};
  bool dead = false;
};

// Closes with an RST instead of a FIN: SO_LINGER on with a zero timeout.
void CloseWithReset(int fd) {
  linger l{1, 0};
  setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  close(fd);
}

void SetNonBlocking(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

}  // namespace

TcpProxy::TcpProxy(std::string upstream_host, int upstream_port, uint32_t seed)
    : upstream_host_(std::move(upstream_host)), upstream_port_(upstream_port), seed_(seed) {}

TcpProxy::~TcpProxy() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  if (listen_fd_ >= 0) close(listen_fd_);
}

std::string TcpProxy::endpoint() const { return fmt::format("tcp://127.0.0.1:{}", port_); }

Status TcpProxy::Start() {
  listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(listen_fd_, 64) != 0) {
    return Status::IOError(fmt::format("proxy cannot listen on 127.0.0.1: {}", strerror(errno)));
  }
  socklen_t len = sizeof addr;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  SetNonBlocking(listen_fd_);
  thread_ = std::thread([this] { Run(); });
  return Status::OK();
}

void TcpProxy::Run() {
  std::mt19937 random(seed_);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::list<Connection> connections;

  auto reset = [&](Connection& c) {
    if (c.dead) return;
    CloseWithReset(c.client);
    CloseWithReset(c.upstream);
    c.dead = true;
    ++resets_;
  };
  auto close_gracefully = [&](Connection& c) {
    if (c.dead) return;
    close(c.client);
    close(c.upstream);
    c.dead = true;
  };
  auto accept_one = [&] {
    int client = accept(listen_fd_, nullptr, nullptr);
    if (client < 0) return;
    ++accepted_;
    int upstream = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(upstream_port_);
    inet_pton(AF_INET, upstream_host_.c_str(), &addr.sin_addr);
    // A blocking connect: the upstream is local to the test, so it answers or refuses at once.
    if (connect(upstream, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      CloseWithReset(client);  // as the upstream refused: the node sees its connection fail
      close(upstream);
      return;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(upstream, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    SetNonBlocking(client);
    SetNonBlocking(upstream);
    Connection& c = connections.emplace_back();
    c.client = client;
    c.upstream = upstream;
    c.up = {client, upstream};
    c.down = {upstream, client};
  };
  // Reads one chunk into `d`; false when the connection is to end.
  auto read_into = [&](Connection& c, Direction& d, int64_t now) {
    std::string bytes(kChunkBytes, '\0');
    ssize_t n = read(d.from, bytes.data(), bytes.size());
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) {
      close_gracefully(c);
      return false;
    }
    if (uniform(random) < reset_probability_.load()) {
      reset(c);
      return false;
    }
    bytes.resize(n);
    d.queued_bytes += n;
    d.queue.push_back({now + delay_ms_.load(), std::move(bytes)});
    return true;
  };
  auto write_from = [&](Connection& c, Direction& d, int64_t now) {
    while (!d.queue.empty() && d.queue.front().due_ms <= now) {
      const std::string& bytes = d.queue.front().bytes;
      // MSG_NOSIGNAL: a peer the proxy has just reset must fail this write, not kill the test with SIGPIPE.
      ssize_t n = send(d.to, bytes.data() + d.written, bytes.size() - d.written, MSG_NOSIGNAL);
      if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
      if (n < 0) {
        close_gracefully(c);
        return false;
      }
      d.written += n;
      if (d.written == bytes.size()) {
        d.queued_bytes -= bytes.size();
        d.queue.pop_front();
        d.written = 0;
      }
    }
    return true;
  };

  while (!stop_) {
    connections.remove_if([](const Connection& c) { return c.dead; });
    const bool half_open = half_open_;
    const int64_t now = MonotonicMs();

    // pollfds: the listener, then per connection its client and upstream fds.
    std::vector<pollfd> fds = {{listen_fd_, POLLIN, 0}};
    int timeout = kMaxPollMs;
    for (auto& c : connections) {
      short client_events = 0, upstream_events = 0;
      if (!half_open) {
        if (c.up.queued_bytes < kMaxBufferedBytes) client_events |= POLLIN;
        if (c.down.queued_bytes < kMaxBufferedBytes) upstream_events |= POLLIN;
        for (Direction* d : {&c.up, &c.down}) {
          if (d->queue.empty()) continue;
          int64_t wait = d->queue.front().due_ms - now;
          if (wait <= 0) (d->to == c.client ? client_events : upstream_events) |= POLLOUT;
          else timeout = std::min<int>(timeout, static_cast<int>(wait));
        }
      }
      fds.push_back({c.client, client_events, 0});
      fds.push_back({c.upstream, upstream_events, 0});
    }
    if (poll(fds.data(), fds.size(), timeout) < 0 && errno != EINTR) return;
    if (stop_) break;

    const int64_t after = MonotonicMs();
    size_t i = 1;
    for (auto& c : connections) {
      const pollfd& client = fds[i++];
      const pollfd& upstream = fds[i++];
      if (half_open) continue;
      if ((client.revents & (POLLIN | POLLHUP | POLLERR)) && !read_into(c, c.up, after)) continue;
      if ((upstream.revents & (POLLIN | POLLHUP | POLLERR)) && !read_into(c, c.down, after)) continue;
      if (!write_from(c, c.up, after)) continue;
      write_from(c, c.down, after);
    }
    if (fds[0].revents & POLLIN) accept_one();
  }
  for (auto& c : connections) close_gracefully(c);
}

}  // namespace tonghop::testing
