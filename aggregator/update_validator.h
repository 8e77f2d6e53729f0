// UpdateValidator: the catalog's judgement on one IndicatorUpdate, before anything is stored.
// UpdateValidator: the catalog's judgement on one IndicatorUpdate, before anything is stored.
// Refuses an update that stands for one that could not be read (unreadable_reason, set by a
// collector's placeholder or by the ingest decoder, core/wire_protocol.h) MALFORMED with that
// reason. Then checks the ids against the wire's limits (core/wire_text.h), the reporting unit,
// the indicator, that the unit is expected to report it, the period (its form, that its year is
// inside the catalog's window, years.csv) and that the indicator is reported for its type, the
// value (finite, in range, not negative where the catalog forbids it), and says which field was
// wrong. Stateless; the catalog must outlive it.
#pragma once

#include <string>

#include "core/catalog.h"
#include "core/decimal.h"
#include "core/period.h"
#include "core/wire_text.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

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
