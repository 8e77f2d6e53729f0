// A blocking HTTP/1.1 client for tests and the benchmark: one request per connection to
// 127.0.0.1, the answer read whole (Content-Length, or until the server closes). Plain sockets,
// so that a test can also send bytes no real client would.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tonghop::web::testing {

struct HttpResult {
  int status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
};

// GET `target` ("/api/v1/status") from 127.0.0.1:`port`. Unavailable when no whole answer comes
// within timeout_ms; IOError when the connection fails.
Status HttpGet(int port, const std::string& target, HttpResult* out,
               const std::vector<std::pair<std::string, std::string>>& headers = {}, int timeout_ms = 10'000);

// Sends `request` as it is and parses what comes back (for malformed requests).
Status HttpExchange(int port, const std::string& request, HttpResult* out, int timeout_ms = 10'000);

// Sends `request` and collects every byte that comes back until the server closes the connection.
Status ExchangeUntilClosed(int port, const std::string& request, std::string* received, int timeout_ms = 10'000);

// A TCP connection to 127.0.0.1:`port`, or -1 (for tests that hold connections open).
int ConnectLoopback(int port);

// Splits the head of an answer ("HTTP/1.1 200 OK\r\nName: value\r\n...") into status and headers;
// false when it is not one.
bool ParseResponseHead(const std::string& head, HttpResult* out);

}  // namespace tonghop::web::testing
