// HttpServer: the web node's HTTP/1.1 server, on Boost.Beast (docs/ARCHITECTURE.md says why):
// one thread runs every connection asynchronously, so that a hundred open event streams cost a
// hundred sockets, not a hundred threads, and a client that does not read holds nothing but its
// socket.
//
// Requests go to WebApi (web/web_api.h). GET /api/v1/stream becomes a Server-Sent Events stream:
// the connection then carries the events of LiveFeed (web/live_feed.h) for the client's filter,
// read from the feed's replay log through the client's own cursor, so every client shares the
// one copy of each event. Streams are woken at most every stream_flush_interval_ms, so that each
// write carries what came meanwhile; a stream writes as fast as its client reads, and
//  - a client that falls more than max_stream_queued_bytes behind the feed, or whose write has
//    not completed within stream_write_timeout_ms, is cut off (its socket and buffers freed; a
//    browser reconnects with Last-Event-ID and gets what it missed, or a snapshot);
//  - every stream gets a status event at least every stream_keepalive_ms, so that proxies keep
//    it open and the page knows the node is there.
// Every resource a client controls is bounded by an option (docs/SECURITY.md): connections,
// streams, the request's header and URL size, the time to send a request, bodies (none taken).
// A bound that is hit is logged, at most once a second.
//
// Thread-safety: Start, Stop and port() from the owning thread; Wake and counters() from any
// thread. Answers that reach the server after Stop (a query to the aggregator still running) are
// dropped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "core/status.h"
#include "web/live_feed.h"
#include "web/web_api.h"

namespace tonghop::web {

struct HttpServerOptions {
  std::string bind_address = "127.0.0.1";  // an IP address; 0.0.0.0 or :: for every interface
  int port = 8080;                         // 0: any free port (tests), see port()
  int max_connections = 512;               // open connections, streams included
  int max_streams = 256;                   // open event streams
  int max_request_header_bytes = 8 * 1024; // request line and headers
  int max_url_bytes = 2 * 1024;            // the request target
  int request_timeout_ms = 10'000;         // to send a whole request, or to stay idle between two
  int stream_write_timeout_ms = 10'000;    // for a stream's write to complete
  int stream_keepalive_ms = 5'000;         // a status event on a stream silent this long
  // Streams take what is new at most this often (a stream behind by a whole write goes on at
  // once): a hundred streams cost a hundred writes per interval, not per version.
  int stream_flush_interval_ms = 5;
  size_t max_stream_queued_bytes = 8 << 20;  // feed bytes a stream may fall behind
};

class HttpServer {
 public:
  // `api` and `feed` outlive the server.
  HttpServer(HttpServerOptions options, WebApi* api, LiveFeed* feed);
  ~HttpServer();  // Stop()
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens, then serves on a thread of its own. IOError naming the address when it
  // cannot bind; InvalidArgument when bind_address is not an IP address.
  Status Start();
  // Closes every connection and joins the thread. Idempotent.
  void Stop();
  // The port bound (the chosen one when options.port was 0).
  int port() const;
  // The feed changed: streams take what is new. Safe from any thread; wake-ups coalesce.
  void Wake();

  // Checks that `bind_address` is an IP address (InvalidArgument naming the flag otherwise), and
  // says whether it reaches this machine only.
  static Status CheckBindAddress(const std::string& bind_address, bool* loopback);

  // Counters for logs and tests (read from any thread).
  struct Counters {
    uint64_t connections_refused = 0;  // at max_connections
    uint64_t streams_refused = 0;      // at max_streams
    uint64_t streams_cut_off = 0;      // behind, or a write that did not complete
    int open_streams = 0;
  };
  Counters counters() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace tonghop::web
