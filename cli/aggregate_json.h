// The JSON form of a replica's aggregates, printed by `tonghop watch --once --json` and read by
// tests, the web node and downstream scripts. One object, on one line:
//   {"seq":N,"aggregates":[{"indicator","period","value","unit","pct_of_plan","yoy_pct",
//                           "units_reported","units_expected","partial","partial_reason",
//                           "partial_units":[{"unit","units_reported","units_expected"}],
//                           "partial_text_vi","derived","ytd_value","ytd_units_reported",
//                           "sub_periods":[{"period","units_reported","units_with_figures"}],
//                           "warnings":[{"rule","units","text","parts_sum","text_vi"}]}, ...]}
// sorted by indicator then period; pct_of_plan, yoy_pct and ytd_value are null when the aggregator
// has none (no plan, no figure a year before), never 0, so a consumer can tell "unknown" from "no
// change". partial_reason is there only when not empty. sub_periods lists, for a derived period,
// the quarters (or months) it is built of and the units behind each (tonghop.proto's
// AggregateUpdate.sub_periods); empty otherwise. A warning's parts_sum is null but for parts_sum.
// Written with a catalog, the JSON also says in Vietnamese what the English texts say
// (cli/warning_text.h): each warning's text_vi, and partial_text_vi beside partial_reason. Every
// number is a JSON number written as its exact decimal, the shortest text of the value the
// aggregator holds ("value":123456789012345.123456, "pct_of_plan":22.58), never the noise of a
// double (22.579999999999998); a reader that wants every digit of a value beyond 15 significant
// digits reads the number's text, not a double.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/aggregate_table.h"
#include "core/catalog.h"
#include "core/decimal.h"
#include "tonghop/v1/query.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// A JSON value that DumpJson writes as `value`'s exact decimal text, a JSON number. Only DumpJson
// knows it (nlohmann's own dump would write it as binary).
nlohmann::ordered_json ExactNumber(Decimal value);
// ExactNumber of the value, or null when there is none.
nlohmann::ordered_json ExactNumberOrNull(const std::optional<Decimal>& value);

// `document` on one line, as nlohmann's dump(-1) writes it but with ExactNumber values as their
// text; text that is not valid UTF-8 is replaced, never a reason to fail.
std::string DumpJson(const nlohmann::ordered_json& document);

// `catalog` may be null: the Vietnamese texts are then left out.
nlohmann::ordered_json AggregateToJson(const tonghop::v1::AggregateUpdate& update, const Catalog* catalog);

// A number of a GroupFigure (its exact decimal text), none when the text is empty (no value) or,
// from a faulty peer, not a number.
std::optional<Decimal> GroupNumber(const std::string& text);

// One comparable group's sums (query.proto's GroupFigure) as `tonghop query --by group --format
// json` and the web node's /api/v1/aggregates/{indicator}/{period}/groups both write it:
//   {"indicator","period","units_after","value","units_reported","units_expected","previous_period",
//    "units_before","previous_value","previous_units_reported","previous_units_expected",
//    "change_pct","partial"}
// in that order; value, previous_value and change_pct are ExactNumbers (their exact decimal text
// once through DumpJson), null when GroupNumber has none, never 0.
nlohmann::ordered_json GroupToJson(const tonghop::v1::GroupFigure& group);

// `seq` is the sequence number up to which the table is known to be complete. Text received from
// the network that is not valid UTF-8 is replaced, never a reason to fail.
std::string AggregatesToJson(const AggregateTable& table, uint64_t seq, const Catalog* catalog);

}  // namespace tonghop::cli
