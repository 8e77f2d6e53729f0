// BelowCompleteness: how complete a figure is that is itself a total of the level below, such as a
// province total relayed to the national aggregator (docs/DATA-MODEL.md, "Completeness carried
// upward"). A unit's own figure has the default: not partial, no counts. The aggregator counts a
// unit whose figure is partial as not yet reported, so whatever that figure feeds is partial too,
// and says why (ProvinceState, AggregateUpdate.partial_reason). Converted to and from the wire and
// the store only in core/wire_protocol.h. A plain value; thread-compatible.
#pragma once

#include <cstdint>
#include <string>

namespace tonghop {

struct BelowCompleteness {
  bool partial = false;
  uint32_t units_reported = 0;  // of the level below
  uint32_t units_expected = 0;
  std::string reason;  // who is missing further down; "" when that is only the counts

  // What a partial figure of `unit` says at the top: "lang-son: 17 of 18 units", with the reason
  // of the level below in parentheses when it has one. "" when not partial.
  std::string Describe(const std::string& unit) const;

  bool operator==(const BelowCompleteness&) const = default;
};

}  // namespace tonghop
