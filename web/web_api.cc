#include "web/web_api.h"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <set>
#include <vector>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "cli/aggregate_json.h"
#include "cli/report.h"
#include "core/period.h"
#include "core/topics.h"

namespace tonghop::web {
namespace {

using Json = nlohmann::ordered_json;
using tonghop::v1::QueryReply;
using tonghop::v1::QueryRequest;

std::string Dump(const Json& json) { return cli::DumpJson(json); }

// The parameters an endpoint takes; anything else is a mistake worth saying.
std::optional<HttpResponse> CheckParameters(const HttpRequest& request, std::initializer_list<std::string_view> known) {
  for (const auto& [name, value] : request.query) {
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      return HttpResponse::Error(
          400, known.size() == 0 ? fmt::format("unknown parameter '{}': {} takes none", name, request.path)
                                 : fmt::format("unknown parameter '{}': {} takes {}", name, request.path,
                                               fmt::join(known, ", ")));
    }
  }
  return std::nullopt;
}

std::string Parameter(const HttpRequest& request, const std::string& name) {
  auto it = request.query.find(name);
  return it == request.query.end() ? "" : it->second;
}

std::optional<HttpResponse> CheckPeriod(const std::string& text, bool required) {
  if (text.empty()) {
    if (!required) return std::nullopt;
    return HttpResponse::Error(400, "parameter 'period' is required, e.g. period=2017-Q1");
  }
  Period period;
  if (Status s = Period::Parse(text, &period); !s.ok()) return HttpResponse::Error(400, "period: " + s.message());
  return std::nullopt;
}

std::vector<std::string> Split(std::string_view path, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= path.size()) {
    const size_t end = path.find(separator, start);
    parts.emplace_back(path.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return parts;
}

// The token a request presents: "Authorization: Bearer X", else the cookie tonghop_token=X.
std::string PresentedToken(const HttpRequest& request) {
  constexpr std::string_view kBearer = "Bearer ";
  if (request.authorization.starts_with(kBearer)) return request.authorization.substr(kBearer.size());
  for (std::string& pair : Split(request.cookie, ';')) {
    const size_t start = pair.find_first_not_of(' ');
    if (start == std::string::npos) continue;
    std::string_view trimmed = std::string_view(pair).substr(start);
    if (trimmed.starts_with(WebApi::kTokenCookie) && trimmed.size() > WebApi::kTokenCookie.size() &&
        trimmed[WebApi::kTokenCookie.size()] == '=') {
      return std::string(trimmed.substr(WebApi::kTokenCookie.size() + 1));
    }
  }
  return "";
}

Json OptionalNumber(bool has, double value) { return has ? Json(value) : Json(nullptr); }

std::string CatalogJson(const Catalog& catalog) {
  Json indicators = Json::array();
  std::vector<std::string> sectors;
  for (const Indicator& indicator : catalog.indicators()) {
    if (std::find(sectors.begin(), sectors.end(), indicator.sector) == sectors.end()) sectors.push_back(indicator.sector);
    Json period_types = Json::array();
    for (Period::Type type : {Period::Type::kMonth, Period::Type::kQuarter, Period::Type::kHalfYear, Period::Type::kYear}) {
      if (indicator.period_types & PeriodTypeBit(type)) period_types.push_back(PeriodTypeName(type));
    }
    indicators.push_back({{"id", indicator.id},
                          {"sector", indicator.sector},
                          {"name", indicator.name},
                          {"unit", indicator.unit},
                          {"part_of", indicator.part_of},
                          {"parts_rule", ToString(indicator.parts_rule)},
                          {"time_aggregation", ToString(indicator.time_agg)},
                          {"space_aggregation", ToString(indicator.space_agg)},
                          {"period_types", std::move(period_types)},
                          {"expected_units", indicator.reporting_units}});
  }
  Json sector_list = Json::array();
  for (const std::string& sector : sectors) sector_list.push_back({{"code", sector}, {"title", catalog.SectorTitle(sector)}});
  Json units = Json::array();
  for (const ReportingUnit& unit : catalog.units()) {
    units.push_back({{"code", unit.code}, {"name", unit.name}, {"kind", unit.kind}, {"valid_from", unit.valid_from},
                     {"valid_to", unit.valid_to}, {"parent", unit.parent}, {"successor_of", unit.successor_of}});
  }
  return Dump({{"indicators", std::move(indicators)}, {"sectors", std::move(sector_list)}, {"units", std::move(units)}});
}

Json FigureRevisionJson(const tonghop::v1::FigureRevision& figure, const std::string& unit_name) {
  return {{"reporting_unit", figure.reporting_unit()},
          {"name", unit_name},
          {"previous_value", OptionalNumber(figure.has_previous_value(), figure.previous_value())},
          {"value", figure.value()},
          {"node_id", figure.node_id()},
          {"observed_at_ms", figure.observed_at_ms()},
          {"applied_at_ms", figure.applied_at_ms()},
          {"rejected", figure.rejected() == tonghop::v1::REJECT_REASON_UNSPECIFIED
                           ? Json(nullptr)
                           : Json(tonghop::v1::RejectReason_Name(figure.rejected()))},
          {"reject_text", figure.reject_text()}};
}

// The comparable groups of (indicator, period) in the aggregator's `reply`, in its order, each as
// cli::GroupToJson writes it, as `tonghop query --by group --format json` does.
HttpResponse Groups(const std::string& indicator, const std::string& period, const QueryReply& reply) {
  Json groups = Json::array();
  for (const auto& g : reply.values().groups()) {
    if (g.indicator() != indicator || g.period() != period) continue;
    groups.push_back(cli::GroupToJson(g));
  }
  return HttpResponse::Json(Dump({{"indicator", indicator}, {"period", period}, {"groups", std::move(groups)}}));
}

}  // namespace

WebApi::WebApi(const Catalog* catalog, const AssetStore* assets, LiveFeed* feed, QueryWorker* queries)
    : catalog_(catalog), assets_(assets), feed_(feed), queries_(queries), catalog_json_(CatalogJson(*catalog)) {}

void WebApi::SetAccessTokens(std::shared_ptr<const AccessTokens> tokens) {
  std::lock_guard lock(tokens_mutex_);
  tokens_ = std::move(tokens);
}

std::optional<HttpResponse> WebApi::CheckAccess(const HttpRequest& request) const {
  std::shared_ptr<const AccessTokens> tokens;
  {
    std::lock_guard lock(tokens_mutex_);
    tokens = tokens_;
  }
  if (tokens == nullptr) return std::nullopt;
  const std::string token = PresentedToken(request);
  if (!token.empty() && tokens->Find(token) != nullptr) return std::nullopt;
  HttpResponse denied = HttpResponse::Error(
      401, token.empty() ? "this web node needs an access token: send 'Authorization: Bearer <token>' (docs/SECURITY.md)"
                         : "this access token is not valid here (it may have been revoked)");
  denied.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"tonghop\"");
  return denied;
}

