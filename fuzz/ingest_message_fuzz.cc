// Fuzz target: what the aggregator's ingest ROUTER accepts from a collector. The bytes are one
// CollectorMessage frame; every update it carries goes through the aggregator's catalog check
// (UpdateValidator, over the Lạng Sơn catalog) and the collector-side figure check, the two
// places that read its strings and doubles.
#include <cstdint>
#include <cstdlib>

#include "aggregator/update_validator.h"
#include "collector/figure_check.h"
#include "core/catalog.h"

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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tonghop::v1::CollectorMessage message;
  if (!message.ParseFromArray(data, static_cast<int>(size))) return 0;
  if (!message.has_updates()) return 0;
  tonghop::UpdateValidator validator(&LangSon());
  for (const auto& update : message.updates().updates()) {
    tonghop::ValidatedUpdate valid;
    std::string text;
    validator.Validate(update, kNowMs, &valid, &text);
    tonghop::v1::IndicatorUpdate figure = update;
    tonghop::CheckFigure(update.reporting_unit(), &figure);
  }
  return 0;
}
