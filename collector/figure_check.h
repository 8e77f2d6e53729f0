// The checks every figure passes before a collector accepts it into its outbox, whether it comes
// from a drop file or from `tonghop submit` (and before `tonghop import` stores it in its own
// outbox). They catch what can be judged without the catalog (the aggregator checks the rest
// against it), so that a person hears about a typo at once, in their language, rather than later
// in rejected.csv.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/decimal.h"
#include "core/messages.h"
#include "core/status.h"
#include "core/update_validator.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

// One thing wrong with a figure: the field (as named in a drop file's header) and why.
struct FieldError {
  std::string field;
  std::string why;
};

// Checks `figure` for a sender of unit `own_unit`: every string valid UTF-8 and at most
// kMaxIdLength bytes (core/wire_text.h; a figure failing that could never be sent), indicator
// non-empty, period valid, value finite and within +-1e12 (a void carries none), reporting_unit
// empty or `own_unit`.
// Fills an empty reporting_unit with `own_unit`. An empty `own_unit` (the office: any unit)
// requires reporting_unit instead. Returns every problem found, in `language` (empty when the
// figure is good); a string that is not UTF-8 is never copied into a `why`.
std::vector<FieldError> CheckFigure(const std::string& own_unit, Language language,
                                    tonghop::v1::IndicatorUpdate* figure);

// How a person wrote the decimal point of a figure.
enum class DecimalMark {
  kPoint,   // '.' (a CSV file separated by ','): 2310.5; nothing groups thousands
  kComma,   // ',' (a CSV file separated by ';', as Excel saves it under a Vietnamese locale):
            // 2310,5; '.' may group thousands in threes: 1.234,5
  kEither,  // a spreadsheet cell holding text: one '.' or one ',' as the decimal point, or
            // kComma's grouping (1.234,5)
};

// Parses a figure as a person wrote it: digits, an optional sign, at most 6 decimals, at most
// 1e12. InvalidArgument whose message, in `language`, completes "field 'value' ..." and quotes
// the text (escaped when it is not UTF-8).
Status ParseFigureValue(std::string_view text, DecimalMark mark, Language language, Decimal* out);

// The catalog's judgement of a figure that CheckFigure found good, by the collector's copy of the
// aggregator's catalog (collector/collector_catalog.h): an unknown indicator or unit, a unit the
// catalog does not expect for it, a period outside the catalog's years or of a type the indicator
// is not reported for, a negative figure where the catalog forbids it. Empty when it passes.
std::vector<FieldError> CheckAgainstCatalog(const UpdateValidator& validator, const tonghop::v1::IndicatorUpdate& figure,
                                            int64_t now_ms);

// Parses an ISO 8601 date ("2017-03-31") or date-time ("2017-03-31T14:05", "2017-03-31 14:05:09",
// optional fraction of a second, optional "Z" or "+07:00"). Without a zone the time is Vietnam
// time (UTC+07:00), the time the district's own clocks show; a bare date means its midnight.
// The message of a failure, in `language`, quotes the text.
Status ParseObservedAt(std::string_view text, int64_t* ms_since_epoch, Language language = Language::kEnglish);

}  // namespace tonghop