std::string WebApi::UnitName(const std::string& code) const {
  const ReportingUnit* unit = catalog_->FindUnit(code);
  return unit == nullptr ? code : unit->name;
}

void WebApi::Handle(const HttpRequest& request, const Reply& reply) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = HttpResponse::Error(405, fmt::format("method {} not allowed: this node only reads (GET)",
                                                                 request.method.substr(0, 20)));
    response.headers.emplace_back("Allow", "GET, HEAD");
    return reply(std::move(response));
  }
  if (request.path.starts_with("/api/")) return HandleApi(request, reply);
  const StaticFile* file = assets_->Find(request.path);
  if (file == nullptr) return reply(HttpResponse::Error(404, fmt::format("nothing at {}", request.path)));
  // The page's own addresses (docs/OPERATIONS.md, "The dashboard"): ?lang=en, ?wall.
  if (auto bad = CheckParameters(request, {"lang", "wall"})) return reply(std::move(*bad));
  HttpResponse response{200, file->content_type, file->body, {}};
  // Revalidated on every load, so that a new version of the node serves a new page at once.
  response.headers.emplace_back("Cache-Control", "no-cache");
  return reply(std::move(response));
}

void WebApi::HandleApi(const HttpRequest& request, const Reply& reply) const {
  if (auto denied = CheckAccess(request)) return reply(std::move(*denied));
  const std::vector<std::string> parts = Split(request.path, '/');  // "", "api", "v1", ...
  if (parts.size() < 4 || parts[1] != "api" || parts[2] != "v1") {
    return reply(HttpResponse::Error(404, fmt::format("no such API endpoint: {} (docs/openapi.yaml lists them)",
                                                      request.path)));
  }
  const std::string& endpoint = parts[3];
  if (endpoint == "aggregates" && parts.size() == 4) {
    if (auto bad = CheckParameters(request, {"indicator", "period"})) return reply(std::move(*bad));
    const std::string indicator = Parameter(request, "indicator");
    const std::string period = Parameter(request, "period");
    if (auto bad = CheckPeriod(period, false)) return reply(std::move(*bad));
    if (!indicator.empty() && indicator.back() != '.' && catalog_->FindIndicator(indicator) == nullptr) {
      return reply(HttpResponse::Error(
          404, fmt::format("no indicator '{}' in the catalog (GET /api/v1/catalog lists them; end a prefix with '.', "
                           "e.g. agri.)", indicator)));
    }
    return reply(HttpResponse::Json(feed_->AggregatesJson(indicator, period)));
  }
  if (endpoint == "aggregates" && (parts.size() == 6 || parts.size() == 7)) {
    const std::string& indicator = parts[4];
    const std::string& period = parts[5];
    const Indicator* definition = catalog_->FindIndicator(indicator);
    if (definition == nullptr) {
      return reply(HttpResponse::Error(404, fmt::format("no indicator '{}' in the catalog (GET /api/v1/catalog lists them)",
                                                        indicator)));
    }
    if (auto bad = CheckPeriod(period, true)) return reply(std::move(*bad));
    if (auto bad = CheckParameters(request, {})) return reply(std::move(*bad));
    if (parts.size() == 6) {
      std::optional<std::string> json = feed_->AggregateJson(indicator, period);
      if (!json) {
        return reply(HttpResponse::Error(404, fmt::format("no value of {} for {} yet", indicator, period)));
      }
      return reply(HttpResponse::Json(std::move(*json)));
    }
    QueryRequest query;
    if (parts[6] == "units") {
      query.mutable_values()->set_period(period);
      query.mutable_values()->set_indicator_prefix(indicator);
      query.mutable_values()->set_by_unit(true);
      return AskAggregator(std::move(query), reply, [this, indicator, period](const QueryReply& answer) {
        return Units(indicator, period, answer);
      });
    }
    if (parts[6] == "groups") {
      // Checked here, not left to an empty answer: a sum of averages means nothing.
      if (definition->space_agg != SpaceAggregation::kSum) {
        return reply(HttpResponse::Error(
            400, fmt::format("{} is not summed over units (space_aggregation {}): its groups have no sum; its units' "
                             "own values are at /api/v1/aggregates/{}/{}/units",
                             indicator, ToString(definition->space_agg), indicator, period)));
      }
      query.mutable_values()->set_period(period);
      query.mutable_values()->set_indicator_prefix(indicator);
      query.mutable_values()->set_by_group(true);
      return AskAggregator(std::move(query), reply, [indicator, period](const QueryReply& answer) {
        return Groups(indicator, period, answer);
      });
    }
    if (parts[6] == "history") {
      query.mutable_history()->set_indicator(indicator);
      query.mutable_history()->set_period(period);
      return AskAggregator(std::move(query), reply, [this, indicator, period](const QueryReply& answer) {
        return History(indicator, period, answer);
      });
    }
  }
  if (endpoint == "completeness" && parts.size() == 4) {
    if (auto bad = CheckParameters(request, {"period"})) return reply(std::move(*bad));
    const std::string period = Parameter(request, "period");
    if (auto bad = CheckPeriod(period, true)) return reply(std::move(*bad));
    QueryRequest query;
    query.mutable_status()->set_period(period);
    return AskAggregator(std::move(query), reply, [this](const QueryReply& answer) { return Completeness(answer); });
  }
  if (endpoint == "report" && parts.size() == 4) {
    if (auto bad = CheckParameters(request, {"period", "format"})) return reply(std::move(*bad));
    const std::string period = Parameter(request, "period");
    if (auto bad = CheckPeriod(period, true)) return reply(std::move(*bad));
    std::string format = Parameter(request, "format");
    if (format.empty()) format = "html";
    if (format != "html" && format != "md") {
      return reply(HttpResponse::Error(400, fmt::format("format '{}': use html or md", format.substr(0, 20))));
    }
    return reply(Report(period, format));
  }
  if (endpoint == "catalog" && parts.size() == 4) {
    if (auto bad = CheckParameters(request, {})) return reply(std::move(*bad));
    return reply(HttpResponse::Json(catalog_json_));
  }
  if (endpoint == "status" && parts.size() == 4) {
    if (auto bad = CheckParameters(request, {})) return reply(std::move(*bad));
    return reply(HttpResponse::Json(feed_->StatusJson()));
  }
  if (request.path == kStreamPath) {
    return reply(HttpResponse::Error(400, "the stream is served to GET requests only"));
  }
  return reply(HttpResponse::Error(404, fmt::format("no such API endpoint: {} (docs/openapi.yaml lists them)",
                                                    request.path)));
}

