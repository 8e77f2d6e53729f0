// The catalog a query command reads names and rules from: --catalog_dir, else the client
// configuration's catalog_dir, else the local province's deploy/lang-son (cli/client_config.h).
// Unlike `watch`, which works without names, these commands need it.
#pragma once

#include <string>

#include "core/catalog.h"
#include "core/status.h"

namespace tonghop::cli {

Status LoadCliCatalog(const std::string& requested_dir, Catalog* catalog);

}  // namespace tonghop::cli
