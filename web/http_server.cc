#include "web/http_server.h"

#include <pthread.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "core/clock.h"
#include "core/log_limiter.h"
#include "core/transport.h"

namespace tonghop::web {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// What one write of a stream carries at most (a snapshot goes whole): the client's socket buffer
// takes it in one go, and the feed's lock is held only for that much copying.
constexpr size_t kMaxStreamWriteBytes = 256 << 10;

// The page's own files may run scripts and styles from this node only, and connect nowhere else:
// the dashboard works offline, and an injected link or script cannot reach out.
constexpr char kContentSecurityPolicy[] =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

// The whole answer of a connection refused before its request is read: busy, try again soon.
std::string BusyText(std::string_view message) {
  HttpResponse response = HttpResponse::Error(503, message);
  return fmt::format(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nContent-Length: {}\r\n"
      "Connection: close\r\nCache-Control: no-store\r\nRetry-After: 1\r\n\r\n{}",
      response.body.size(), response.body);
}

}  // namespace

// Handlers, sessions and streams point to the Impl without owning it: it outlives the io_context's
// run, and what is still pending when the server stops is destroyed with the io_context, touching
// nothing of the Impl.
struct HttpServer::Impl {
  class Session;
  class Stream;

  // Lets an answer computed on another thread reach the io thread only while the server runs.
  struct Gate {
    std::mutex mutex;
    asio::io_context* io = nullptr;
  };

  Impl(HttpServerOptions options, WebApi* api, LiveFeed* feed) : options(std::move(options)), api(api), feed(feed) {}
  int open_connections() const { return static_cast<int>(sessions.size() + streams.size()); }

  void Accept();
  void OnAccept(tcp::socket socket);
  void Refuse(tcp::socket socket, std::string message);
  // Wakes the streams now, or at the next flush interval if they were woken less than one ago.
  void ScheduleWake();
  void WakeStreams();
  void ScheduleKeepalive();
  void CloseAll();

  HttpServerOptions options;
  WebApi* api;
  LiveFeed* feed;
  asio::io_context io{1};
  tcp::acceptor acceptor{io};
  asio::steady_timer keepalive_timer{io};
  asio::steady_timer wake_timer{io};
  int64_t last_wake_ms = 0;       // io thread
  bool wake_scheduled = false;    // io thread: a wake is due (now or at the timer)
  std::thread thread;
  std::shared_ptr<Gate> gate = std::make_shared<Gate>();
  std::atomic<int> bound_port{0};
  std::atomic<bool> wake_pending{false};
  // The io thread's alone: what is open, so that Stop can close it.
  std::set<std::shared_ptr<Session>> sessions;
  std::set<std::shared_ptr<Stream>> streams;
  LogLimiter refused_log;
  LogLimiter cut_off_log;
  LogLimiter bad_request_log;
  std::atomic<uint64_t> connections_refused{0};
  std::atomic<uint64_t> streams_refused{0};
  std::atomic<uint64_t> streams_cut_off{0};
  std::atomic<int> open_streams{0};
};

// An event stream: the connection after the answer's header, written from the client's cursor in
// the feed whenever it has taken the previous write.
class HttpServer::Impl::Stream : public std::enable_shared_from_this<Stream> {
 public:
  Stream(Impl* server, tcp::socket socket, std::string filter)
      : server_(server), socket_(std::move(socket)), timer_(server_->io), filter_(std::move(filter)) {}

  void Start(std::optional<uint64_t> last_event_id) {
    server_->streams.insert(shared_from_this());
    server_->open_streams = static_cast<int>(server_->streams.size());
    // Resumes after the client's last event when the feed can replay from there; otherwise the
    // first read brings a snapshot event, which tells the client to start over.
    server_->feed->Place(last_event_id, &cursor_);
    out_ =
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\n"
        "X-Accel-Buffering: no\r\nX-Content-Type-Options: nosniff\r\nConnection: close\r\n\r\nretry: 2000\n\n";
    Write();
    // A client sends nothing once it has asked for the stream: any input, or its end, closes it.
    auto self = shared_from_this();
    socket_.async_read_some(asio::buffer(input_), [self](beast::error_code, size_t) { self->Close(); });
  }

