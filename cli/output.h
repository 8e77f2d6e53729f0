// Where a command's text goes: a file given by --output, or stdout.
#pragma once

#include <string>

#include "core/status.h"

namespace tonghop::cli {

// Prints `text` to stdout when `path` is empty; otherwise replaces the file at `path` with it
// (WriteStringToFile), IOError naming the file when it cannot be written.
Status WriteOutput(const std::string& text, const std::string& path);

}  // namespace tonghop::cli
