// A validation warning (tonghop.v1.ValidationWarning) as a Vietnamese reader is told it, by
// `report --draft` and by `watch`. The aggregator's text is English, with the figures; these are
// the report's phrases, with unit names from the catalog. (The web page says the same sentences:
// warningText in web/assets/views.js.) Pure functions; thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "core/catalog.h"
#include "core/decimal.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// The province value of an indicator in the total's period, nullopt when the caller does not hold it.
using PartValueOf = std::function<std::optional<Decimal>(const std::string& indicator)>;

// parts_sum: "các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha", without the sum
// when some part's value is unknown or the warning names no part.
// min_max: "số liệu của Cao Lộc nằm ngoài khoảng giá trị cho phép".
// yoy_change: "mức thay đổi so với cùng kỳ vượt ngưỡng kiểm tra, cần xác minh lại".
// A rule this build does not know keeps the aggregator's text. `catalog` may be null: units are
// then named by code, and parts are held to add up to the total exactly.
std::string WarningTextVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total,
                          const tonghop::v1::ValidationWarning& warning, const PartValueOf& part_value);

}  // namespace tonghop::cli