  // The feed changed: cut this client off if it is too far behind, else send what is new.
  void OnFeedChange() {
    if (closed_) return;
    if (writing_) {
      const uint64_t behind = server_->feed->BytesBehind(cursor_);
      if (behind > server_->options.max_stream_queued_bytes) {
        CutOff(fmt::format("{} bytes behind the feed, more than --max_stream_queued_bytes ({})", behind,
                           server_->options.max_stream_queued_bytes));
      }
      return;
    }
    Pump();
  }

  void KeepAlive(int64_t now_ms) {
    if (closed_ || writing_ || now_ms - last_write_ms_ < server_->options.stream_keepalive_ms) return;
    out_ = server_->feed->StatusEvent();
    Write();
  }

  void Close() {
    if (closed_) return;
    closed_ = true;
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
    timer_.cancel();
    server_->streams.erase(shared_from_this());
    server_->open_streams = static_cast<int>(server_->streams.size());
  }

 private:
  void Pump() {
    if (closed_ || writing_) return;
    out_.clear();
    if (server_->feed->Read(&cursor_, filter_, kMaxStreamWriteBytes, &out_) == LiveFeed::ReadResult::kBehind) {
      CutOff("the feed's replay log no longer holds what it has not been sent");
      return;
    }
    if (!out_.empty()) Write();
  }

  void Write() {
    writing_ = true;
    auto self = shared_from_this();
    timer_.expires_after(std::chrono::milliseconds(server_->options.stream_write_timeout_ms));
    timer_.async_wait([self](beast::error_code error) {
      if (!error && self->writing_) {
        self->CutOff(fmt::format("a write did not complete within --stream_write_timeout_ms ({} ms)",
                                 self->server_->options.stream_write_timeout_ms));
      }
    });
    asio::async_write(socket_, asio::buffer(out_), [self](beast::error_code error, size_t) {
      self->writing_ = false;
      self->timer_.cancel();
      if (error) return self->Close();
      self->last_write_ms_ = MonotonicMs();
      // Behind by a whole write: go on at once. Otherwise what came meanwhile waits for the next
      // flush, with what comes until then.
      if (self->out_.size() >= kMaxStreamWriteBytes) return self->Pump();
      if (self->server_->feed->HasNews(self->cursor_)) self->server_->ScheduleWake();
    });
  }

  void CutOff(const std::string& why) {
    ++server_->streams_cut_off;
    if (server_->cut_off_log.Allow()) {
      beast::error_code ignored;
      spdlog::warn("cut off the event stream of {}: {} ({} more not logged); it may reconnect and resume",
                   socket_.remote_endpoint(ignored).address().to_string(), why, server_->cut_off_log.suppressed());
    }
    Close();
  }

  Impl* server_;
  tcp::socket socket_;
  asio::steady_timer timer_;
  std::string filter_;
  LiveFeed::Cursor cursor_;
  std::string out_;
  std::array<char, 64> input_{};
  bool writing_ = false;
  bool closed_ = false;
  int64_t last_write_ms_ = MonotonicMs();
};

