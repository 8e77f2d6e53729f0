#include "web/live_feed.h"

#include <algorithm>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/aggregate_json.h"
#include "core/clock.h"
#include "core/topics.h"
#include "core/transport.h"

namespace tonghop::web {
namespace {

using tonghop::v1::AggregateUpdate;

std::string StreamIdText(uint64_t stream_id) { return fmt::format("{:016x}", stream_id); }

bool Selects(std::string_view filter, std::string_view indicator_topic, std::string_view period_topic) {
  return filter.empty() || indicator_topic.starts_with(filter) || period_topic.starts_with(filter);
}

bool IndicatorSelected(std::string_view wanted, std::string_view indicator) {
  if (wanted.empty()) return true;
  return wanted.back() == '.' ? indicator.starts_with(wanted) : indicator == wanted;
}

}  // namespace

const char* ToString(FeedHealth::State state) {
  switch (state) {
    case FeedHealth::State::kStarting: return "starting";
    case FeedHealth::State::kLive: return "live";
    case FeedHealth::State::kStale: return "stale";
  }
  return "?";
}

std::string VersionJson(const AggregateUpdate& version, const Catalog* catalog) {
  nlohmann::ordered_json object = cli::AggregateToJson(version, catalog);
  // A deletion: every figure of the aggregate was voided; a page drops it.
  if (version.deleted()) object = {{"indicator", version.indicator()}, {"period", version.period()}, {"deleted", true}};
  object["seq"] = version.seq();
  object["prev_seq"] = version.prev_seq();
  object["updated_at_ms"] = version.updated_at_ms();
  return cli::DumpJson(object);
}

LiveFeed::LiveFeed(size_t replay_log_bytes, const Catalog* catalog)
    : replay_log_bytes_(replay_log_bytes), catalog_(catalog) {}

void LiveFeed::Notify() {
  if (on_change_) on_change_();
}

void LiveFeed::Reset(uint64_t stream_id, uint64_t seq, const AggregateTable& table) {
  std::map<AggregateTable::Key, Held> encoded;
  for (const auto& [key, version] : table.entries()) {
    encoded.emplace(key, Held{version, std::make_shared<const std::string>(VersionJson(version, catalog_))});
  }
  {
    std::lock_guard lock(mutex_);
    table_ = std::move(encoded);
    stream_id_ = stream_id;
    seq_ = seq;
    ++base_;
    log_first_index_ += log_.size();
    log_.clear();
    index_of_id_.clear();
    // Above the largest seq of the table, no version of this stream is held: no event can share
    // the base's id.
    base_id_ = std::max(seq, table.max_seq());
    base_index_ = log_first_index_;
    last_id_ = base_id_;
    log_bytes_ = 0;
    log_total_bytes_ = 0;
  }
  Notify();
}

void LiveFeed::Append(const std::vector<AggregateUpdate>& versions, uint64_t seq) {
  struct Encoded {
    std::shared_ptr<const std::string> json;
    std::shared_ptr<const std::string> event;
  };
  std::vector<Encoded> encoded;
  encoded.reserve(versions.size());
  for (const AggregateUpdate& version : versions) {
    auto json = std::make_shared<const std::string>(VersionJson(version, catalog_));
    auto event = std::make_shared<const std::string>(
        fmt::format("id: {}\nevent: version\ndata: {}\n\n", version.seq(), *json));
    encoded.push_back({std::move(json), std::move(event)});
  }
  {
    std::lock_guard lock(mutex_);
    for (size_t i = 0; i < versions.size(); ++i) {
      const AggregateUpdate& version = versions[i];
      const AggregateTable::Key key(version.indicator(), version.period());
      if (auto it = table_.find(key); it != table_.end() && it->second.version.seq() >= version.seq()) continue;
      // A deletion leaves the table (a new page's snapshot has no such aggregate) and is logged for
      // the pages that hold it; the replica's table guarantees it comes after what it deletes.
      if (version.deleted()) {
        table_.erase(key);
      } else {
        table_[key] = Held{version, encoded[i].json};
      }
      log_total_bytes_ += encoded[i].event->size();
      log_bytes_ += encoded[i].event->size();
      index_of_id_[version.seq()] = log_first_index_ + log_.size();
      log_.push_back(LogEntry{version.seq(), IndicatorTopic(version), PeriodTopic(version),
                              std::move(encoded[i].event), log_total_bytes_});
      last_id_ = version.seq();
    }
    seq_ = std::max(seq_, seq);
    while (log_bytes_ > replay_log_bytes_ && !log_.empty()) {
      log_bytes_ -= log_.front().event->size();
      index_of_id_.erase(log_.front().seq);
      log_.pop_front();
      ++log_first_index_;
    }
  }
  Notify();
}

void LiveFeed::SetHealth(const FeedHealth& health) {
  {
    std::lock_guard lock(mutex_);
    health_ = health;
    ++health_version_;
  }
  Notify();
}

bool LiveFeed::Place(std::optional<uint64_t> last_event_id, Cursor* cursor) const {
  std::lock_guard lock(mutex_);
  *cursor = Cursor();
  if (!last_event_id || base_ == 0) return false;
  uint64_t next;
  if (auto it = index_of_id_.find(*last_event_id); it != index_of_id_.end()) {
    next = it->second + 1;
  } else if (*last_event_id == base_id_ && base_index_ >= log_first_index_) {
    next = base_index_;
  } else {
    return false;
  }
  cursor->base = base_;
  cursor->next_index = next;
  return true;
}

LiveFeed::ReadResult LiveFeed::Read(Cursor* cursor, std::string_view filter, size_t max_bytes,
                                    std::string* out) const {
  std::lock_guard lock(mutex_);
  if (base_ != 0 && cursor->base != base_) {
    // The table as of the end of the log, under the id of the last event logged.
    *out += SnapshotEventLocked(filter);
    cursor->base = base_;
    cursor->next_index = log_first_index_ + log_.size();
  } else if (base_ != 0) {
    if (cursor->next_index < log_first_index_) return ReadResult::kBehind;
    size_t taken = 0;
    uint64_t index = cursor->next_index;
    for (; index < log_first_index_ + log_.size() && taken < max_bytes; ++index) {
      const LogEntry& entry = log_[index - log_first_index_];
      if (!Selects(filter, entry.indicator_topic, entry.period_topic)) continue;
      *out += *entry.event;
      taken += entry.event->size();
    }
    cursor->next_index = index;
  }
  if (cursor->health_version != health_version_) {
    *out += StatusEventLocked();
    cursor->health_version = health_version_;
  }
  return ReadResult::kOk;
}

uint64_t LiveFeed::BytesBehind(const Cursor& cursor) const {
  std::lock_guard lock(mutex_);
  if (cursor.base != base_ || cursor.next_index < log_first_index_) return log_total_bytes_;
  const uint64_t index = cursor.next_index - log_first_index_;
  if (index >= log_.size()) return 0;
  const LogEntry& entry = log_[index];
  return log_total_bytes_ - (entry.end_offset - entry.event->size());
}

bool LiveFeed::HasNews(const Cursor& cursor) const {
  std::lock_guard lock(mutex_);
  if (base_ != 0 && cursor.base != base_) return true;
  return cursor.next_index < log_first_index_ + log_.size() || cursor.health_version != health_version_;
}

std::string LiveFeed::StatusEvent() const {
  std::lock_guard lock(mutex_);
  return StatusEventLocked();
}

std::string LiveFeed::StatusEventLocked() const {
  nlohmann::ordered_json status = {
      {"state", ToString(health_.state)}, {"reason", health_.reason},     {"reason_code", health_.reason_code},
      {"since_ms", health_.since_ms},     {"now_ms", NowMs()},           {"stream_id", StreamIdText(stream_id_)},
      {"seq", seq_},
  };
  return "event: status\ndata: " + cli::DumpJson(status) +
         "\n\n";
}

std::string LiveFeed::SnapshotEventLocked(std::string_view filter) const {
  std::string out = fmt::format("id: {}\nevent: snapshot\ndata: {{\"stream_id\":\"{}\",\"seq\":{},\"aggregates\":[",
                                last_id_, StreamIdText(stream_id_), seq_);
  bool first = true;
  for (const auto& [key, held] : table_) {
    if (!filter.empty() && !FilterMatches(filter, held.version)) continue;
    if (!first) out += ',';
    out += *held.json;
    first = false;
  }
  out += "]}\n\n";
  return out;
}

std::string LiveFeed::AggregatesJson(std::string_view indicator, std::string_view period) const {
  std::lock_guard lock(mutex_);
  std::string out = fmt::format("{{\"stream_id\":\"{}\",\"seq\":{},\"state\":\"{}\",\"aggregates\":[",
                                StreamIdText(stream_id_), seq_, ToString(health_.state));
  bool first = true;
  for (const auto& [key, held] : table_) {
    if (!IndicatorSelected(indicator, key.first) || (!period.empty() && key.second != period)) continue;
    if (!first) out += ',';
    out += *held.json;
    first = false;
  }
  out += "]}";
  return out;
}

std::optional<std::string> LiveFeed::AggregateJson(const std::string& indicator, const std::string& period) const {
  std::lock_guard lock(mutex_);
  auto it = table_.find({indicator, period});
  if (it == table_.end()) return std::nullopt;
  return *it->second.json;
}

std::vector<AggregateUpdate> LiveFeed::VersionsOf(const std::string& period) const {
  std::lock_guard lock(mutex_);
  std::vector<AggregateUpdate> out;
  for (const auto& [key, held] : table_) {
    if (key.second == period) out.push_back(held.version);
  }
  return out;
}

std::string LiveFeed::StatusJson() const {
  std::lock_guard lock(mutex_);
  nlohmann::ordered_json status = {
      {"state", ToString(health_.state)},
      {"reason", health_.reason},
      {"reason_code", health_.reason_code},
      {"since_ms", health_.since_ms},
      {"now_ms", NowMs()},
      {"stream_id", StreamIdText(stream_id_)},
      {"seq", seq_},
      {"aggregates", table_.size()},
      {"replay_log", {{"versions", log_.size()}, {"bytes", log_bytes_}, {"capacity_bytes", replay_log_bytes_}}},
  };
  return cli::DumpJson(status);
}

FeedHealth LiveFeed::health() const {
  std::lock_guard lock(mutex_);
  return health_;
}

uint64_t LiveFeed::seq() const {
  std::lock_guard lock(mutex_);
  return seq_;
}

uint64_t LiveFeed::stream_id() const {
  std::lock_guard lock(mutex_);
  return stream_id_;
}

}  // namespace tonghop::web
