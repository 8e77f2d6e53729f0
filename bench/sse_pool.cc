#include "bench/sse_pool.h"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <cstring>

#include <fmt/format.h>

#include "bench/workload.h"
#include "core/testing/http_client.h"

namespace tonghop::bench {
namespace {

// The value of `key` (`"name":`) in `json` (a string's text, or a number's), searched from
// *from, which moves past it; empty when absent.
std::string_view Field(std::string_view json, std::string_view key, size_t* from) {
  const size_t at = json.find(key, *from);
  if (at == std::string_view::npos) return {};
  size_t start = at + key.size();
  size_t end;
  if (start < json.size() && json[start] == '"') {
    ++start;
    end = json.find('"', start);
  } else {
    end = json.find_first_of(",}", start);
  }
  if (end == std::string_view::npos) return {};
  *from = end;
  return json.substr(start, end - start);
}

constexpr std::string_view kIndicator = "\"indicator\":";
constexpr std::string_view kPeriod = "\"period\":";
constexpr std::string_view kValue = "\"value\":";

double Number(std::string_view text) {
  double value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

}  // namespace

struct SsePool::Client {
  int fd = -1;
  bool head_read = false;
  std::string buffer;
  std::map<std::string, double, std::less<>> live_values;  // live period only: indicator -> value
  uint64_t last_probe = 0;
  bool synced = false;
  Tally tally;
};

SsePool::SsePool(int port, std::string live_period, const ProbeClock* probes)
    : port_(port), live_period_(std::move(live_period)), probes_(probes) {}

SsePool::~SsePool() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  for (auto& client : clients_) close(client->fd);
  if (epoll_fd_ >= 0) close(epoll_fd_);
}

Status SsePool::Start(int count, int timeout_ms) {
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  for (int i = 0; i < count; ++i) {
    auto client = std::make_unique<Client>();
    client->fd = testing::ConnectLoopback(port_);
    if (client->fd < 0) return Status::IOError(fmt::format("stream {} cannot connect to 127.0.0.1:{}", i, port_));
    const std::string request = "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n";
    if (send(client->fd, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
      return Status::IOError("could not ask for a stream");
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.ptr = client.get();
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, client->fd, &event);
    clients_.push_back(std::move(client));
  }
  thread_ = std::thread([this] { Serve(); });
  const int64_t deadline = SteadyNs() + static_cast<int64_t>(timeout_ms) * 1'000'000;
  while (SteadyNs() < deadline) {
    {
      std::lock_guard lock(mutex_);
      size_t synced = 0;
      for (const auto& client : clients_) {
        if (client->tally.closed) return Status::IOError("the web node closed a stream before its snapshot");
        synced += client->synced;
      }
      if (synced == clients_.size()) return Status::OK();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Status::Unavailable(fmt::format("not every one of {} streams had its snapshot within {} ms", count, timeout_ms));
}

void SsePool::Serve() {
  std::vector<epoll_event> events(clients_.size());
  while (!stop_) {
    const int ready = epoll_wait(epoll_fd_, events.data(), static_cast<int>(events.size()), 50);
    for (int i = 0; i < ready; ++i) Read(*static_cast<Client*>(events[i].data.ptr));
  }
}

void SsePool::Read(Client& client) {
  char chunk[256 << 10];
  const ssize_t n = recv(client.fd, chunk, sizeof chunk, MSG_DONTWAIT);
  const int64_t now = SteadyNs();
  std::lock_guard lock(mutex_);
  if (n <= 0) {
    if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
      client.tally.closed = true;
      epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client.fd, nullptr);
    }
    return;
  }
  client.tally.bytes += static_cast<uint64_t>(n);
  client.buffer.append(chunk, static_cast<size_t>(n));
  Parse(client, now);
}

void SsePool::Parse(Client& client, int64_t now_ns) {
  std::string& text = client.buffer;
  size_t start = 0;
  if (!client.head_read) {
    const size_t head_end = text.find("\r\n\r\n");
    if (head_end == std::string::npos) return;
    client.head_read = true;
    start = head_end + 4;
  }
  const int64_t since = sampling_since_ns_.load(std::memory_order_relaxed);
  while (true) {
    const size_t end = text.find("\n\n", start);
    if (end == std::string::npos) break;
    std::string_view event(text.data() + start, end - start);
    start = end + 2;
    // "id: N\nevent: KIND\ndata: {...}" (versions and snapshots), or a status without an id.
    if (!event.starts_with("id: ")) continue;
    uint64_t id = 0;
    const auto [after_id, error] = std::from_chars(event.data() + 4, event.data() + event.size(), id);
    std::string_view rest = event.substr(static_cast<size_t>(after_id - event.data()));
    const bool snapshot = rest.starts_with("\nevent: snapshot\ndata: ");
    if (!snapshot && !rest.starts_with("\nevent: version\ndata: ")) continue;
    std::string_view json = rest.substr(rest.find("data: ") + 6);
    if (snapshot) {
      if (client.synced) ++client.tally.snapshots;
      client.synced = true;
      client.live_values.clear();
      // {"stream_id":…,"seq":…,"aggregates":[{…},{…}]}: each aggregate starts with its indicator.
      size_t from = 0;
      while (true) {
        const std::string_view indicator = Field(json, kIndicator, &from);
        if (indicator.empty()) break;
        const std::string_view period = Field(json, kPeriod, &from);
        const double value = Number(Field(json, kValue, &from));
        if (period != live_period_) continue;
        if (indicator == kProbeIndicator) client.last_probe = static_cast<uint64_t>(value);
        else client.live_values[std::string(indicator)] = value;
      }
      continue;
    }
    ++client.tally.versions;
    client.tally.id_sum += id;
    size_t from = 0;
    const std::string_view indicator = Field(json, kIndicator, &from);
    if (Field(json, kPeriod, &from) != live_period_) continue;
    const double value = Number(Field(json, kValue, &from));
    if (indicator != kProbeIndicator) {
      auto it = client.live_values.find(indicator);
      if (it == client.live_values.end()) client.live_values.emplace(std::string(indicator), value);
      else it->second = value;
      continue;
    }
    // Every probe up to the value shown is on this client's screen now.
    const auto shown = static_cast<uint64_t>(value);
    for (uint64_t seq = client.last_probe + 1; seq <= shown; ++seq) {
      const int64_t sent = probes_->SentNs(seq);
      if (sent >= since) samples_.push_back(now_ns - sent);
    }
    client.last_probe = std::max(client.last_probe, shown);
  }
  text.erase(0, start);
}

void SsePool::StartSampling(int64_t since_ns) {
  std::lock_guard lock(mutex_);
  sampling_since_ns_ = since_ns;
  samples_.clear();
  for (auto& client : clients_) client->tally = Tally{.closed = client->tally.closed};
}

std::vector<int64_t> SsePool::TakeSamples() {
  std::lock_guard lock(mutex_);
  return std::move(samples_);
}

Status SsePool::WaitForState(const std::map<std::string, double>& totals, uint64_t last_probe, int timeout_ms,
                             int64_t* reached_ns) {
  const int64_t deadline = SteadyNs() + static_cast<int64_t>(timeout_ms) * 1'000'000;
  while (SteadyNs() < deadline) {
    {
      std::lock_guard lock(mutex_);
      bool all = true;
      size_t open = 0;
      for (const auto& client : clients_) {
        if (client->tally.closed) continue;  // cut off: it will not get there, and its tally says so
        ++open;
        all = all && client->last_probe >= last_probe &&
              std::equal(client->live_values.begin(), client->live_values.end(), totals.begin(), totals.end());
      }
      if (open == 0) return Status::IOError("the web node closed every stream");
      if (all) {
        *reached_ns = SteadyNs();
        return Status::OK();
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return Status::Unavailable(fmt::format("not every stream showed the final totals within {} ms", timeout_ms));
}

std::vector<SsePool::Tally> SsePool::Tallies() {
  std::lock_guard lock(mutex_);
  std::vector<Tally> tallies;
  for (const auto& client : clients_) tallies.push_back(client->tally);
  return tallies;
}

}  // namespace tonghop::bench