std::optional<HttpResponse> WebApi::OpenStream(const HttpRequest& request, std::string* filter,
                                               std::optional<uint64_t>* last_event_id) const {
  if (request.method != "GET") {
    HttpResponse response = HttpResponse::Error(405, "the stream is read with GET");
    response.headers.emplace_back("Allow", "GET");
    return response;
  }
  if (auto denied = CheckAccess(request)) return denied;
  if (auto bad = CheckParameters(request, {"filter", "last_event_id"})) return bad;
  *filter = Parameter(request, "filter");
  if (std::string why = ValidateFilter(*filter); !why.empty()) {
    return HttpResponse::Error(400, fmt::format("filter '{}': {}", filter->substr(0, 200), why));
  }
  std::string id = request.last_event_id.empty() ? Parameter(request, "last_event_id") : request.last_event_id;
  last_event_id->reset();
  if (!id.empty()) {
    uint64_t seq = 0;
    auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), seq);
    if (error != std::errc() || end != id.data() + id.size()) {
      return HttpResponse::Error(400, fmt::format("Last-Event-ID '{}': must be the id of an event of this stream (a "
                                                  "seq, digits only)", id.substr(0, 40)));
    }
    *last_event_id = seq;
  }
  return std::nullopt;
}

void WebApi::AskAggregator(QueryRequest query, const Reply& reply,
                           std::function<HttpResponse(const QueryReply&)> answer) const {
  if (queries_ == nullptr) return reply(HttpResponse::Error(503, "this web node has no link to the aggregator"));
  const bool queued = queries_->Submit(std::move(query), [reply, answer](const Status& status, const QueryReply& got) {
    if (status.ok()) return reply(answer(got));
    // The aggregator did not answer (504), or refused the request (502): either way it is the
    // node behind this one, and the message says what to check.
    reply(HttpResponse::Error(status.IsUnavailable() ? 504 : 502, status.message()));
  });
  if (!queued) {
    {
      std::lock_guard lock(busy_log_mutex_);
      if (busy_log_.Allow()) {
        spdlog::warn("refused a question for the aggregator: as many wait as --max_waiting_queries allows ({} more not "
                     "logged)", busy_log_.suppressed());
      }
    }
    HttpResponse busy = HttpResponse::Error(
        503, "too many questions to the aggregator are waiting (--max_waiting_queries); try again in a moment");
    busy.headers.emplace_back("Retry-After", "1");
    reply(std::move(busy));
  }
}

