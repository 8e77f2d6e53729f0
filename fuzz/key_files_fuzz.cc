// Fuzz target: the two key files a node reads (docs/SECURITY.md). The first byte chooses:
//   even  a key file (NAME.key / NAME.pub), parsed by ParseCurveKeyFile
//   odd   a key registry (keys.csv), parsed by KeyRegistry::Parse, then every key looked up
#include <cstdint>
#include <string_view>

#include "core/curve_keys.h"
#include "core/key_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] % 2 == 0) {
    tonghop::CurveKeyPair pair;
    tonghop::ParseCurveKeyFile("fuzz.key", text, &pair);
    return 0;
  }
  tonghop::KeyRegistry registry;
  if (tonghop::KeyRegistry::Parse("keys.csv", text, &registry).ok()) {
    for (const auto& key : registry.keys()) registry.Find(key.public_key);
  }
  return 0;
}
