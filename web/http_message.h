// An HTTP request and response as the web node's API sees them, apart from the HTTP library
// (web/http_server.h speaks Boost.Beast and converts), so that the API is tested without sockets.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace tonghop::web {

struct HttpRequest {
  std::string method;                         // "GET"
  std::string path;                           // percent-decoded: "/api/v1/aggregates/agri.x/2017-Q1"
  std::map<std::string, std::string> query;   // percent-decoded parameters
  std::string authorization;                  // the Authorization header, if any
  std::string cookie;                         // the Cookie header, if any
  std::string last_event_id;                  // the Last-Event-ID header, if any
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Type and Content-Length

  // {"error":{"status":N,"message":"…"}}: every error the node answers, with a message for people.
  static HttpResponse Error(int status, std::string_view message);
  static HttpResponse Json(std::string body) { return HttpResponse{200, "application/json", std::move(body), {}}; }
};

// Splits a request target ("/a%20b?x=1&y=") into its decoded path and parameters. InvalidArgument
// saying what is wrong: a bad %-escape, a NUL, text that is not UTF-8, a parameter given twice.
Status ParseTarget(std::string_view target, std::string* path, std::map<std::string, std::string>* query);

}  // namespace tonghop::web
