#include "core/wire_protocol.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <google/protobuf/descriptor.h>
#include <google/protobuf/stubs/logging.h>
#include <google/protobuf/unknown_field_set.h>

#include "core/wire_text.h"

namespace tonghop {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::UnknownField;
using google::protobuf::UnknownFieldSet;

// Deeper than any message of the protocol nests; a bound for recursive message types.
constexpr int kMaxDepth = 32;

// A field on the way from the outer message to a string: the field and, when it is repeated, which
// of its occurrences (-1 when singular).
using FieldPath = std::vector<std::pair<const FieldDescriptor*, int>>;

// "submit.figures[1].indicator"
std::string PathName(const FieldPath& path) {
  std::string name;
  for (const auto& [field, index] : path) {
    if (!name.empty()) name += '.';
    name += field->name();
    if (index >= 0) name += fmt::format("[{}]", index);
  }
  return name;
}

// Walks `fields`, a message of `type` read field by field, and each message field within it. Every
// string field whose bytes are not valid UTF-8 gets them escaped (EscapeInvalidUtf8) and its path
// appended to `bad`, in wire order. Fields `type` does not know, or that come with another wire
// type than their declaration, are left as they are: protobuf ignores them. False when a nested
// message is not protobuf wire format.
bool EscapeInvalidStrings(const Descriptor& type, UnknownFieldSet* fields, FieldPath* path,
                          std::vector<FieldPath>* bad, int depth) {
  if (depth > kMaxDepth) return false;
  std::map<int, int> occurrences;
  for (int i = 0; i < fields->field_count(); ++i) {
    UnknownField* field = fields->mutable_field(i);
    const FieldDescriptor* declared = type.FindFieldByNumber(field->number());
    if (declared == nullptr || field->type() != UnknownField::TYPE_LENGTH_DELIMITED) continue;
    const int index = declared->is_repeated() ? occurrences[field->number()]++ : -1;
    path->emplace_back(declared, index);
    if (declared->type() == FieldDescriptor::TYPE_STRING) {
      std::string* bytes = field->mutable_length_delimited();
      if (!IsValidUtf8(*bytes)) {
        bad->push_back(*path);
        *bytes = EscapeInvalidUtf8(*bytes);
      }
    } else if (declared->type() == FieldDescriptor::TYPE_MESSAGE) {
      UnknownFieldSet nested;
      if (!nested.ParseFromString(*field->mutable_length_delimited()) ||
          !EscapeInvalidStrings(*declared->message_type(), &nested, path, bad, depth + 1)) {
        return false;
      }
      field->mutable_length_delimited()->clear();
      nested.SerializeToString(field->mutable_length_delimited());
    }
    path->pop_back();
  }
  return true;
}


// A number sent twice (docs/PROTOCOL.md, "Values"): `text` when set, else the double when the
// field has one; none when what is there is not a value.
std::optional<Decimal> ReadNumber(bool has_double, double value, const std::string& text) {
  Decimal out;
  if (!text.empty()) {
    if (!Decimal::Parse(text, &out, Decimal::kMaxDigits).ok()) return std::nullopt;
    return out;
  }
  if (!has_double || !Decimal::FromDouble(value, &out).ok()) return std::nullopt;
  return out;
}

std::string NumberText(std::optional<Decimal> value, double as_sent) {
  return value ? value->ToString() : fmt::format("{}", as_sent);
}

// A record's number: its 64-bit micro-units, or its text when it did not fit them.
Status ReadStored(int64_t micros, const std::string& text, const char* what, Decimal* out) {
  if (text.empty()) {
    *out = Decimal::FromMicros(micros);
    return Status::OK();
  }
  if (!Decimal::Parse(text, out, Decimal::kMaxDigits).ok()) {
    return Status::Corruption(fmt::format("{} '{}' of a stored record is not a decimal", what, EscapeInvalidUtf8(text)));
  }
  return Status::OK();
}

Status NotWireFormat(const Descriptor& type) {
  return Status::InvalidArgument(
      fmt::format("not a {}: not protobuf wire format (truncated or corrupt)", type.full_name()));
}

}  // namespace

