// Fuzz target: a province catalog (docs/CATALOG.md). The bytes are the four CSV files one after
// the other, separated by lines "@@@": units.csv, indicators.csv, plans.csv, baselines.csv
// (missing parts become empty files). They are written to a temp folder and loaded with
// Catalog::LoadFromDirectory, as the aggregator does at start-up.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/catalog.h"
#include "core/testing/temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tonghop::testing::TempDir* dir = new tonghop::testing::TempDir;
  constexpr std::array<const char*, 4> kFiles = {"units.csv", "indicators.csv", "plans.csv", "baselines.csv"};
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  for (const char* name : kFiles) {
    size_t end = rest.find("\n@@@\n");
    std::string_view part = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 5);
    dir->Write(name, std::string(part));
  }
  tonghop::Catalog catalog;
  if (tonghop::Catalog::LoadFromDirectory(dir->path(), &catalog).ok()) {
    for (const auto& indicator : catalog.indicators()) {
      catalog.FindIndicator(indicator.id);
      catalog.Plan(indicator.id, 2017);
    }
  }
  return 0;
}
