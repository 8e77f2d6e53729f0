// Runs a fuzz target's LLVMFuzzerTestOneInput over every file of the folders given on the command
// line (missing folders are skipped), without libFuzzer, so that the corpus and the regression
// inputs run in every build. A target that crashes on one of them fails the ctest; the file being
// run is printed first, so the failing input is named. Replaying nothing fails too: a corpus that
// went missing must not pass as a clean run.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/csv.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    std::error_code error;
    if (!fs::is_directory(argv[i], error)) continue;
    for (const auto& entry : fs::directory_iterator(argv[i])) {
      if (entry.is_regular_file()) files.push_back(entry.path());
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "no input to replay: none of the %d folders given exists or holds a file\n", argc - 1);
    return 1;
  }
  for (const auto& file : files) {
    std::fprintf(stderr, "replaying %s\n", file.c_str());
    std::string bytes;
    if (!tonghop::ReadFileToString(file.string(), &bytes).ok()) {
      std::fprintf(stderr, "cannot read %s\n", file.c_str());
      return 1;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs without a crash\n", files.size());
  return 0;
}
