// CURVE keys for the nodes of a test province, made as docs/SECURITY.md has them made. Not for
// production code.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/curve_keys.h"
#include "core/status.h"

namespace tonghop::testing {

// A key pair for each of `names`, written as <dir>/<name>.key and <dir>/<name>.pub and returned
// in `pairs` by name.
inline Status MakeCurveKeys(const std::string& dir, const std::vector<std::string>& names,
                            std::map<std::string, CurveKeyPair>* pairs) {
  std::filesystem::create_directories(dir);
  for (const auto& name : names) {
    CurveKeyPair pair;
    TONGHOP_RETURN_IF_ERROR(GenerateCurveKeyPair(&pair));
    TONGHOP_RETURN_IF_ERROR(WriteCurveKeyFiles(dir + "/" + name, name, pair));
    (*pairs)[name] = pair;
  }
  return Status::OK();
}

}  // namespace tonghop::testing
