// Fuzz target: a data value set given to `tonghop import` (cli/data_value_set.h), JSON or CSV as
// the file's first byte decides, parsed exactly as the import reads it, then each value's period
// and time normalised the way the import goes on to.
#include <cstdint>
#include <string>
#include <vector>

#include "cli/data_value_set.h"
#include "core/clock.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string text(reinterpret_cast<const char*>(data), size);
  std::vector<tonghop::cli::DataValue> values;
  if (!tonghop::cli::ParseDataValueSet("values", text, &values).ok()) return 0;
  for (const auto& value : values) {
    tonghop::cli::NormalizePeriod(value.period);
    int64_t ms = 0;
    if (tonghop::ParseUtcIsoTime(value.last_updated, &ms)) tonghop::UtcIsoTime(ms);
  }
  return 0;
}