// One HTTP connection: reads a request, answers it, and again while the client keeps it alive;
// or hands it over to a Stream.
class HttpServer::Impl::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Impl* server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {}

  void Start() {
    server_->sessions.insert(shared_from_this());
    Read();
  }

  // Idempotent.
  void Close() {
    if (closed_) return;
    closed_ = true;
    if (!handed_over_) {
      beast::error_code ignored;
      stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
      stream_.close();
    }
    server_->sessions.erase(shared_from_this());
  }

 private:
  void Read() {
    if (closed_) return;
    parser_.emplace();
    parser_->header_limit(static_cast<uint32_t>(server_->options.max_request_header_bytes));
    parser_->body_limit(0);
    stream_.expires_after(std::chrono::milliseconds(server_->options.request_timeout_ms));
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, size_t) { self->OnRead(error); });
  }

  void OnRead(beast::error_code error) {
    if (error == beast::error::timeout && parser_->got_some()) {
      // Half a request for that long: a slow client, or one holding connections open on purpose.
      LogBadRequest(fmt::format("a request not sent whole within --request_timeout_ms ({} ms)",
                                server_->options.request_timeout_ms));
      return Close();
    }
    if (error == http::error::end_of_stream || error == beast::error::timeout || error == asio::error::eof ||
        error == asio::error::connection_reset || error == asio::error::operation_aborted) {
      return Close();  // an idle connection's end, or the client's
    }
    if (error) {
      int status = 400;
      std::string message = fmt::format("this is not an HTTP/1.1 request this node can read: {}", error.message());
      if (error == http::error::header_limit) {
        status = 431;
        message = fmt::format("the request's line and headers are larger than {} bytes (--max_request_header_bytes)",
                              server_->options.max_request_header_bytes);
      } else if (error == http::error::body_limit || error == http::error::unexpected_body) {
        status = 413;
        message = "this node takes no request body: every endpoint is read with GET";
      }
      LogBadRequest(message);
      return Fail(status, message);
    }
    const auto& header = parser_->get();
    const beast::string_view target = header.target();
    if (target.size() > static_cast<size_t>(server_->options.max_url_bytes)) {
      LogBadRequest("an URL too long");
      return Fail(414, fmt::format("the URL is longer than {} bytes (--max_url_bytes)", server_->options.max_url_bytes));
    }
    HttpRequest request;
    request.method = std::string(header.method_string());
    if (Status s = ParseTarget(std::string_view(target.data(), target.size()), &request.path, &request.query); !s.ok()) {
      return Fail(400, s.message());
    }
    auto header_value = [&](http::field field) {
      auto it = header.find(field);
      return it == header.end() ? std::string() : std::string(it->value());
    };
    request.authorization = header_value(http::field::authorization);
    request.cookie = header_value(http::field::cookie);
    auto last_event_id = header.find("Last-Event-ID");
    if (last_event_id != header.end()) request.last_event_id = std::string(last_event_id->value());
    keep_alive_ = header.keep_alive();
    head_ = request.method == "HEAD";

    if (request.path == WebApi::kStreamPath) return OpenStream(request);
    // Answers from the aggregator come on the query worker's thread: they are posted to the io
    // thread, which owns the socket, and dropped when the server has stopped or the client gone.
    std::weak_ptr<Session> weak = shared_from_this();
    server_->api->Handle(request, [gate = server_->gate, weak](HttpResponse response) {
      std::lock_guard lock(gate->mutex);
      if (gate->io == nullptr) return;
      asio::post(*gate->io, [weak, response = std::move(response)]() mutable {
        if (auto self = weak.lock()) self->Answer(std::move(response));
      });
    });
  }

  void OpenStream(const HttpRequest& request) {
    std::string filter;
    std::optional<uint64_t> last_event_id;
    if (auto refused = server_->api->OpenStream(request, &filter, &last_event_id)) return Answer(std::move(*refused));
    if (server_->streams.size() >= static_cast<size_t>(server_->options.max_streams)) {
      ++server_->streams_refused;
      if (server_->refused_log.Allow()) {
        spdlog::warn("refused an event stream: {} open, the most --max_streams allows ({} more not logged)",
                     server_->streams.size(), server_->refused_log.suppressed());
      }
      HttpResponse busy = HttpResponse::Error(503, fmt::format("this node serves at most {} streams (--max_streams); "
                                                               "try again later", server_->options.max_streams));
      busy.headers.emplace_back("Retry-After", "5");
      keep_alive_ = false;
      return Answer(std::move(busy));
    }
    stream_.expires_never();
    auto stream = std::make_shared<Stream>(server_, stream_.release_socket(), std::move(filter));
    handed_over_ = true;
    Close();
    stream->Start(last_event_id);
  }

  void Answer(HttpResponse response) {
    if (closed_) return;
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    message->set(http::field::content_type, response.content_type);
    bool cache_control = false;
    for (const auto& [name, value] : response.headers) {
      message->set(name, value);
      cache_control = cache_control || beast::iequals(name, "Cache-Control");
    }
    if (!cache_control) message->set(http::field::cache_control, "no-store");
    message->set("X-Content-Type-Options", "nosniff");
    if (response.content_type.starts_with("text/html")) {
      message->set("Content-Security-Policy", kContentSecurityPolicy);
      message->set("Referrer-Policy", "no-referrer");
    }
    message->keep_alive(keep_alive_);
    const size_t length = response.body.size();
    if (!head_) message->body() = std::move(response.body);
    message->content_length(length);
    stream_.expires_after(std::chrono::milliseconds(server_->options.request_timeout_ms));
    http::async_write(stream_, *message, [self = shared_from_this(), message](beast::error_code error, size_t) {
      if (error || !self->keep_alive_) return self->Close();
      self->Read();
    });
  }

  // Answers a request it could not read, and closes: what follows it cannot be trusted either.
  void Fail(int status, const std::string& message) {
    keep_alive_ = false;
    head_ = false;
    Answer(HttpResponse::Error(status, message));
  }

  void LogBadRequest(const std::string& what) {
    if (server_->bad_request_log.Allow()) {
      beast::error_code ignored;
      spdlog::warn("bad request from {}: {} ({} more not logged)",
                   stream_.socket().remote_endpoint(ignored).address().to_string(), what,
                   server_->bad_request_log.suppressed());
    }
  }

  Impl* server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::empty_body>> parser_;
  bool keep_alive_ = false;
  bool head_ = false;
  bool closed_ = false;
  bool handed_over_ = false;  // its socket now belongs to a Stream
};