HttpResponse WebApi::Units(const std::string& indicator, const std::string& period, const QueryReply& reply) const {
  Json aggregate = nullptr;
  for (const auto& a : reply.values().aggregates()) {
    if (a.indicator() == indicator && a.period() == period) aggregate = Json::parse(VersionJson(a, catalog_));
  }
  std::map<std::string, const tonghop::v1::UnitFigure*> figures;
  for (const auto& figure : reply.values().figures()) {
    if (figure.indicator() == indicator && figure.period() == period) figures[figure.reporting_unit()] = &figure;
  }
  Json units = Json::array();
  auto add = [&](const std::string& code, bool expected) {
    auto it = figures.find(code);
    const tonghop::v1::UnitFigure* figure = it == figures.end() ? nullptr : it->second;
    units.push_back({{"reporting_unit", code},
                     {"name", UnitName(code)},
                     {"expected", expected},
                     {"value", figure ? Json(figure->value()) : Json(nullptr)},
                     {"derived", figure != nullptr && figure->derived()},
                     {"complete", figure != nullptr && figure->complete()},
                     {"applied_at_ms", figure ? Json(figure->applied_at_ms()) : Json(nullptr)}});
  };
  // The units expected for the period in the catalog's order, each whether it reported or not;
  // then any other.
  std::set<std::string> listed;
  const Indicator* definition = catalog_->FindIndicator(indicator);
  Period parsed;
  const bool known_period = Period::Parse(period, &parsed).ok();
  for (const ReportingUnit& unit : catalog_->units()) {
    if (definition != nullptr && known_period && catalog_->Expects(*definition, unit.code, parsed)) {
      add(unit.code, true);
      listed.insert(unit.code);
    }
  }
  for (const auto& [code, figure] : figures) {
    if (!listed.count(code)) add(code, false);
  }
  return HttpResponse::Json(Dump({{"indicator", indicator}, {"period", period}, {"aggregate", std::move(aggregate)},
                                  {"units", std::move(units)}}));
}

