// A validation warning (tonghop.v1.ValidationWarning), and why a total is partial, as a Vietnamese
// reader is told them: by `report` and `watch`, and by the web page, to which the web node sends
// them in its JSON (cli/aggregate_json.h). The aggregator's text is English, with the figures;
// these are the report's phrases, with unit names from the catalog. Pure functions; thread-safe.
#pragma once

#include <string>

#include "core/catalog.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// parts_sum: "các thành phần cộng lại được 2.100,5 ha, vượt tổng số 2.000 ha", without the sum
// when the warning does not carry it (an aggregator that predates parts_sum_decimal stored it).
// min_max: "số liệu của Cao Lộc nằm ngoài khoảng giá trị cho phép".
// yoy_change: "mức thay đổi so với cùng kỳ vượt ngưỡng kiểm tra, cần xác minh lại".
// A rule this build does not know keeps the aggregator's text. `catalog` may be null: units are
// then named by code, and parts are held to add up to the total exactly.
std::string WarningTextVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total,
                          const tonghop::v1::ValidationWarning& warning);

// Why a total is partial when some unit's figure is itself a partial total of the level below
// (AggregateUpdate.partial_units): "Cao Bằng: 1/2 đơn vị cấp dưới đã báo cáo; Lạng Sơn: 17/18 đơn
// vị cấp dưới đã báo cáo", units named from the catalog. Who is missing further down than those
// units is in partial_reason only, in English. A version without partial_units (stored by an
// aggregator that predates them) keeps its partial_reason.
std::string PartialBelowTextVi(const Catalog* catalog, const tonghop::v1::AggregateUpdate& total);

}  // namespace tonghop::cli