void HttpServer::Impl::Accept() {
  acceptor.async_accept([self = this](beast::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted || !self->acceptor.is_open()) return;
    if (!error) self->OnAccept(std::move(socket));
    self->Accept();
  });
}

void HttpServer::Impl::OnAccept(tcp::socket socket) {
  if (open_connections() >= options.max_connections) {
    ++connections_refused;
    if (refused_log.Allow()) {
      spdlog::warn("refused a connection: {} open, the most --max_connections allows ({} more not logged)",
                   open_connections(), refused_log.suppressed());
    }
    return Refuse(std::move(socket),
                  fmt::format("this node serves at most {} connections (--max_connections); try again later",
                              options.max_connections));
  }
  beast::error_code ignored;
  socket.set_option(tcp::no_delay(true), ignored);
  std::make_shared<Session>(this, std::move(socket))->Start();
}

void HttpServer::Impl::Refuse(tcp::socket socket, std::string message) {
  // Sent without waiting for the request: a full socket buffer means the client is not reading,
  // and the connection is closed anyway.
  auto text = std::make_shared<std::string>(BusyText(message));
  auto held = std::make_shared<tcp::socket>(std::move(socket));
  held->non_blocking(true);
  beast::error_code ignored;
  held->write_some(asio::buffer(*text), ignored);
  held->shutdown(tcp::socket::shutdown_both, ignored);
  held->close(ignored);
}

void HttpServer::Impl::ScheduleWake() {
  if (wake_scheduled) return;
  wake_scheduled = true;
  const int64_t now = MonotonicMs();
  const int64_t due = last_wake_ms + options.stream_flush_interval_ms;
  if (now >= due) return WakeStreams();
  wake_timer.expires_after(std::chrono::milliseconds(due - now));
  wake_timer.async_wait([self = this](beast::error_code error) {
    if (!error) self->WakeStreams();
  });
}

void HttpServer::Impl::WakeStreams() {
  wake_pending = false;
  wake_scheduled = false;
  last_wake_ms = MonotonicMs();
  // A stream may close itself while it is woken: walk a copy.
  std::vector<std::shared_ptr<Stream>> current(streams.begin(), streams.end());
  for (const auto& stream : current) stream->OnFeedChange();
}

