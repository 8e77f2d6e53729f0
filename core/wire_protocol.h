// wire_protocol: the one place where the protobuf messages of the wire and of the stores are
// converted to and from what the nodes work with (after Apache Kudu's wire_protocol): frames
// decoded, and every number of a message read as or written from a Decimal. Nothing else reads or
// writes a message's number fields. Decoders here never let protobuf write to the log: a peer must
// not be able to fill a node's log, so callers log what they refuse, rate-limited
// (core/log_limiter.h).
//
// Why a decoder rather than ParseFromArray: proto3 refuses to parse a whole message when any of its
// `string` fields holds bytes that are not valid UTF-8. On the ingest link that used to mean a
// batch dropped without an answer; in a collector's outbox, a record no one could send.
// Thread-safe: pure functions.
#pragma once

#include <optional>
#include <string_view>

#include <google/protobuf/message.h>

#include "core/below_completeness.h"
#include "core/decimal.h"
#include "core/status.h"
#include "tonghop/storage/v1/storage.pb.h"
#include "tonghop/v1/query.pb.h"
#include "tonghop/v1/tonghop.pb.h"

namespace tonghop {

// Decodes one frame of the ingest link, a CollectorMessage (docs/PROTOCOL.md, "Malformed input").
//  - A frame protobuf parses: exactly what protobuf reads.
//  - A frame protobuf refuses only because string fields are not valid UTF-8: decoded anyway, each
//    such string with its invalid bytes written as \xNN (EscapeInvalidUtf8), and each update
//    concerned marked with unreadable_reason naming the field and the seq: "field 'indicator' of
//    seq 7 is not valid UTF-8" for a string of that update, "field 'node_id' of the batch is not
//    valid UTF-8" on every update for one of the batch itself. The aggregator refuses those
//    updates MALFORMED (final, recorded) and handles the others of the batch as usual.
//  - Anything else (not protobuf wire format, e.g. truncated): InvalidArgument saying so, and
//    `message` is cleared, since no seq in it can be trusted.
Status DecodeCollectorMessage(std::string_view frame, tonghop::v1::CollectorMessage* message);

// Parses `bytes` into `message` as protobuf does, without letting it write a line to the log for
// a string that is not UTF-8 (a line per message a peer sends). False when protobuf refuses them.
bool ParseQuietly(std::string_view bytes, google::protobuf::MessageLite* message);

// Parses `bytes` into `message`. When protobuf refuses them: InvalidArgument naming the first field
// at fault by its path from `message`'s type ("field 'submit.figures[1].indicator' is not valid
// UTF-8"), or saying that the bytes are not protobuf wire format at all; `message` is then cleared.
Status ParseWireMessage(std::string_view bytes, google::protobuf::Message* message);

// ---- Numbers (docs/PROTOCOL.md, "Values") ----
// Every number of the wire travels twice: as exact decimal text in its `*_decimal` field, and as
// the nearest double in the field beside it, for peers that predate the text. Writers below set
// both; readers take the text when it is set and otherwise the double, read as Decimal::FromDouble
// reads it (the decimal the double stands for, six places). A reader of something a peer sent gets
// none (or an error naming the field) for text that is not a decimal, or a double that is NaN,
// infinite or too large, never a guess.

// IndicatorUpdate.value: a figure, at most Decimal::kMaxFigureDigits digits before the point.
void SetFigureValue(Decimal value, tonghop::v1::IndicatorUpdate* update);
// InvalidArgument saying what is wrong with the figure ("'1.2.3' is not a decimal number: ...",
// "value nan is not a finite number"), which completes "field 'value': ".
Status FigureValue(const tonghop::v1::IndicatorUpdate& update, Decimal* out);

// IndicatorUpdate fields 20 to 23: the completeness of the level below, of a figure that is a
// total (a relayed province total). Reading what a peer sent fails with InvalidArgument naming the
// field ("field 'units_reported': 19 is above units_expected 18"), which the aggregator refuses
// MALFORMED: counts above the expected, a partial_reason on a figure not partial, or one that is
// not UTF-8 or longer than kMaxReasonLength.
void SetBelowCompleteness(const BelowCompleteness& completeness, tonghop::v1::IndicatorUpdate* update);
Status BelowCompletenessOf(const tonghop::v1::IndicatorUpdate& update, BelowCompleteness* out);
// What a level's total says of itself, for the relay that sends it one level up: its counts, and
// as the reason its own partial_reason (who is missing further down), if any.
BelowCompleteness BelowCompletenessOf(const tonghop::v1::AggregateUpdate& update);
// The aggregator's record of a figure (storage UnitValue, the same fields): stored as it came.
void SetStoredBelowCompleteness(const BelowCompleteness& completeness, tonghop::storage::v1::UnitValue* record);
BelowCompleteness StoredBelowCompleteness(const tonghop::storage::v1::UnitValue& record);

// AggregateUpdate: the province value, its year-to-date value and the two percentages. A
// percentage or year-to-date value that is none is cleared (absent), never 0.
void SetValue(Decimal value, tonghop::v1::AggregateUpdate* update);
void SetYtdValue(std::optional<Decimal> value, tonghop::v1::AggregateUpdate* update);
void SetPctOfPlan(std::optional<Decimal> pct, tonghop::v1::AggregateUpdate* update);
void SetYoyPct(std::optional<Decimal> pct, tonghop::v1::AggregateUpdate* update);
std::optional<Decimal> ValueOf(const tonghop::v1::AggregateUpdate& update);
std::optional<Decimal> YtdValueOf(const tonghop::v1::AggregateUpdate& update);
std::optional<Decimal> PctOfPlanOf(const tonghop::v1::AggregateUpdate& update);
std::optional<Decimal> YoyPctOf(const tonghop::v1::AggregateUpdate& update);

// A parts_sum warning's sum of the parts (ValidationWarning.parts_sum_decimal); none for another
// rule, or from an aggregator that predates the field.
void SetPartsSum(Decimal sum, tonghop::v1::ValidationWarning* warning);
std::optional<Decimal> PartsSumOf(const tonghop::v1::ValidationWarning& warning);

// The query link's UnitFigure, FigureRevision (value and previous_value) and ProvinceRevision.
void SetValue(Decimal value, tonghop::v1::UnitFigure* figure);
void SetValue(Decimal value, tonghop::v1::FigureRevision* revision);
void SetPreviousValue(Decimal value, tonghop::v1::FigureRevision* revision);
void SetValue(Decimal value, tonghop::v1::ProvinceRevision* revision);
std::optional<Decimal> ValueOf(const tonghop::v1::UnitFigure& figure);
std::optional<Decimal> ValueOf(const tonghop::v1::FigureRevision& revision);
std::optional<Decimal> PreviousValueOf(const tonghop::v1::FigureRevision& revision);
std::optional<Decimal> ValueOf(const tonghop::v1::ProvinceRevision& revision);

// The shortest exact text of a number read as above ("23134", "17.28"), for printing; for a value
// that cannot be read, the double as it came ("nan"), so that nothing a peer sends stops a printer.
std::string ValueText(const tonghop::v1::IndicatorUpdate& update);
std::string ValueText(const tonghop::v1::AggregateUpdate& update);
std::string ValueText(const tonghop::v1::UnitFigure& figure);
std::string ValueText(const tonghop::v1::FigureRevision& revision);

// The aggregator's records (storage.proto): micro-units in 64 bits when they fit, as every older
// record holds them, else the exact text. Corruption when a record's text is not a decimal.
void SetStoredValue(Decimal value, tonghop::storage::v1::UnitValue* record);
Status StoredValue(const tonghop::storage::v1::UnitValue& record, Decimal* out);
void SetAuditValue(Decimal value, tonghop::storage::v1::AuditRecord* record);
void SetAuditPreviousValue(Decimal value, tonghop::storage::v1::AuditRecord* record);
Status AuditValue(const tonghop::storage::v1::AuditRecord& record, Decimal* out);
// None when the record has no previous value (the unit's first figure).
Status AuditPreviousValue(const tonghop::storage::v1::AuditRecord& record, std::optional<Decimal>* out);
// The revision of a unit's figure an audit record tells of (`tonghop history`): no value when the
// figure was refused, only the reason, nor for a void (voided, the figure removed as previous value). Corruption when its values cannot be read.
Status AuditRevision(const tonghop::storage::v1::AuditRecord& record, tonghop::v1::FigureRevision* out);

}  // namespace tonghop
