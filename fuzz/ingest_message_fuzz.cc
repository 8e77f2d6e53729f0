// Fuzz target: what the aggregator's ingest ROUTER accepts from a collector. The bytes are one
// CollectorMessage frame, decoded as the aggregator does (DecodeCollectorMessage, which also reads
// frames protobuf refuses for a string that is not UTF-8); every update it yields goes through the
// aggregator's catalog check (UpdateValidator, over the Lạng Sơn catalog) and the collector-side
// figure check, the two places that read its strings and doubles. Properties checked:
//  - what the decoder yields is a valid message: it serializes and parses back to itself, and
//    every reject text the validator writes of it is valid UTF-8 (a reply the sender can read);
//  - a frame protobuf parses is decoded exactly as protobuf reads it;
//  - IsValidUtf8 judges the input's bytes, as a string field, exactly as protobuf's parser does.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "aggregator/update_validator.h"
#include "collector/figure_check.h"
#include "core/catalog.h"
#include "core/wire_protocol.h"
#include "core/wire_text.h"

#include <google/protobuf/stubs/logging.h>

namespace {

const tonghop::Catalog& LangSon() {
  static const tonghop::Catalog* catalog = [] {
    auto* c = new tonghop::Catalog;
    if (!tonghop::Catalog::LoadFromDirectory(TONGHOP_SOURCE_DIR "/deploy/lang-son", c).ok()) std::abort();
    return c;
  }();
  return *catalog;
}

// A fixed clock (2026-06-01 UTC), so that an input takes the same path every run.
constexpr int64_t kNowMs = 1'780'272'000'000;

void Check(bool condition) {
  if (!condition) std::abort();
}

// The input's bytes as the indicator of an IndicatorUpdate on the wire.
std::string AsIndicatorField(std::string_view bytes) {
  std::string wire = "\x1a";
  for (size_t n = bytes.size();; n >>= 7) {
    wire.push_back(static_cast<char>((n & 0x7f) | (n >= 0x80 ? 0x80 : 0)));
    if (n < 0x80) break;
  }
  return wire.append(bytes);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view frame(reinterpret_cast<const char*>(data), size);
  {
    google::protobuf::LogSilencer quiet;
    tonghop::v1::IndicatorUpdate update;
    Check(update.ParseFromString(AsIndicatorField(frame)) == tonghop::IsValidUtf8(frame));
  }

  tonghop::v1::CollectorMessage message;
  if (!tonghop::DecodeCollectorMessage(frame, &message).ok()) return 0;
  const std::string decoded = message.SerializeAsString();
  tonghop::v1::CollectorMessage again;
  Check(again.ParseFromString(decoded) && again.SerializeAsString() == decoded);
  tonghop::v1::CollectorMessage strict;
  {
    google::protobuf::LogSilencer quiet;
    if (strict.ParseFromArray(data, static_cast<int>(size))) Check(strict.SerializeAsString() == decoded);
  }
  if (!message.has_updates()) return 0;
  tonghop::UpdateValidator validator(&LangSon());
  for (const auto& update : message.updates().updates()) {
    tonghop::ValidatedUpdate valid;
    std::string text;
    validator.Validate(update, kNowMs, &valid, &text);
    Check(tonghop::IsValidUtf8(text));
    tonghop::v1::IndicatorUpdate figure = update;
    for (auto language : {tonghop::Language::kVietnamese, tonghop::Language::kEnglish}) {
      for (const auto& e : tonghop::CheckFigure(update.reporting_unit(), language, &figure)) Check(tonghop::IsValidUtf8(e.why));
    }
  }
  return 0;
}
