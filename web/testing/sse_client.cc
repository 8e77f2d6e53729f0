#include "web/testing/sse_client.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "core/clock.h"
#include "core/transport.h"

namespace tonghop::web::testing {

void SseParser::Feed(std::string_view bytes, std::vector<SseEvent>* out) {
  pending_.append(bytes);
  size_t start = 0;
  while (true) {
    const size_t end = pending_.find('\n', start);
    if (end == std::string::npos) break;
    std::string_view line(pending_.data() + start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    Line(line, out);
    start = end + 1;
  }
  pending_.erase(0, start);
}

void SseParser::Line(std::string_view line, std::vector<SseEvent>* out) {
  if (line.empty()) {
    if (has_field_) {
      if (event_.event.empty()) event_.event = "message";
      out->push_back(std::move(event_));
    }
    event_ = SseEvent();
    has_field_ = false;
    return;
  }
  if (line.front() == ':') return;
  const size_t colon = line.find(':');
  std::string_view field = line.substr(0, colon);
  std::string_view value = colon == std::string_view::npos ? std::string_view() : line.substr(colon + 1);
  if (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  if (field == "id") {
    event_.id = value;
  } else if (field == "event") {
    event_.event = value;
  } else if (field == "data") {
    if (!event_.data.empty()) event_.data += '\n';
    event_.data += value;
  } else {
    return;  // retry, or a field this parser does not know
  }
  has_field_ = true;
}

SseClient::~SseClient() { Close(); }

void SseClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffered_.clear();
  ready_.clear();
  next_ = 0;
  parser_ = SseParser();
}

Status SseClient::Open(int port, const std::string& target, std::optional<uint64_t> last_event_id, tonghop::testing::HttpResponse* head,
                       const std::vector<std::pair<std::string, std::string>>& headers, int timeout_ms) {
  Close();
  fd_ = tonghop::testing::ConnectLoopback(port);
  if (fd_ < 0) return Status::IOError(fmt::format("cannot connect to 127.0.0.1:{}: {}", port, std::strerror(errno)));
  std::string request = fmt::format("GET {} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nAccept: text/event-stream\r\n", target, port);
  if (last_event_id) request += fmt::format("Last-Event-ID: {}\r\n", *last_event_id);
  for (const auto& [name, value] : headers) request += fmt::format("{}: {}\r\n", name, value);
  request += "\r\n";
  if (::send(fd_, request.data(), request.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(request.size())) {
    return Status::IOError("could not send the request");
  }
  const int64_t deadline = MonotonicMs() + timeout_ms;
  size_t head_end;
  while ((head_end = buffered_.find("\r\n\r\n")) == std::string::npos) {
    TONGHOP_RETURN_IF_ERROR(Receive(static_cast<int>(std::max<int64_t>(0, deadline - MonotonicMs()))));
  }
  if (!ParseResponseHead(buffered_.substr(0, head_end), head)) return Status::IOError("not an HTTP answer");
  const std::string rest = buffered_.substr(head_end + 4);
  buffered_.clear();
  if (head->status != 200) {
    head->body = rest;
    return Status::InvalidArgument(fmt::format("the stream was refused with {}: {}", head->status, rest));
  }
  parser_.Feed(rest, &ready_);
  return Status::OK();
}

Status SseClient::Receive(int timeout_ms) {
  if (fd_ < 0) return Status::IOError("not connected");
  pollfd item{fd_, POLLIN, 0};
  if (::poll(&item, 1, timeout_ms) <= 0) return Status::Unavailable(fmt::format("nothing within {} ms", timeout_ms));
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
  if (n <= 0) return Status::IOError("the server closed the stream");
  buffered_.append(chunk, static_cast<size_t>(n));
  return Status::OK();
}

Status SseClient::Next(SseEvent* out, int timeout_ms) {
  const int64_t deadline = MonotonicMs() + timeout_ms;
  while (next_ >= ready_.size()) {
    ready_.clear();
    next_ = 0;
    TONGHOP_RETURN_IF_ERROR(Receive(static_cast<int>(std::max<int64_t>(0, deadline - MonotonicMs()))));
    parser_.Feed(buffered_, &ready_);
    buffered_.clear();
  }
  *out = std::move(ready_[next_++]);
  return Status::OK();
}

}  // namespace tonghop::web::testing
