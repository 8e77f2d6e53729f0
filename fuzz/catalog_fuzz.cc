// Fuzz target: a province catalog (docs/CATALOG.md). The bytes are the five CSV files one after
// the other, separated by lines "@@@": units.csv, indicators.csv, plans.csv, baselines.csv,
// years.csv (missing parts become empty files, except a missing years.csv, which becomes
// "2016,next_year", so that inputs written before the file existed still reach the other checks). They are written to a temp folder and loaded with
// Catalog::LoadFromDirectory, as the aggregator does at start-up.
#include <cstdint>
#include <string>
#include <string_view>

#include "core/catalog.h"
#include "core/testing/temp_dir.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static tonghop::testing::TempDir* dir = new tonghop::testing::TempDir;
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  bool more = true;  // whether the input still has a part for this file
  for (const char* name : tonghop::Catalog::FileNames()) {
    std::string text;
    if (more) {
      size_t end = rest.find("\n@@@\n");
      text = std::string(rest.substr(0, end));
      more = end != std::string_view::npos;
      rest = more ? rest.substr(end + 5) : std::string_view();
    } else if (std::string_view(name) == "years.csv") {
      text = "first_year,last_year\n2016,next_year\n";
    }
    dir->Write(name, text);
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
