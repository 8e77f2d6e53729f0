// Server-Sent Events on the client side, for tests and the benchmark: SseParser turns the bytes of
// a stream into events (the WHATWG event-stream format: "field: value" lines, a blank line ends
// an event, ':' lines are comments); SseClient is a blocking client of GET /api/v1/stream.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "core/testing/http_client.h"

namespace tonghop::web::testing {

struct SseEvent {
  std::string id;     // "" when the event has none
  std::string event;  // "message" when unnamed
  std::string data;
};

class SseParser {
 public:
  // Appends the events completed by `bytes` to `out`; partial ones wait for more.
  void Feed(std::string_view bytes, std::vector<SseEvent>* out);

 private:
  void Line(std::string_view line, std::vector<SseEvent>* out);
  std::string pending_;
  SseEvent event_;
  bool has_field_ = false;
};

class SseClient {
 public:
  SseClient() = default;
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Connects to 127.0.0.1:port, sends GET `target` with Last-Event-ID when given (and `headers`),
  // and reads the answer's head. OK only for 200; otherwise *head holds what came back.
  Status Open(int port, const std::string& target, std::optional<uint64_t> last_event_id, tonghop::testing::HttpResponse* head,
              const std::vector<std::pair<std::string, std::string>>& headers = {}, int timeout_ms = 10'000);
  // The next event within timeout_ms: Unavailable on timeout, IOError when the server closed.
  Status Next(SseEvent* out, int timeout_ms);
  void Close();

 private:
  Status Receive(int timeout_ms);
  int fd_ = -1;
  std::string buffered_;
  SseParser parser_;
  std::vector<SseEvent> ready_;
  size_t next_ = 0;
};

}  // namespace tonghop::web::testing
