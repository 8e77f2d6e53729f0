// UpdateValidator: the catalog's judgement on one IndicatorUpdate, before anything is stored.
// Checks the reporting unit, the indicator, that the unit is expected to report it, the period (its
// form, that its year is inside the catalog's window, years.csv) and that the indicator is
// reported for its type, the value (finite, in range, not negative where the
// catalog forbids it), and says which field was wrong. Stateless; the catalog must outlive it.
#pragma once

#include <string>

#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

// Longest id, period or unit code accepted; longer ones are rejected as malformed.
inline constexpr size_t kMaxIdLength = 200;

struct ValidatedUpdate {
  const Indicator* indicator = nullptr;
  Period period;
  Decimal value;
};

class UpdateValidator {
 public:
  explicit UpdateValidator(const Catalog* catalog) : catalog_(catalog) {}

  // REJECT_REASON_UNSPECIFIED when the update is valid (and `out` is filled); otherwise the
  // reason, with `text` naming the field and what was wrong with it. `now_ms` (NowMs()) places
  // a window whose last year is relative ("next_year").
  tonghop::v1::RejectReason Validate(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms, ValidatedUpdate* out,
                                     std::string* text) const;

 private:
  const Catalog* catalog_;
};

}  // namespace tonghop
