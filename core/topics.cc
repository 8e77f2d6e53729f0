#include "core/topics.h"

#include <initializer_list>

#include <fmt/format.h>

namespace tonghop {

std::string IndicatorTopic(const tonghop::v1::AggregateUpdate& update) {
  std::string topic(kIndicatorTopicFamily);
  topic.append(update.indicator()).append("/").append(update.period());
  return topic;
}

std::string PeriodTopic(const tonghop::v1::AggregateUpdate& update) {
  std::string topic(kPeriodTopicFamily);
  topic.append(update.period()).append("/").append(update.indicator());
  return topic;
}

namespace {

// Whether `filter` is a prefix of the concatenation of `parts`, without building it: this runs for
// every entry of every snapshot.
bool IsPrefixOfParts(std::string_view filter, std::initializer_list<std::string_view> parts) {
  for (std::string_view part : parts) {
    if (filter.size() <= part.size()) return part.starts_with(filter);
    if (!filter.starts_with(part)) return false;
    filter.remove_prefix(part.size());
  }
  return false;  // longer than the whole topic
}

}  // namespace

bool FilterMatches(std::string_view filter, const tonghop::v1::AggregateUpdate& update) {
  return IsPrefixOfParts(filter, {kIndicatorTopicFamily, update.indicator(), "/", update.period()}) ||
         IsPrefixOfParts(filter, {kPeriodTopicFamily, update.period(), "/", update.indicator()});
}

std::string ValidateFilter(std::string_view filter) {
  if (filter.empty()) return "";
  if (filter.size() > kMaxFilterBytes) {
    return fmt::format("filter is {} bytes long; a topic prefix is at most {}", filter.size(), kMaxFilterBytes);
  }
  if (filter.starts_with(kIndicatorTopicFamily) || filter.starts_with(kPeriodTopicFamily)) return "";
  return fmt::format(
      "filter '{}' is not a topic prefix: use \"\" for everything, \"i/<indicator prefix>\" "
      "(e.g. i/agri.) or \"p/<period>/\" (e.g. p/2017-Q1/)",
      filter);
}

}  // namespace tonghop
