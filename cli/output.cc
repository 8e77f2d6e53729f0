#include "cli/output.h"

#include <fmt/format.h>

#include "core/csv.h"

namespace tonghop::cli {

Status WriteOutput(const std::string& text, const std::string& path) {
  if (path.empty()) {
    fmt::print("{}", text);
    return Status::OK();
  }
  Status status = WriteStringToFile(path, text);
  if (!status.ok()) return Status::IOError(status.message() + " (check the folder exists and is writable)");
  return Status::OK();
}

}  // namespace tonghop::cli
