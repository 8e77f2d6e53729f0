// Test fixture shared by the cli tests: an aggregate version as the feed would carry it.
#pragma once

#include <cstdint>
#include <string>

#include "tonghop/v1/tonghop.pb.h"

namespace tonghop::cli {

// A version in "ha" with 9 of 11 units reported and no percentages.
inline tonghop::v1::AggregateUpdate Aggregate(uint64_t seq, std::string indicator, std::string period, double value) {
  tonghop::v1::AggregateUpdate update;
  update.set_seq(seq);
  update.set_indicator(std::move(indicator));
  update.set_period(std::move(period));
  update.set_value(value);
  update.set_unit("ha");
  update.set_units_reported(9);
  update.set_units_expected(11);
  return update;
}

}  // namespace tonghop::cli