bool ParseQuietly(std::string_view bytes, google::protobuf::MessageLite* message) {
  // protobuf logs an ERROR line for every string that is not UTF-8: a line per message a peer sends.
  google::protobuf::LogSilencer quiet;
  return message->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

Status ParseWireMessage(std::string_view bytes, google::protobuf::Message* message) {
  if (ParseQuietly(bytes, message)) return Status::OK();
  message->Clear();
  const Descriptor& type = *message->GetDescriptor();
  UnknownFieldSet fields;
  FieldPath path;
  std::vector<FieldPath> bad;
  if (!fields.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())) ||
      !EscapeInvalidStrings(type, &fields, &path, &bad, 0)) {
    return NotWireFormat(type);
  }
  if (bad.empty()) return Status::InvalidArgument(fmt::format("not a {} (protobuf refuses it)", type.full_name()));
  return Status::InvalidArgument(fmt::format("field '{}' is not valid UTF-8", PathName(bad.front())));
}

Status DecodeCollectorMessage(std::string_view frame, tonghop::v1::CollectorMessage* message) {
  if (ParseQuietly(frame, message)) return Status::OK();
  message->Clear();
  const Descriptor& type = *tonghop::v1::CollectorMessage::descriptor();
  UnknownFieldSet fields;
  FieldPath path;
  std::vector<FieldPath> bad;
  if (!fields.ParseFromArray(frame.data(), static_cast<int>(frame.size())) ||
      !EscapeInvalidStrings(type, &fields, &path, &bad, 0)) {
    return NotWireFormat(type);
  }
  std::string escaped;
  fields.SerializeToString(&escaped);
  if (!ParseQuietly(escaped, message)) {
    message->Clear();
    return Status::InvalidArgument(fmt::format("not a {} (protobuf refuses it)", type.full_name()));
  }
  if (!message->has_updates()) return Status::OK();  // a heartbeat's text: harmless, it is answered
  auto* batch = message->mutable_updates();
  std::vector<bool> marked(batch->updates_size());
  for (const FieldPath& at : bad) {
    // at[0] is CollectorMessage.updates; at[1] a field of the batch, at[2] one of an update's.
    if (at.size() < 2 || at[0].first->number() != tonghop::v1::CollectorMessage::kUpdatesFieldNumber) continue;
    if (at[1].first->number() == tonghop::v1::UpdateBatch::kUpdatesFieldNumber) {
      const int i = at[1].second;
      if (at.size() < 3 || i < 0 || i >= batch->updates_size() || marked[i]) continue;
      marked[i] = true;
      auto* update = batch->mutable_updates(i);
      update->set_unreadable_reason(
          fmt::format("field '{}' of seq {} is not valid UTF-8", PathName({at.begin() + 2, at.end()}), update->seq()));
    } else {
      // Shown escaped, and within the limit, so that the batch is judged by its updates alone.
      if (at[1].first->number() == tonghop::v1::UpdateBatch::kNodeIdFieldNumber) {
        batch->set_node_id(std::string(ClipUtf8(batch->node_id(), kMaxIdLength)));
      }
      const std::string reason = fmt::format("field '{}' of the batch is not valid UTF-8", at[1].first->name());
      for (int i = 0; i < batch->updates_size(); ++i) {
        if (marked[i]) continue;
        marked[i] = true;
        batch->mutable_updates(i)->set_unreadable_reason(reason);
      }
    }
  }
  return Status::OK();
}

void SetFigureValue(Decimal value, tonghop::v1::IndicatorUpdate* update) {
  update->set_value(value.ToDouble());
  update->set_value_decimal(value.ToString());
}

Status FigureValue(const tonghop::v1::IndicatorUpdate& update, Decimal* out) {
  if (!update.value_decimal().empty()) return Decimal::Parse(update.value_decimal(), out);
  return Decimal::FromDouble(update.value(), out);
}

void SetBelowCompleteness(const BelowCompleteness& completeness, tonghop::v1::IndicatorUpdate* update) {
  update->set_partial(completeness.partial);
  update->set_units_reported(completeness.units_reported);
  update->set_units_expected(completeness.units_expected);
  update->set_partial_reason(completeness.reason);
}

Status BelowCompletenessOf(const tonghop::v1::IndicatorUpdate& update, BelowCompleteness* out) {
  if (update.units_reported() > update.units_expected()) {
    return Status::InvalidArgument(fmt::format("field 'units_reported': {} is above units_expected {}",
                                               update.units_reported(), update.units_expected()));
  }
  if (!update.partial() && !update.partial_reason().empty()) {
    return Status::InvalidArgument("field 'partial_reason': set on a figure that is not partial");
  }
  if (Status s = CheckWireText(update.partial_reason(), kMaxReasonLength); !s.ok()) {
    return Status::InvalidArgument(fmt::format("field 'partial_reason': {}", s.message()));
  }
  out->partial = update.partial();
  out->units_reported = update.units_reported();
  out->units_expected = update.units_expected();
  out->reason = update.partial_reason();
  return Status::OK();
}

