#include "cli/cli_catalog.h"

#include <filesystem>

namespace tonghop::cli {

Status LoadCliCatalog(const std::string& requested_dir, Catalog* catalog) {
  std::string dir = requested_dir;
  if (dir.empty()) {
    std::error_code ignored;
    if (!std::filesystem::is_directory("deploy/lang-son", ignored)) {
      return Status::InvalidArgument("no catalog: pass --catalog_dir (the aggregator's, e.g. /etc/tonghop/lang-son)");
    }
    dir = "deploy/lang-son";
  }
  return Catalog::LoadFromDirectory(dir, catalog);
}

}  // namespace tonghop::cli
