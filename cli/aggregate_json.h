// The JSON form of a replica's aggregates, printed by `tonghop watch --once --json` and read by
// tests and downstream scripts. One object, on one line:
//   {"seq":N,"aggregates":[{"indicator","period","value","unit","pct_of_plan","yoy_pct",
//                           "units_reported","units_expected","partial","derived","ytd_value",
//                           "warnings":[{"rule","units","text"}]}, ...]}
// sorted by indicator then period; pct_of_plan, yoy_pct and ytd_value are null when the aggregator
// has none (no plan, no figure a year before), never 0, so a consumer can tell "unknown" from "no
// change".
#pragma once

#include <cstdint>
#include <string>

#include <nlohmann/json.hpp>

#include "core/aggregate_table.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

nlohmann::ordered_json AggregateToJson(const tonghop::v1::AggregateUpdate& update);

// `seq` is the sequence number up to which the table is known to be complete. Text received from
// the network that is not valid UTF-8 is replaced, never a reason to fail.
std::string AggregatesToJson(const AggregateTable& table, uint64_t seq);

}  // namespace tonghop::cli