BelowCompleteness BelowCompletenessOf(const tonghop::v1::AggregateUpdate& update) {
  BelowCompleteness out;
  out.partial = update.partial();
  out.units_reported = update.units_reported();
  out.units_expected = update.units_expected();
  if (update.partial()) out.reason = std::string(ClipUtf8(update.partial_reason(), kMaxReasonLength));
  return out;
}

void SetStoredBelowCompleteness(const BelowCompleteness& completeness, tonghop::storage::v1::UnitValue* record) {
  record->set_partial(completeness.partial);
  record->set_units_reported(completeness.units_reported);
  record->set_units_expected(completeness.units_expected);
  record->set_partial_reason(completeness.reason);
}

BelowCompleteness StoredBelowCompleteness(const tonghop::storage::v1::UnitValue& record) {
  return BelowCompleteness{record.partial(), record.units_reported(), record.units_expected(), record.partial_reason()};
}

void SetValue(Decimal value, tonghop::v1::AggregateUpdate* update) {
  update->set_value(value.ToDouble());
  update->set_value_decimal(value.ToString());
}

void SetYtdValue(std::optional<Decimal> value, tonghop::v1::AggregateUpdate* update) {
  if (!value) {
    update->clear_ytd_value();
    update->clear_ytd_value_decimal();
    return;
  }
  update->set_ytd_value(value->ToDouble());
  update->set_ytd_value_decimal(value->ToString());
}

void SetPctOfPlan(std::optional<Decimal> pct, tonghop::v1::AggregateUpdate* update) {
  if (!pct) {
    update->clear_pct_of_plan();
    update->clear_pct_of_plan_decimal();
    return;
  }
  update->set_pct_of_plan(pct->ToDouble());
  update->set_pct_of_plan_decimal(pct->ToString());
}

void SetYoyPct(std::optional<Decimal> pct, tonghop::v1::AggregateUpdate* update) {
  if (!pct) {
    update->clear_yoy_pct();
    update->clear_yoy_pct_decimal();
    return;
  }
  update->set_yoy_pct(pct->ToDouble());
  update->set_yoy_pct_decimal(pct->ToString());
}

std::optional<Decimal> ValueOf(const tonghop::v1::AggregateUpdate& update) {
  return ReadNumber(true, update.value(), update.value_decimal());
}

std::optional<Decimal> YtdValueOf(const tonghop::v1::AggregateUpdate& update) {
  return ReadNumber(update.has_ytd_value(), update.ytd_value(), update.ytd_value_decimal());
}

std::optional<Decimal> PctOfPlanOf(const tonghop::v1::AggregateUpdate& update) {
  return ReadNumber(update.has_pct_of_plan(), update.pct_of_plan(), update.pct_of_plan_decimal());
}

std::optional<Decimal> YoyPctOf(const tonghop::v1::AggregateUpdate& update) {
  return ReadNumber(update.has_yoy_pct(), update.yoy_pct(), update.yoy_pct_decimal());
}

void SetPartsSum(Decimal sum, tonghop::v1::ValidationWarning* warning) { warning->set_parts_sum_decimal(sum.ToString()); }

std::optional<Decimal> PartsSumOf(const tonghop::v1::ValidationWarning& warning) {
  return ReadNumber(false, 0, warning.parts_sum_decimal());
}

void SetValue(Decimal value, tonghop::v1::UnitFigure* figure) {
  figure->set_value(value.ToDouble());
  figure->set_value_decimal(value.ToString());
}

void SetValue(Decimal value, tonghop::v1::FigureRevision* revision) {
  revision->set_value(value.ToDouble());
  revision->set_value_decimal(value.ToString());
}

void SetPreviousValue(Decimal value, tonghop::v1::FigureRevision* revision) {
  revision->set_previous_value(value.ToDouble());
  revision->set_previous_value_decimal(value.ToString());
}

void SetValue(Decimal value, tonghop::v1::ProvinceRevision* revision) {
  revision->set_value(value.ToDouble());
  revision->set_value_decimal(value.ToString());
}

