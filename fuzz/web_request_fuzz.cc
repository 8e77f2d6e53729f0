// Fuzz target: what a browser or an HTTP client hands tonghop-web (docs/SECURITY.md, "The web
// node"), after Boost.Beast's own parser has split it into a method, a target and headers. The
// first byte chooses:
//   even  a request: the rest is "METHOD TARGET\n" then header lines ("Authorization: …",
//         "Cookie: …", "Last-Event-ID: …"); it goes through ParseTarget, then WebApi::Handle (or
//         OpenStream for the stream), on the Lạng Sơn catalog and a small feed. Every answer must
//         come exactly once, and every error must be the JSON error with its status;
//   odd   an access token file, parsed by AccessTokens::Parse, then every token looked up.
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/catalog.h"
#include "web/access_tokens.h"
#include "web/asset_store.h"
#include "web/http_message.h"
#include "web/live_feed.h"
#include "web/web_api.h"

namespace {

using namespace tonghop;
using namespace tonghop::web;

struct World {
  World() {
    if (!Catalog::LoadFromDirectory(std::string(TONGHOP_SOURCE_DIR) + "/deploy/lang-son", &catalog).ok()) std::abort();
    std::string chart_problem;
    if (!AssetStore::Load("", "/nonexistent", &assets, &chart_problem).ok()) std::abort();
    AggregateTable table;
    tonghop::v1::AggregateUpdate a;
    a.set_seq(3);
    a.set_indicator("agri.sown_area.total");
    a.set_period("2017-Q1");
    a.set_value(23134);
    table.Apply(a);
    feed.Reset(1, 3, table);
    api = std::make_unique<WebApi>(&catalog, &assets, &feed, nullptr);
  }
  Catalog catalog;
  AssetStore assets;
  LiveFeed feed{1 << 16, &catalog};
  std::unique_ptr<WebApi> api;
};

void CheckAnswer(const HttpResponse& response) {
  if (response.status < 200 || response.status > 599) std::abort();
  if (response.status < 400) return;
  const nlohmann::json body = nlohmann::json::parse(response.body, nullptr, false);
  if (!body.is_object() || body["error"]["status"] != response.status || !body["error"]["message"].is_string()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static World world;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 1) {
    AccessTokens tokens;
    (void)AccessTokens::Parse("tokens.csv", text, &tokens);
    tokens.Find(text);
    return 0;
  }
  const size_t line_end = text.find('\n');
  std::string_view line = text.substr(0, line_end);
  const size_t space = line.find(' ');
  HttpRequest request;
  request.method = std::string(line.substr(0, space));
  const std::string_view target = space == std::string_view::npos ? std::string_view() : line.substr(space + 1);
  if (!ParseTarget(target, &request.path, &request.query).ok()) return 0;
  std::string_view headers = line_end == std::string_view::npos ? std::string_view() : text.substr(line_end + 1);
  while (!headers.empty()) {
    const size_t end = headers.find('\n');
    std::string_view header = headers.substr(0, end);
    headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 1);
    const size_t colon = header.find(": ");
    if (colon == std::string_view::npos) continue;
    const std::string value(header.substr(colon + 2));
    const std::string_view name = header.substr(0, colon);
    if (name == "Authorization") request.authorization = value;
    else if (name == "Cookie") request.cookie = value;
    else if (name == "Last-Event-ID") request.last_event_id = value;
  }
  if (request.path == WebApi::kStreamPath) {
    std::string filter;
    std::optional<uint64_t> id;
    if (auto refused = world.api->OpenStream(request, &filter, &id)) {
      CheckAnswer(*refused);
      return 0;
    }
    LiveFeed::Cursor cursor;
    world.feed.Place(id, &cursor);
    std::string out;
    world.feed.Read(&cursor, filter, 1 << 16, &out);
    return 0;
  }
  int answers = 0;
  world.api->Handle(request, [&](HttpResponse response) {
    ++answers;
    CheckAnswer(response);
  });
  if (answers != 1) std::abort();  // without a query worker, every answer comes at once
  return 0;
}