HttpResponse WebApi::History(const std::string& indicator, const std::string& period, const QueryReply& reply) const {
  Json revisions = Json::array();
  for (const auto& revision : reply.history().province()) {
    revisions.push_back({{"value", revision.value()},
                         {"units_reported", revision.units_reported()},
                         {"units_expected", revision.units_expected()},
                         {"partial", revision.partial()},
                         {"at_ms", revision.at_ms()},
                         {"cause", FigureRevisionJson(revision.cause(), UnitName(revision.cause().reporting_unit()))}});
  }
  return HttpResponse::Json(Dump({{"indicator", indicator},
                                  {"period", period},
                                  {"revisions", std::move(revisions)},
                                  {"earlier_omitted", reply.history().earlier_omitted()}}));
}

HttpResponse WebApi::Completeness(const QueryReply& reply) const {
  Json cells = Json::array();
  for (const auto& cell : reply.status().cells()) {
    cells.push_back({{"reporting_unit", cell.reporting_unit()},
                     {"sector", cell.sector()},
                     {"expected", cell.expected()},
                     {"reported", cell.reported()},
                     {"late", cell.late()},
                     {"overdue", cell.overdue()}});
  }
  return HttpResponse::Json(
      Dump({{"period", reply.status().period()}, {"now_ms", reply.status().now_ms()}, {"cells", std::move(cells)}}));
}

HttpResponse WebApi::Report(const std::string& period, const std::string& format) const {
  HttpResponse response;
  response.content_type = format == "md" ? "text/markdown; charset=utf-8" : "text/html; charset=utf-8";
  response.body = cli::WriteReport(*catalog_, period, feed_->VersionsOf(period), format);
  response.headers.emplace_back("Content-Disposition",
                                fmt::format("attachment; filename=\"bao-cao-{}.{}\"", period, format));
  return response;
}

}  // namespace tonghop::web
