// UpdateValidator: the catalog's judgement on one IndicatorUpdate, before anything is stored. The
// aggregator judges every update it receives by its catalog; a collector judges every figure by
// the same class, over the catalog its aggregator sent it, before the figure enters its outbox
// (docs/COLLECTOR.md, "The catalog"), so that a person hears of a typo at once.
// Refuses an update that stands for one that could not be read (unreadable_reason, set by a
// collector's placeholder or by the ingest decoder, core/wire_protocol.h) MALFORMED with that
// reason. Then checks the ids against the wire's limits (core/wire_text.h), the reporting unit,
// the indicator, that the unit reports it, the period (its form, that its year is inside the
// catalog's window, years.csv, that the unit exists in it: valid_from and valid_to of units.csv)
// and that the indicator is reported for its type, the value (an exact decimal in range, not
// negative where the catalog forbids it; a void carries none, and an unknown kind is MALFORMED),
// and says which field was wrong. Stateless; the catalog must outlive it. Thread-safe.
#pragma once

#include <string>

#include "core/catalog.h"
#include "core/below_completeness.h"
#include "core/clock.h"
#include "core/decimal.h"
#include "core/period.h"
#include "core/wire_text.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

struct ValidatedUpdate {
  const Indicator* indicator = nullptr;
  Period period;
  Decimal value;  // zero for a void
  BelowCompleteness below;  // of a figure that is a total of the level below
};

// Why an update is refused: the reason, the field at fault ("reporting_unit", "indicator",
// "period", "value") and what is wrong with it.
struct Refusal {
  tonghop::v1::RejectReason reason = tonghop::v1::REJECT_REASON_UNSPECIFIED;
  std::string field;  // empty for an update that stands for an unreadable one
  std::string why;
  // "field 'indicator': unknown indicator 'agri.x' (not in the catalog's indicators.csv)".
  std::string Text() const;
};

class UpdateValidator {
 public:
  explicit UpdateValidator(const Catalog* catalog) : catalog_(catalog) {}

  // REJECT_REASON_UNSPECIFIED when the update is valid (and `out` is filled); otherwise the
  // reason, with `text` naming the field and what was wrong with it. `now_ms` (NowMs()) places
  // a window whose last year is relative ("next_year").
  tonghop::v1::RejectReason Validate(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms, ValidatedUpdate* out,
                                     std::string* text) const;
  // The same judgement with the field apart from the why: reason UNSPECIFIED when valid.
  Refusal Judge(const tonghop::v1::IndicatorUpdate& update, int64_t now_ms, ValidatedUpdate* out) const;

 private:
  const Catalog* catalog_;
};

}  // namespace tonghop
