#include "cli/cli_catalog.h"

#include "cli/client_config.h"

namespace tonghop::cli {

Status LoadCliCatalog(const std::string& requested_dir, Catalog* catalog) {
  std::string dir;
  TONGHOP_RETURN_IF_ERROR(ResolveCatalogDir(requested_dir, &dir));
  return Catalog::LoadFromDirectory(dir, catalog);
}

}  // namespace tonghop::cli