std::optional<Decimal> ValueOf(const tonghop::v1::UnitFigure& figure) {
  return ReadNumber(true, figure.value(), figure.value_decimal());
}

std::optional<Decimal> ValueOf(const tonghop::v1::FigureRevision& revision) {
  return ReadNumber(true, revision.value(), revision.value_decimal());
}

std::optional<Decimal> PreviousValueOf(const tonghop::v1::FigureRevision& revision) {
  return ReadNumber(revision.has_previous_value(), revision.previous_value(), revision.previous_value_decimal());
}

std::optional<Decimal> ValueOf(const tonghop::v1::ProvinceRevision& revision) {
  return ReadNumber(true, revision.value(), revision.value_decimal());
}

std::string ValueText(const tonghop::v1::IndicatorUpdate& update) {
  Decimal value;
  if (!FigureValue(update, &value).ok()) return update.value_decimal().empty() ? fmt::format("{}", update.value()) : EscapeInvalidUtf8(update.value_decimal());
  return value.ToString();
}

std::string ValueText(const tonghop::v1::AggregateUpdate& update) { return NumberText(ValueOf(update), update.value()); }
std::string ValueText(const tonghop::v1::UnitFigure& figure) { return NumberText(ValueOf(figure), figure.value()); }
std::string ValueText(const tonghop::v1::FigureRevision& revision) {
  return NumberText(ValueOf(revision), revision.value());
}

void SetStoredValue(Decimal value, tonghop::storage::v1::UnitValue* record) {
  if (value.FitsInt64Micros()) {
    record->set_value_micros(static_cast<int64_t>(value.micros()));
    record->clear_value_decimal();
  } else {
    record->set_value_micros(0);
    record->set_value_decimal(value.ToString());
  }
}

Status StoredValue(const tonghop::storage::v1::UnitValue& record, Decimal* out) {
  return ReadStored(record.value_micros(), record.value_decimal(), "value_decimal", out);
}

void SetAuditValue(Decimal value, tonghop::storage::v1::AuditRecord* record) {
  if (value.FitsInt64Micros()) {
    record->set_value_micros(static_cast<int64_t>(value.micros()));
    record->clear_value_decimal();
  } else {
    record->set_value_micros(0);
    record->set_value_decimal(value.ToString());
  }
}

void SetAuditPreviousValue(Decimal value, tonghop::storage::v1::AuditRecord* record) {
  if (value.FitsInt64Micros()) {
    record->set_previous_micros(static_cast<int64_t>(value.micros()));
    record->clear_previous_decimal();
  } else {
    record->clear_previous_micros();
    record->set_previous_decimal(value.ToString());
  }
}

Status AuditValue(const tonghop::storage::v1::AuditRecord& record, Decimal* out) {
  return ReadStored(record.value_micros(), record.value_decimal(), "value_decimal", out);
}

Status AuditPreviousValue(const tonghop::storage::v1::AuditRecord& record, std::optional<Decimal>* out) {
  out->reset();
  if (!record.has_previous_micros() && record.previous_decimal().empty()) return Status::OK();
  Decimal previous;
  TONGHOP_RETURN_IF_ERROR(ReadStored(record.previous_micros(), record.previous_decimal(), "previous_decimal", &previous));
  *out = previous;
  return Status::OK();
}

Status AuditRevision(const tonghop::storage::v1::AuditRecord& record, tonghop::v1::FigureRevision* out) {
  tonghop::v1::FigureRevision& revision = *out;
  revision.set_reporting_unit(record.reporting_unit());
  std::optional<Decimal> previous;
  TONGHOP_RETURN_IF_ERROR(AuditPreviousValue(record, &previous));
  if (previous) SetPreviousValue(*previous, &revision);
  revision.set_voided(record.voided());
  if (record.rejected() == tonghop::v1::REJECT_REASON_UNSPECIFIED && !record.voided()) {
    Decimal value;
    TONGHOP_RETURN_IF_ERROR(AuditValue(record, &value));
    SetValue(value, &revision);
  }
  revision.set_node_id(record.node_id());
  revision.set_entered_by(record.entered_by());
  revision.set_observed_at_ms(record.observed_at_ms());
  revision.set_applied_at_ms(record.applied_at_ms());
  revision.set_rejected(record.rejected());
  revision.set_reject_text(record.reject_text());
  return Status::OK();
}

}  // namespace tonghop