void HttpServer::Impl::ScheduleKeepalive() {
  keepalive_timer.expires_after(std::chrono::milliseconds(std::max(50, options.stream_keepalive_ms / 4)));
  keepalive_timer.async_wait([self = this](beast::error_code error) {
    if (error) return;
    const int64_t now = MonotonicMs();
    std::vector<std::shared_ptr<Stream>> current(self->streams.begin(), self->streams.end());
    for (const auto& stream : current) stream->KeepAlive(now);
    self->ScheduleKeepalive();
  });
}

void HttpServer::Impl::CloseAll() {
  beast::error_code ignored;
  acceptor.close(ignored);
  keepalive_timer.cancel();
  wake_timer.cancel();
  std::vector<std::shared_ptr<Stream>> open_streams_now(streams.begin(), streams.end());
  for (const auto& stream : open_streams_now) stream->Close();
  std::vector<std::shared_ptr<Session>> open_sessions(sessions.begin(), sessions.end());
  for (const auto& session : open_sessions) session->Close();
}

HttpServer::HttpServer(HttpServerOptions options, WebApi* api, LiveFeed* feed)
    : impl_(std::make_unique<Impl>(std::move(options), api, feed)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  const std::string where = fmt::format("{}:{}", impl_->options.bind_address, impl_->options.port);
  bool loopback = false;
  TONGHOP_RETURN_IF_ERROR(CheckBindAddress(impl_->options.bind_address, &loopback));
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(impl_->options.bind_address, error);
  const tcp::endpoint endpoint(address, static_cast<uint16_t>(impl_->options.port));
  tcp::acceptor& acceptor = impl_->acceptor;
  if (acceptor.open(endpoint.protocol(), error) || acceptor.set_option(asio::socket_base::reuse_address(true), error) ||
      acceptor.bind(endpoint, error) || acceptor.listen(asio::socket_base::max_listen_connections, error)) {
    return Status::IOError(fmt::format("cannot listen for HTTP on {}: {}", where, error.message()));
  }
  impl_->bound_port = acceptor.local_endpoint().port();
  impl_->Accept();
  impl_->ScheduleKeepalive();
  {
    std::lock_guard lock(impl_->gate->mutex);
    impl_->gate->io = &impl_->io;
  }
  impl_->thread = std::thread([impl = impl_.get()] {
    pthread_setname_np(pthread_self(), "web-http");  // for top -H and profiles
    while (true) {
      try {
        impl->io.run();
        return;
      } catch (const std::exception& e) {
        // A handler's bug must not stop every client: log it and serve on.
        spdlog::error("HTTP server: {}", e.what());
      }
    }
  });
  return Status::OK();
}

void HttpServer::Stop() {
  if (!impl_->thread.joinable()) return;
  {
    std::lock_guard lock(impl_->gate->mutex);
    impl_->gate->io = nullptr;
  }
  asio::post(impl_->io, [impl = impl_.get()] {
    impl->CloseAll();
    impl->io.stop();
  });
  impl_->thread.join();
}

int HttpServer::port() const { return impl_->bound_port; }

Status HttpServer::CheckBindAddress(const std::string& bind_address, bool* loopback) {
  beast::error_code error;
  const asio::ip::address address = asio::ip::make_address(bind_address, error);
  if (error) {
    return Status::InvalidArgument(
        fmt::format("--http_bind_address '{}' is not an IP address (127.0.0.1, 0.0.0.0, ::1)", bind_address));
  }
  *loopback = address.is_loopback();
  return Status::OK();
}

void HttpServer::Wake() {
  if (impl_->wake_pending.exchange(true)) return;
  asio::post(impl_->io, [impl = impl_.get()] { impl->ScheduleWake(); });
}

HttpServer::Counters HttpServer::counters() const {
  return Counters{impl_->connections_refused, impl_->streams_refused, impl_->streams_cut_off, impl_->open_streams};
}

}  // namespace tonghop::web
