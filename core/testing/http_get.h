// HttpGet: one HTTP/1.0 GET to a server on this machine, for tests and tonghop-bench that read a
// node's /metrics or ask a real Prometheus through its HTTP API. HTTP/1.0 without keep-alive, so
// the server closes the connection after its answer and the body is everything up to that close.
#pragma once

#include <string>
#include <string_view>

#include "core/status.h"

namespace tonghop::testing {

struct HttpResponse {
  int status = 0;  // 200, 404...
  std::string body;
};

// GETs `target` ("/metrics", "/api/v1/query?query=up") from `address` ("127.0.0.1:9550", an IPv4
// address and a port). Fails when no answer is complete within timeout_ms.
Status HttpGet(const std::string& address, const std::string& target, int timeout_ms, HttpResponse* out);

// `text` percent-encoded for a URL's query string (a PromQL expression).
std::string UrlEncode(std::string_view text);

}  // namespace tonghop::testing
