// Topics of the aggregate feed's PUB socket (docs/PROTOCOL.md, "Aggregate feed"). Every aggregate
// version is published twice, once per family, so that a ZeroMQ prefix subscription can select an
// indicator, an indicator prefix or a period:
//   "i/<indicator>/<period>"   e.g. i/agri.sown_area.total/2017-Q1
//   "p/<period>/<indicator>"   e.g. p/2017-Q1/agri.sown_area.total
// Heartbeats go under "hb".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

inline constexpr std::string_view kIndicatorTopicFamily = "i/";
inline constexpr std::string_view kPeriodTopicFamily = "p/";
inline constexpr std::string_view kHeartbeatTopic = "hb";

std::string IndicatorTopic(const tonghop::v1::AggregateUpdate& update);
std::string PeriodTopic(const tonghop::v1::AggregateUpdate& update);

// Whether a subscription (or snapshot) filter selects `update`: "" selects everything; otherwise
// the filter must be a prefix of one of its two topics.
bool FilterMatches(std::string_view filter, const tonghop::v1::AggregateUpdate& update);

// The longest filter. libzmq 4.3.4 sends a longer subscription as a ZMTP 3.1 SUBSCRIBE command of
// more than 255 bytes flagged as a short frame: the server reads garbage (and cuts the
// subscriber off, see CloneServer).
inline constexpr size_t kMaxFilterBytes = 245;

// Checks a subscriber's filter: "", or a prefix starting with "i/" or "p/", at most
// kMaxFilterBytes long. Empty string when valid, otherwise what is wrong with it.
std::string ValidateFilter(std::string_view filter);

}  // namespace tonghop
