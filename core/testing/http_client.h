// A blocking HTTP client for tests and tonghop-bench: one request per connection to a server on
// this machine (a node's /metrics, the web node's API, a real Prometheus's HTTP API), the answer
// read whole (Content-Length, or until the server closes). Plain sockets, so that a test can also
// send bytes no real client would. Not thread-safe per call site; calls share no state.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tonghop::testing {

struct HttpResponse {
  int status = 0;                              // 200, 404...
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// GETs `target` ("/metrics", "/api/v1/query?query=up") from `address` ("127.0.0.1:9550", an IPv4
// address and a port) as HTTP/1.0, so that the server closes after its answer and never chunks it
// (Prometheus would). Fails when no answer is complete within timeout_ms.
Status HttpGet(const std::string& address, const std::string& target, int timeout_ms, HttpResponse* out);

// GET `target` ("/api/v1/status") from 127.0.0.1:`port` as HTTP/1.1 with `headers` and
// "Connection: close". Unavailable when no whole answer comes within timeout_ms; IOError when the
// connection fails.
Status HttpGet(int port, const std::string& target, HttpResponse* out,
               const std::vector<std::pair<std::string, std::string>>& headers = {}, int timeout_ms = 10'000);

// Sends `request` as it is and parses what comes back (for malformed requests).
Status HttpExchange(int port, const std::string& request, HttpResponse* out, int timeout_ms = 10'000);

// Sends `request` and collects every byte that comes back until the server closes the connection.
Status ExchangeUntilClosed(int port, const std::string& request, std::string* received, int timeout_ms = 10'000);

// A TCP connection to 127.0.0.1:`port`, or -1 (for tests that hold connections open).
int ConnectLoopback(int port);

// Splits the head of an answer ("HTTP/1.1 200 OK\r\nName: value\r\n...") into status and headers;
// false when it is not one.
bool ParseResponseHead(const std::string& head, HttpResponse* out);

// `text` percent-encoded for a URL's query string (a PromQL expression).
std::string UrlEncode(std::string_view text);

}  // namespace tonghop::testing
