// Fuzz target: a CSV file in a collector's drop folder (docs/COLLECTOR.md). The bytes are written
// as drop/figures.csv and taken by a real DropFolder scan into a real Outbox (RocksDB), exactly as
// the collector does; the file ends in done/ or failed/, which are emptied after each input. The
// folder is on /dev/shm when there is one: the outbox's fsyncs would otherwise set the pace.
// Property checked: whatever the file holds, every figure it put in the outbox reads back (none is
// ever set aside as unreadable, which a cell that is not UTF-8 used to cause).
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "collector/drop_folder.h"
#include "collector/outbox.h"
#include "core/testing/temp_dir.h"

namespace {

std::filesystem::path FastTempParent() {
  return std::filesystem::is_directory("/dev/shm") ? std::filesystem::path("/dev/shm")
                                                   : std::filesystem::temp_directory_path();
}

struct Collector {
  tonghop::testing::TempDir root{FastTempParent()};  // declared first: removed last
  std::unique_ptr<tonghop::Outbox> outbox;
  std::unique_ptr<tonghop::DropFolder> drop;

  Collector() {
    if (!tonghop::Outbox::Open(root.Sub("outbox"), &outbox).ok()) std::abort();
    tonghop::DropFolderOptions options;
    options.dir = root.Sub("drop");
    options.reporting_unit = "cao-loc";
    options.min_age_ms = 0;
    drop = std::make_unique<tonghop::DropFolder>(options, outbox.get());
    if (!drop->Init().ok()) std::abort();
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Collector collector;  // one for the whole run, removed at exit
  namespace fs = std::filesystem;
  const std::string dir = collector.drop->dir();
  {
    std::ofstream out(dir + "/figures.csv", std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  const uint64_t first_new_seq = collector.outbox->next_seq();
  collector.drop->Scan();
  std::vector<tonghop::v1::IndicatorUpdate> stored;
  if (!collector.outbox->ReadPending(first_new_seq, SIZE_MAX, &stored).ok() ||
      collector.outbox->unreadable_count() != 0) {
    std::abort();
  }
  for (const char* sub : {"/done", "/failed"}) {
    for (const auto& entry : fs::directory_iterator(dir + sub)) fs::remove(entry.path());
  }
  return 0;
}
